from piccolo.columns import ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from clustermarket.accounts.tables import User
from clustermarket.schools.tables import School


class ModerationLog(Table):
    """Every approve, reject, hide, restore and account change: who, what, when, why.

    Rows are only ever added. `school` is the school whose teachers may read the row.
    """

    actor = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null, index=True)
    action = Varchar(length=40, index=True)
    subject_type = Varchar(length=40)
    subject_id = Integer()
    subject_label = Varchar(length=200, default="")
    school = ForeignKey(references=School, null=True, on_delete=OnDelete.set_null, index=True)
    reason = Text(default="")
    created_at = Timestamptz()


class ModerationLogCount(Table):
    """How many log entries each school has (`school_key` 0: entries of no school), kept by
    triggers on `moderation_log` (migration 2026-11-26T06:45), so the log page shows its
    true total without counting every entry."""

    school_key = Integer(unique=True)
    entries = Integer(default=0)


class QueueItemCount(Table):
    """How many items of each kind (`kind_key`) and status each owner has: a team's products
    and projects (`team_key`), a school's ideas, comments, pitch feedback and forum posts
    (`school_key`), an adult's items of neither (`author_key`); the other keys 0. Kept by
    triggers on the six moderated tables (migration moderation_2026_11_27t22_30_00_000000),
    so the admin's moderation tabs sum their cluster's few rows for their true total
    instead of counting every item (`moderation/queue_page.py`). The five keys are unique."""

    kind_key = Varchar(length=20)
    status = Varchar(length=20)
    school_key = Integer(default=0)
    team_key = Integer(default=0)
    author_key = Integer(default=0)
    items = Integer(default=0)
