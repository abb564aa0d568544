from enum import Enum

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from clustermarket.accounts.tables import User
from clustermarket.teams.tables import Team


class ContentStatus(str, Enum):
    draft = "draft"
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    hidden = "hidden"


class Product(Table):
    """An enterprise team's item for sale. Money is integer pence."""

    team = ForeignKey(references=Team, null=False, on_delete=OnDelete.cascade)
    name = Varchar(length=120)
    description = Text(default="")
    price_pence = Integer()
    unit_cost_pence = Integer(default=0)
    active = Boolean(default=True)
    status = Varchar(length=10, choices=ContentStatus, default=ContentStatus.draft, index=True)
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz()
    updated_at = Timestamptz()
