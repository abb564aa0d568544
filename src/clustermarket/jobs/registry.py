"""Job kinds and their functions: `async def f(settings, payload) -> None`; raising means
"try again later". Imported lazily, so the domains may import `jobs.outbox` freely."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from clustermarket.settings import Settings

JobFunction = Callable[[Settings, dict[str, Any]], Awaitable[None]]


def job_functions() -> dict[str, JobFunction]:
    from clustermarket.orders import jobs as order_jobs

    return {
        "orders.receipt": order_jobs.send_receipt,
        "orders.expire_checkouts": order_jobs.expire_checkouts,
        "orders.lapse_reservations": order_jobs.lapse_reservations,
    }
