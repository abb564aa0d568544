"""The co-operative trust: community groups that apply to join, and the members' ballots.

Members are every active account: pupils and staff of the schools, and community accounts
(parents who buy from the market, and the contacts of approved community groups)."""

from enum import Enum

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from clustermarket.accounts.tables import User
from clustermarket.schools.tables import Cluster
from clustermarket.sharing.tables import Idea


class GroupStatus(str, Enum):
    pending = "pending"
    approved = "approved"
    declined = "declined"


class CommunityGroup(Table):
    name = Varchar(length=120)
    # The name folded (case, spacing, punctuation): unique among pending and approved groups
    # (a partial unique index made by the migration). Null only for duplicates older than it.
    name_key = Varchar(length=120, null=True, default=None)
    contact_name = Varchar(length=120)
    contact_email = Varchar(length=254)
    offers = Text()
    status = Varchar(length=10, choices=GroupStatus, default=GroupStatus.pending, index=True)
    decided_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null, index=True)
    created_at = Timestamptz()
    decided_at = Timestamptz(null=True, default=None)
    # The contact person's community-member account, made when the group is approved.
    contact_account = ForeignKey(
        references=User, null=True, default=None, on_delete=OnDelete.set_null, index=True
    )
    # The cluster it applied to (issue 15): the request's, never a form field. Names are
    # unique per cluster (the index `community_group_one_name` is on cluster and name_key).
    cluster = ForeignKey(
        references=Cluster, null=True, default=None, on_delete=OnDelete.restrict, index=True
    )


class WelcomeLink(Table):
    """A one-time link for a new community member to choose a password (hash stored only)."""

    account = ForeignKey(references=User, null=False, on_delete=OnDelete.cascade, index=True)
    token_hash = Varchar(length=64, unique=True)
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class Ballot(Table):
    """A question put to the members, open from `opens_at` until `closes_at`.

    At most one ballot per idea (a unique index on `idea`, made by the migration): with one
    vote per member per ballot, no member votes twice on the same idea."""

    question = Varchar(length=200)
    idea = ForeignKey(
        references=Idea, null=True, default=None, on_delete=OnDelete.set_null, index=True
    )
    opens_at = Timestamptz()
    closes_at = Timestamptz()
    closed_early = Boolean(default=False)
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null, index=True)
    created_at = Timestamptz()
    # The cluster whose members vote (issue 15): the admin's, who put the question.
    cluster = ForeignKey(
        references=Cluster, null=True, default=None, on_delete=OnDelete.restrict, index=True
    )


class BallotOption(Table, tablename="ballot_option"):
    ballot = ForeignKey(references=Ballot, null=False, on_delete=OnDelete.cascade, index=True)
    label = Varchar(length=120)
    position = Integer(default=0)


class Vote(Table):
    """One member, one vote: a unique index on (ballot, member), made by the migration."""

    ballot = ForeignKey(references=Ballot, null=False, on_delete=OnDelete.cascade, index=True)
    option = ForeignKey(references=BallotOption, null=False, on_delete=OnDelete.cascade, index=True)
    member = ForeignKey(references=User, null=False, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz()
