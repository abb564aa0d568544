from enum import Enum

from piccolo.columns import ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from clustermarket.accounts.tables import User
from clustermarket.schools.tables import School


class TeamKind(str, Enum):
    enterprise = "enterprise"
    eco = "eco"


class MemberRole(str, Enum):
    leader = "leader"
    member = "member"
    supervisor = "supervisor"  # a teacher


class Team(Table):
    school = ForeignKey(references=School, null=False, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=120)
    slug = Varchar(length=80, unique=True)
    kind = Varchar(length=12, choices=TeamKind, index=True)
    description = Text(default="")
    created_at = Timestamptz()


class TeamMember(Table):
    team = ForeignKey(references=Team, null=False, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(references=User, null=False, on_delete=OnDelete.cascade, index=True)
    role = Varchar(length=12, choices=MemberRole)
