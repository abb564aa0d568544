"""Is the job queue answering? The outbox table, and with REDIS_URL the SAQ queue's Redis."""

from __future__ import annotations

import asyncio

from clustermarket.jobs.tables import Job
from clustermarket.settings import Settings


async def check_queue(settings: Settings, *, database_up: bool, seconds: float) -> None:
    """Raise when the queue cannot take or hand out jobs (the caller names it "queue")."""
    if database_up:  # when the database is down, "database" already says it
        await asyncio.wait_for(Job.select(Job.id).limit(1).run(), seconds)
    if settings.redis_url:
        from redis.asyncio import Redis

        client = Redis.from_url(
            settings.redis_url, socket_connect_timeout=seconds, socket_timeout=seconds
        )
        try:
            await asyncio.wait_for(client.ping(), seconds)
        finally:
            await client.aclose()
