"""What the admin sees of the queue (waiting, failed) and "try again" for a failed job."""

from __future__ import annotations

from typing import Any

from piccolo.query.functions.aggregate import Count

from clustermarket.accounts.services import CurrentUser, NotFound
from clustermarket.jobs.tables import Job, JobStatus
from clustermarket.moderation.log import log_action
from clustermarket.timeutil import now


async def queue_counts() -> dict[str, int]:
    rows = (
        await Job.select(Job.status, Count(Job.id, alias="n"))
        .where(Job.status.is_in([JobStatus.waiting, JobStatus.running, JobStatus.failed]))
        .group_by(Job.status)
    )
    counts = {
        status.value: 0 for status in (JobStatus.waiting, JobStatus.running, JobStatus.failed)
    }
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


async def failed_jobs(limit: int = 200) -> list[dict[str, Any]]:
    return (
        await Job.select(Job.id, Job.kind, Job.key, Job.attempts, Job.last_error, Job.updated_at)
        .where(Job.status == JobStatus.failed)
        .order_by(Job.updated_at, ascending=False)
        .limit(limit)
    )


async def retry_job(actor: CurrentUser, job_id: int) -> bool:
    """Put a failed job back in the queue for one more try now; False if it is not failed."""
    if not actor.is_admin:
        raise NotFound()
    retried = (
        await Job.update(
            {Job.status: JobStatus.waiting, Job.run_after: now(), Job.updated_at: now()}
        )
        .where((Job.id == job_id) & (Job.status == JobStatus.failed))
        .returning(Job.kind)
    )
    if retried:
        await log_action(
            actor_id=actor.id,
            action="job_retried",
            subject_type="job",
            subject_id=job_id,
            subject_label=retried[0]["kind"],
            school_id=None,
        )
    return bool(retried)
