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
    """An enterprise team's item for sale. Money is integer pence.

    `name`, `description` and `price_pence` are the team's working copy; `status` says where
    that copy is (draft → pending → approved, or rejected with `feedback`). The public only
    ever sees the `published_*` copy, and only while `is_public`: an edit after approval goes
    back to the queue while the last approved version stays on show. `unit_cost_pence` is
    private to the team and never published.
    """

    team = ForeignKey(references=Team, null=False, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=120)
    description = Text(default="")
    price_pence = Integer()
    unit_cost_pence = Integer(default=0)
    active = Boolean(default=True)  # False: retired, no longer sold or listed
    status = Varchar(length=10, choices=ContentStatus, default=ContentStatus.draft, index=True)
    feedback = Text(default="")  # the teacher's words to the pupils at the last rejection
    published_name = Varchar(length=120, default="")
    published_description = Text(default="")
    published_price_pence = Integer(null=True, default=None)
    is_public = Boolean(default=False, index=True)
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null, index=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    submitted_at = Timestamptz(null=True, default=None)
