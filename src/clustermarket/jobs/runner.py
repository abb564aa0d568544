"""Running jobs from the table: claim one atomically, run it, then done / retry / failed.

A claim is one conditional UPDATE (status and due time still as seen), so two workers never
run one job. A claimed job's `run_after` becomes its lease end: if its worker dies, the job is
due again after `LEASE` and another worker takes it (at least once). Retries back off along
`BACKOFF`; after `MAX_ATTEMPTS` tries the job is `failed` and waits for the admin."""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from typing import Any

from clustermarket.jobs.registry import job_function
from clustermarket.jobs.tables import Job, JobStatus
from clustermarket.settings import Settings
from clustermarket.timeutil import now
from clustermarket.web.content_version import content_changed

log = logging.getLogger("clustermarket.jobs")

MAX_ATTEMPTS = 5
# Waits after the 1st..4th failed try: 2 + 10 + 30 + 75 minutes, about two hours in all.
BACKOFF = [dt.timedelta(minutes=m) for m in (2, 10, 30, 75)]
LEASE = dt.timedelta(minutes=10)
_CLAIMABLE = (JobStatus.waiting, JobStatus.running)


def backoff(attempts: int) -> dt.timedelta:
    return BACKOFF[min(attempts, len(BACKOFF)) - 1]


async def due_jobs(at: dt.datetime | None = None, limit: int = 20) -> list[dict[str, Any]]:
    return (
        await Job.select(Job.id, Job.attempts, Job.run_after)
        .where(Job.status.is_in(list(_CLAIMABLE)) & (Job.run_after <= (at or now())))
        .order_by(Job.run_after)
        .order_by(Job.id)
        .limit(limit)
    )


async def claim(job_id: int, at: dt.datetime | None = None) -> dict[str, Any] | None:
    """Take the job if it is still due; None when another worker has it (or it is done)."""
    at = at or now()
    claimed = (
        await Job.update(
            {
                Job.status: JobStatus.running,
                Job.attempts: Job.attempts + 1,
                Job.run_after: at + LEASE,
                Job.updated_at: now(),
            }
        )
        .where((Job.id == job_id) & Job.status.is_in(list(_CLAIMABLE)) & (Job.run_after <= at))
        .returning(Job.id, Job.kind, Job.payload, Job.attempts)
    )
    return claimed[0] if claimed else None


def _payload(raw: Any) -> dict[str, Any]:
    import json

    return json.loads(raw) if isinstance(raw, str) else dict(raw or {})


async def run_claimed(settings: Settings, job: dict[str, Any], at: dt.datetime | None = None):
    """Run a claimed job and record how it went; returns its new status."""
    function = job_function(job["kind"])
    try:
        if function is None:
            raise LookupError(f"No job function for {job['kind']!r}")
        await function(settings, _payload(job["payload"]))
    except Exception as error:  # any failure is recorded and retried, never lost
        error_text = "".join(traceback.format_exception_only(error)).strip()[:2000]
        failed = job["attempts"] >= MAX_ATTEMPTS
        status = JobStatus.failed if failed else JobStatus.waiting
        await Job.update(
            {
                Job.status: status,
                Job.run_after: (at or now()) + backoff(job["attempts"]),
                Job.last_error: error_text,
                Job.updated_at: now(),
            }
        ).where((Job.id == job["id"]) & (Job.status == JobStatus.running))
        level = logging.ERROR if failed else logging.WARNING
        log.log(
            level, "Job %s (%s) try %s: %s", job["id"], job["kind"], job["attempts"], error_text
        )
        return status
    await Job.update({Job.status: JobStatus.done, Job.last_error: "", Job.updated_at: now()}).where(
        Job.id == job["id"]
    )
    await content_changed()  # a job may change what the public sees (stock given back)
    return JobStatus.done


async def run_job(settings: Settings, job_id: int, at: dt.datetime | None = None):
    """Claim and run one job by id (the SAQ task); None when it was not ours to run."""
    job = await claim(job_id, at)
    return await run_claimed(settings, job, at) if job else None


async def run_due_jobs(settings: Settings, at: dt.datetime | None = None) -> int:
    """Run every job due now (or at `at`); returns how many this call ran."""
    ran = 0
    while due := await due_jobs(at):
        progressed = False
        for row in due:
            if await run_job(settings, row["id"], at) is not None:
                ran += 1
                progressed = True
        if not progressed:
            break
    return ran
