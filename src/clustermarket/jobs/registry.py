"""Job kinds and their functions: `async def f(settings, payload) -> None`; raising means
"try again later". Imported lazily, so the domains may import `jobs.outbox` freely.

A kind is a short name listed in `job_functions()`, or the function's own path
`"clustermarket.<module>:<function>"` (no listing needed: a new job is one `enqueue` line)."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from typing import Any

from clustermarket.settings import Settings

JobFunction = Callable[[Settings, dict[str, Any]], Awaitable[None]]


def job_functions() -> dict[str, JobFunction]:
    from clustermarket.accounts import leaver_jobs
    from clustermarket.moderation import digest
    from clustermarket.orders import jobs as order_jobs
    from clustermarket.orders import reservations

    return {
        "orders.receipt": order_jobs.send_receipt,
        "orders.confirmation": reservations.send_confirmation,
        "orders.expire_checkouts": order_jobs.expire_checkouts,
        "orders.lapse_reservations": order_jobs.lapse_reservations,
        "accounts.erase_leavers": leaver_jobs.erase_leavers,
        "moderation.queue_digests": digest.queue_digests,
    }


def job_function(kind: str) -> JobFunction | None:
    if ":" in kind and kind.startswith("clustermarket."):
        module, _, name = kind.partition(":")
        try:
            return getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            return None
    return job_functions().get(kind)
