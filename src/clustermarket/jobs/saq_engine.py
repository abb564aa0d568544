"""Several workers (REDIS_URL set): SAQ, through litestar-saq, with Redis as its broker.

The outbox table stays the one record of what must be done. SAQ carries it out:
- `relay` (a SAQ cron job every 5 seconds, unique across workers) queues this period's
  scheduled jobs and hands every due outbox row to SAQ as `run_outbox_job(job_id=...)`,
  with a SAQ key per row and try, so a row is in SAQ at most once per try;
- `run_outbox_job` claims the row with the same conditional UPDATE as the embedded runner,
  so a job handed over twice (or claimed by an app process too) still runs once.
Retries, backoff and "failed" live in the table (SAQ's own retries are off).
Run the worker with `python -m clustermarket worker`."""

from __future__ import annotations

from typing import Any

from litestar_saq import CronJob, QueueConfig, SAQConfig, SAQPlugin

from clustermarket.jobs.runner import due_job_ids, run_job
from clustermarket.jobs.schedule import queue_scheduled
from clustermarket.settings import Settings, get_settings

QUEUE = "clustermarket"


async def run_outbox_job(ctx: dict[str, Any], *, job_id: int) -> str | None:
    status = await run_job(get_settings(), job_id)
    return status.value if status else None


async def relay(ctx: dict[str, Any]) -> int:
    queue = ctx["queue"]
    await queue_scheduled(set())
    handed = 0
    for job_id in await due_job_ids(limit=200):
        row_try = await _attempts(job_id)
        job = await queue.enqueue(
            "run_outbox_job", job_id=job_id, key=f"outbox-{job_id}-{row_try}", retries=1
        )
        handed += job is not None
    return handed


async def _attempts(job_id: int) -> int:
    from clustermarket.jobs.tables import Job

    row = await Job.select(Job.attempts).where(Job.id == job_id).first()
    return row["attempts"] if row else 0


def saq_config(settings: Settings) -> SAQConfig:
    return SAQConfig(
        use_server_lifespan=False,  # the app processes only serve; `worker` runs the jobs
        web_enabled=False,
        queue_configs=[
            QueueConfig(
                name=QUEUE,
                dsn=settings.redis_url,
                tasks=[run_outbox_job, relay],
                scheduled_tasks=[CronJob(function=relay, cron="* * * * * */5", timeout=300)],
                concurrency=10,
            )
        ],
    )


def saq_plugin(settings: Settings) -> SAQPlugin:
    return SAQPlugin(config=saq_config(settings))


def run_worker(settings: Settings) -> None:
    """Run the SAQ worker in this process until stopped (SIGINT/SIGTERM)."""
    from litestar_saq.cli import run_saq_worker

    from clustermarket.db import close_pool, open_pool
    from piccolo_conf import DB

    plugin = saq_plugin(settings)
    worker = plugin.get_workers()[QUEUE]

    async def startup(_ctx: dict[str, Any]) -> None:
        await open_pool(DB, settings)

    async def shutdown(_ctx: dict[str, Any]) -> None:
        await close_pool(DB)

    worker.startup = [startup]
    worker.shutdown = [shutdown]
    run_saq_worker(worker, None)
