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

from litestar_saq import CronJob, QueueConfig, SAQConfig, SAQPlugin, Worker

from clustermarket.jobs.runner import due_jobs, run_job
from clustermarket.jobs.schedule import queue_scheduled
from clustermarket.settings import Settings, get_settings

QUEUE = "clustermarket"


def _settings(ctx: dict[str, Any]) -> Settings:
    return ctx.get("settings") or get_settings()


async def run_outbox_job(ctx: dict[str, Any], *, job_id: int) -> str | None:
    status = await run_job(_settings(ctx), job_id)
    return status.value if status else None


async def relay(ctx: dict[str, Any]) -> int:
    """Queue this period's scheduled jobs, then hand each due row to SAQ once per try."""
    queue = ctx["worker"].queue
    await queue_scheduled(set())
    handed = 0
    for row in await due_jobs(limit=200):
        key = f"outbox-{row['id']}-{row['attempts']}-{int(row['run_after'].timestamp())}"
        job = await queue.enqueue("run_outbox_job", job_id=row["id"], key=key, retries=1)
        handed += job is not None
    return handed


def saq_config(settings: Settings, queue: str = QUEUE) -> SAQConfig:
    return SAQConfig(
        use_server_lifespan=False,  # the app processes only serve; `worker` runs the jobs
        web_enabled=False,
        queue_configs=[
            QueueConfig(
                name=queue,
                dsn=settings.redis_url,
                tasks=[run_outbox_job, relay],
                # A short timeout: a relay lost with a killed worker is swept (and
                # the next one runs) within a minute or two.
                scheduled_tasks=[CronJob(function=relay, cron="* * * * * */5", timeout=30)],
                concurrency=10,
            )
        ],
    )


def saq_worker(settings: Settings, queue: str = QUEUE) -> Worker:
    """The SAQ worker for the outbox, its job functions given these settings."""
    worker = SAQPlugin(config=saq_config(settings, queue)).get_workers()[queue]
    worker.context["settings"] = settings
    return worker


def run_worker(settings: Settings) -> None:
    """Run the SAQ worker in this process until stopped (SIGINT/SIGTERM)."""
    from litestar_saq.cli import run_saq_worker

    from clustermarket.db import close_pool, open_pool
    from piccolo_conf import DB

    worker = saq_worker(settings)

    async def startup(_ctx: dict[str, Any]) -> None:
        await open_pool(DB, settings)

    async def shutdown(_ctx: dict[str, Any]) -> None:
        await close_pool(DB)

    worker.startup = [startup]
    worker.shutdown = [shutdown]
    run_saq_worker(worker, None)
