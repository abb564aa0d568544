"""Scheduled jobs: each period's run is one outbox row whose key names the period, so any
number of schedulers (app processes, SAQ workers) queue it once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from clustermarket.jobs.outbox import enqueue
from clustermarket.timeutil import UK, now


@dataclass(frozen=True)
class Schedule:
    kind: str
    every: dt.timedelta | None  # None: daily, at `hour` UK time (0: just after midnight)
    hour: int = 0

    def period(self, at: dt.datetime) -> str:
        if self.every is None:
            return at.astimezone(UK).date().isoformat()
        seconds = int(self.every.total_seconds())
        return str(int(at.timestamp()) // seconds * seconds)

    def delay(self, at: dt.datetime) -> dt.timedelta:
        """How long after `at` this period's run is due: a daily job waits for its hour."""
        if self.every is not None or not self.hour:
            return dt.timedelta()
        day = at.astimezone(UK).date()
        due = dt.datetime.combine(day, dt.time(self.hour), tzinfo=UK)
        return max(due - at, dt.timedelta())


SCHEDULES = (
    # A missed `checkout.session.expired` event: settle or expire overdue checkouts.
    Schedule("orders.expire_checkouts", dt.timedelta(minutes=5)),
    # Pay-at-the-stall reservations nobody collected lapse after their market day.
    Schedule("orders.lapse_reservations", None),
    # Leavers past their erase date are erased (accounts/leaver_jobs.py).
    Schedule("accounts.erase_leavers", None),
    # Each opted-in teacher's e-mail of what waits in their queue (moderation/digest.py).
    Schedule("moderation.queue_digests", None, hour=7),
    # SQLite's query planner statistics follow the tables as they grow (db.py).
    Schedule("clustermarket.db:refresh_statistics", None),
)


def period_keys(at: dt.datetime | None = None) -> dict[str, Schedule]:
    at = at or now()
    return {f"schedule:{s.kind}:{s.period(at)}": s for s in SCHEDULES}


async def queue_scheduled(seen: set[str], at: dt.datetime | None = None) -> int:
    """Queue this period's scheduled jobs not queued yet (`seen` spares repeated inserts)."""
    at = at or now()
    added = 0
    for key, schedule in period_keys(at).items():
        if key in seen:
            continue
        payload = {"period": schedule.period(at)}
        added += await enqueue(schedule.kind, payload, key=key, delay=schedule.delay(at))
        seen.add(key)
    return added
