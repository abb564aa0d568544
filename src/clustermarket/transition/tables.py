from piccolo.columns import ForeignKey, Timestamptz
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from clustermarket.accounts.tables import User
from clustermarket.teams.tables import Team


class TeamFollower(Table):
    """A Year 6 pupil of another school, invited to follow a high school team before moving."""

    team = ForeignKey(references=Team, null=False, on_delete=OnDelete.cascade, index=True)
    pupil = ForeignKey(references=User, null=False, on_delete=OnDelete.cascade, index=True)
    invited_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null, index=True)
    created_at = Timestamptz()
