"""The co-operative trust: community groups that apply to join, and votes on cluster ideas.

Signed-in pupils, staff and parents (community accounts) are members already."""

from enum import Enum

from piccolo.columns import ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from clustermarket.accounts.tables import User
from clustermarket.sharing.tables import Idea


class GroupStatus(str, Enum):
    pending = "pending"
    approved = "approved"
    declined = "declined"


class CommunityGroup(Table):
    name = Varchar(length=120)
    contact_name = Varchar(length=120)
    contact_email = Varchar(length=254)
    offers = Text()
    status = Varchar(length=10, choices=GroupStatus, default=GroupStatus.pending, index=True)
    decided_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null, index=True)
    created_at = Timestamptz()
    decided_at = Timestamptz(null=True, default=None)


class VoteChoice(str, Enum):
    yes = "yes"
    no = "no"


class Ballot(Table):
    """A cluster idea the admin puts to the members' vote, until `closes_at`."""

    idea = ForeignKey(references=Idea, null=False, on_delete=OnDelete.cascade, index=True)
    question = Varchar(length=200)
    closes_at = Timestamptz()
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null, index=True)
    created_at = Timestamptz()


class Vote(Table):
    """One member, one vote: a unique index on (ballot, member), made by the migration."""

    ballot = ForeignKey(references=Ballot, null=False, on_delete=OnDelete.cascade, index=True)
    member = ForeignKey(references=User, null=False, on_delete=OnDelete.cascade, index=True)
    choice = Varchar(length=4, choices=VoteChoice)
    created_at = Timestamptz()
