"""The in-process runner for the embedded default (no Redis): a small loop in the app's
lifespan that queues scheduled jobs and runs due jobs from the table. Several app processes
may each run it: claims are atomic, so a job still runs once at a time."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from clustermarket.jobs.runner import run_due_jobs
from clustermarket.jobs.schedule import queue_scheduled
from clustermarket.settings import Settings

log = logging.getLogger("clustermarket.jobs")


class EmbeddedRunner:
    def __init__(self, settings: Settings, interval: float = 2.0) -> None:
        self.settings = settings
        self.interval = interval
        self.seen: set[str] = set()
        self.task: asyncio.Task | None = None

    async def tick(self) -> int:
        await queue_scheduled(self.seen)
        return await run_due_jobs(self.settings)

    async def run(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:  # the database busy or down: try again next tick
                log.exception("Job runner tick failed")
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        self.task = asyncio.create_task(self.run(), name="clustermarket-jobs")

    async def stop(self) -> None:
        if self.task:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task


async def run_forever(settings: Settings) -> None:
    """`python -m clustermarket worker` without Redis: this loop alone, in its own process."""
    from clustermarket.db import close_pool, open_pool
    from piccolo_conf import DB

    await open_pool(DB, settings)
    try:
        await EmbeddedRunner(settings).run()
    finally:
        await close_pool(DB)
