from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from clustermarket.accounts.tables import User
from clustermarket.catalogue.tables import ContentStatus
from clustermarket.teams.tables import Team


class Project(Table):
    """A team's showcase: what we made, what we learned. Moderated like a Product:
    the working copy (`title`, `summary`, `body`) and the public `published_*` copy."""

    team = ForeignKey(references=Team, null=False, on_delete=OnDelete.cascade, index=True)
    title = Varchar(length=120)
    summary = Varchar(length=300, default="")
    body = Text(default="")
    status = Varchar(length=10, choices=ContentStatus, default=ContentStatus.draft, index=True)
    feedback = Text(default="")
    published_title = Varchar(length=120, default="")
    published_summary = Varchar(length=300, default="")
    published_body = Text(default="")
    is_public = Boolean(default=False, index=True)
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null, index=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    submitted_at = Timestamptz(null=True, default=None)


class ImpactTally(Table):
    """'120 bottles recycled': a number, a unit and a label on an eco project.

    Rows never change: an edit removes a row from the draft and adds a new one. `in_draft`
    rows are the team's working set, `published` rows the approved set; approval makes the
    published set equal the draft set. Cluster totals add published rows of public projects
    by unit and label."""

    project = ForeignKey(references=Project, null=False, on_delete=OnDelete.cascade, index=True)
    quantity = Integer()
    unit = Varchar(length=40)
    label = Varchar(length=80)
    in_draft = Boolean(default=True)
    published = Boolean(default=False, index=True)
