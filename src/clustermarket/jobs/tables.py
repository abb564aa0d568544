from enum import Enum

from piccolo.columns import JSON, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class JobStatus(str, Enum):  # noqa: UP042 - like the other domains' choices
    waiting = "waiting"  # due at `run_after`
    running = "running"  # claimed; `run_after` is the lease end (a crashed worker's job reruns)
    done = "done"
    failed = "failed"  # out of tries: the admin sees it and can try again


class Job(Table, tablename="job"):
    """One piece of background work, written in the same transaction as the change that
    causes it (the outbox). `key` is unique: the same news queued twice is one job."""

    kind = Varchar(length=60)
    key = Varchar(length=200, unique=True)
    payload = JSON(default="{}")
    status = Varchar(length=10, choices=JobStatus, default=JobStatus.waiting, index=True)
    attempts = Integer(default=0)
    run_after = Timestamptz(index=True)
    last_error = Text(default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()
