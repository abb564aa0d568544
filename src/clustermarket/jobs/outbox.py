"""The outbox: `enqueue` writes a job row in the caller's open transaction.

Use it inside the write transaction of the change the job reports, so the job is committed
with the change or not at all (a crash between them cannot lose it or send it twice):

    async with write_transaction():
        ...the change...
        await enqueue("orders.receipt", {"order_id": 7, "status": "paid"}, key="receipt-7-paid")

- `kind` names the job function, `async def f(settings, payload) -> None`: a short name
  listed in `jobs/registry.py`, or its path, e.g. `"clustermarket.orders.jobs:send_receipt"`
  (then nothing else to register). `payload` is JSON-able: ids, not rows.
- `key` is unique across all jobs: queueing the same news twice (a repeated webhook, a double
  click) is one job. Give the key the facts that make the news, e.g. order id and status.
- `delay` puts the first run off. The job runs at least once (retried with backoff, then
  shown to the admin as failed); the job function makes its effect happen once (e.g. an
  e-mail with a stable Message-ID, marked sent only after sending).
Outside a transaction, `enqueue` commits the row on its own.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from clustermarket.jobs.tables import Job, JobStatus
from clustermarket.timeutil import now


async def enqueue(
    kind: str, payload: dict[str, Any], *, key: str, delay: dt.timedelta | None = None
) -> bool:
    """Queue a job; False when a job with this key exists already (nothing is added)."""
    at = now()
    added = (
        await Job.insert(
            Job(
                kind=kind,
                key=key[:200],
                payload=payload,
                status=JobStatus.waiting,
                attempts=0,
                run_after=at + (delay or dt.timedelta()),
                last_error="",
                created_at=at,
                updated_at=at,
            )
        )
        .on_conflict(target=Job.key, action="DO NOTHING")
        .returning(Job.id)
    )
    return bool(added)
