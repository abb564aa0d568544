"""Scheduled jobs run with no page opened: overdue checkouts expire every few minutes and
uncollected reservations lapse after their market day, from the app's own job loop."""

from __future__ import annotations

import asyncio
import datetime as dt

from clustermarket.jobs.runner import run_due_jobs
from clustermarket.jobs.schedule import Schedule, queue_scheduled
from clustermarket.jobs.tables import Job, JobStatus
from clustermarket.market.tables import MarketDay, StallStock
from clustermarket.orders.tables import Order
from clustermarket.timeutil import UK, now, today_uk
from tests.conftest import make_client
from tests.market.helpers import left_of, open_market
from tests.orders.helpers import API_KEY, WEBHOOK_SECRET, check_out, fill_basket, order_row


async def test_each_period_is_queued_once_whatever_the_number_of_schedulers() -> None:
    at = now()
    first, second = set(), set()
    # every 5 minutes: checkouts; nightly: lapses, erasure, SQLite statistics; daily: digests
    assert await queue_scheduled(first, at) == 5
    assert await queue_scheduled(second, at) == 0  # another process, same period
    assert await queue_scheduled(first, at + dt.timedelta(minutes=5)) == 1  # next 5 minutes
    assert await queue_scheduled(set(), at + dt.timedelta(days=1)) == 5  # a new night too
    assert await Job.count().where(Job.kind == "orders.lapse_reservations") == 2


def test_a_daily_job_with_an_hour_waits_for_it_in_uk_time() -> None:
    digest = Schedule("moderation.queue_digests", None, hour=7)
    early = dt.datetime(2026, 7, 1, 5, 30, tzinfo=UK)  # summer time: 04:30 UTC
    assert digest.delay(early) == dt.timedelta(hours=1, minutes=30)
    assert digest.delay(early.astimezone(dt.UTC)) == dt.timedelta(hours=1, minutes=30)
    assert digest.delay(dt.datetime(2026, 12, 1, 9, 0, tzinfo=UK)) == dt.timedelta()
    assert Schedule("accounts.erase_leavers", None).delay(early) == dt.timedelta()
    assert digest.period(early) == "2026-07-01"


async def test_reservations_lapse_after_their_market_day_with_no_page_opened(client) -> None:
    market = await open_market(candles=10)
    await fill_basket(client, market.day, {market.candle: 3})
    await check_out(client)
    assert (await order_row())["status"] == "reserved"
    assert await left_of(market.stall, market.candle) == 7
    # The market was yesterday; nobody came for the candles, nobody opens a page.
    await MarketDay.update({MarketDay.date: today_uk() - dt.timedelta(days=1)}).where(
        MarketDay.id == market.day
    )
    lapses = Job.select(Job.status).where(Job.kind == "orders.lapse_reservations")
    async with make_client(jobs_in_app=True):  # the app runs; its job loop does the rest
        for _ in range(50):
            # The job is marked done after its work has committed: wait for both.
            lapse = await lapses.first()
            if (await order_row())["status"] == "expired" and lapse and lapse["status"] == "done":
                break
            await asyncio.sleep(0.2)
    assert (await order_row())["status"] == "expired"
    assert await left_of(market.stall, market.candle) == 10
    assert (await lapses.first())["status"] == JobStatus.done


async def test_a_reservation_for_today_does_not_lapse(client, settings) -> None:
    market = await open_market()
    await fill_basket(client, market.day, {market.candle: 1})
    await check_out(client)
    await queue_scheduled(set())
    await run_due_jobs(settings)
    assert (await order_row())["status"] == "reserved"


async def test_an_overdue_checkout_expires_without_anyone_opening_a_page(standin) -> None:
    market = await open_market(candles=5)
    async with make_client(
        stripe_secret_key=API_KEY, stripe_webhook_secret=WEBHOOK_SECRET, stripe_api_base=standin.url
    ) as client:
        await fill_basket(client, market.day, {market.candle: 2})
        await check_out(client)
        settings = client.app.state.settings
    order = await order_row()
    assert order["status"] == "pending_payment" and await left_of(market.stall, market.candle) == 3
    # The expiry event never came; 40 minutes later the scheduled job checks with Stripe.
    await Order.update({Order.created_at: now() - dt.timedelta(minutes=40)}).where(
        Order.id == order["id"]
    )
    await queue_scheduled(set())
    await run_due_jobs(settings)
    assert (await order_row())["status"] == "expired"
    stock = await StallStock.select(StallStock.left).where(StallStock.stall == market.stall)
    assert sum(row["left"] for row in stock) == 3 + 2 + 5  # candles back, totes untouched


async def test_two_runners_at_once_run_each_job_once(settings) -> None:
    from clustermarket.jobs.outbox import enqueue

    for n in range(6):
        await enqueue("orders.lapse_reservations", {}, key=f"race-{n}")
    ran = await asyncio.gather(run_due_jobs(settings), run_due_jobs(settings))
    assert sum(ran) == 6
    rows = await Job.select(Job.status, Job.attempts).where(Job.key.like("race-%"))
    assert {(r["status"], r["attempts"]) for r in rows} == {("done", 1)}


async def test_a_job_named_by_its_function_path_runs_and_an_unknown_one_fails(settings) -> None:
    from clustermarket.jobs.outbox import enqueue

    await enqueue("clustermarket.orders.jobs:lapse_reservations", {}, key="by-path")
    await enqueue("clustermarket.orders.jobs:no_such_job", {}, key="unknown")
    await run_due_jobs(settings)
    rows = {r["key"]: r for r in await Job.select().where(Job.key.is_in(["by-path", "unknown"]))}
    assert rows["by-path"]["status"] == JobStatus.done
    assert rows["unknown"]["status"] == JobStatus.waiting
    assert "No job function" in rows["unknown"]["last_error"]
