from enum import Enum

from piccolo.columns import Boolean, ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from clustermarket.accounts.tables import User
from clustermarket.catalogue.tables import Product
from clustermarket.projects.tables import Project
from clustermarket.schools.tables import Cluster, School
from clustermarket.teams.tables import Team


class EventKind(str, Enum):
    market_day = "market_day"
    eco_meetup = "eco_meetup"
    family_learning = "family_learning"
    grapevine = "grapevine"
    transition = "transition"
    sports = "sports"


class Event(Table):
    """A cluster event. Market days are not copied here: the calendar reads them from market.
    A private event (e.g. a transition day) is seen by signed-in cluster users only.
    `cluster`: the admin's who made it (issue 15); null only on rows from before it, which
    the migration gives the first cluster."""

    cluster = ForeignKey(references=Cluster, null=True, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=20, choices=EventKind, index=True)
    title = Varchar(length=120)
    description = Text(default="")
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    place = Varchar(length=200)
    is_public = Boolean(default=True, index=True)
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null, index=True)
    created_at = Timestamptz()


class EventSchool(Table):
    """A school taking part in an event."""

    event = ForeignKey(references=Event, null=False, on_delete=OnDelete.cascade, index=True)
    school = ForeignKey(references=School, null=False, on_delete=OnDelete.cascade, index=True)


class EventSignup(Table):
    """A team will present one project or one product at an event."""

    event = ForeignKey(references=Event, null=False, on_delete=OnDelete.cascade, index=True)
    team = ForeignKey(references=Team, null=False, on_delete=OnDelete.cascade, index=True)
    project = ForeignKey(references=Project, null=True, on_delete=OnDelete.cascade, index=True)
    product = ForeignKey(references=Product, null=True, on_delete=OnDelete.cascade, index=True)
    signed_up_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null, index=True)
    created_at = Timestamptz()
