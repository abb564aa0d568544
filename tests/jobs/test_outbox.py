"""Nothing is lost and nothing waits: buyer e-mails go through the outbox.

The webhook answers without touching the mail server; the e-mail job was written with the
payment; it is retried while the mail server is down and arrives exactly once when it is
back; after every try it shows to the admin, who can try again."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import AsyncIterator

import pytest
from litestar.testing import AsyncTestClient

from clustermarket.jobs.runner import MAX_ATTEMPTS, run_due_jobs
from clustermarket.jobs.tables import Job, JobStatus
from clustermarket.moderation.tables import ModerationLog
from clustermarket.orders.tables import StripeEvent
from clustermarket.timeutil import now
from tests.conftest import make_client, make_user, post_form, sign_in
from tests.market.helpers import open_market
from tests.orders.helpers import (
    check_out,
    fill_basket,
    order_row,
    send_event,
    stripe_and_mail,
)


@pytest.fixture
async def shop(standin, sink) -> AsyncIterator[AsyncTestClient]:
    """The app taking payments and mailing buyers through a mail server that is down."""
    async with make_client(**stripe_and_mail(standin, sink.port)) as client:
        yield client


async def paid_order(client: AsyncTestClient, standin, market, name: str) -> dict:
    """A buyer checks out; returns the order and its completed event (not yet sent)."""
    client.cookies.clear()
    await fill_basket(client, market.day, {market.candle: 1})
    await check_out(client, name, f"{name.split()[0].lower()}@example.org")
    order = await order_row()
    event = standin.event("checkout.session.completed", standin.pay(order["stripe_session_id"]))
    return {"order": order, "event": event}


async def jobs_of(kind: str = "orders.receipt") -> list[dict]:
    return await Job.select().where(Job.kind == kind).order_by(Job.id)


async def test_the_webhook_answers_at_once_and_every_email_arrives_once_after_an_outage(
    shop, standin, sink
) -> None:
    market = await open_market()
    orders = [await paid_order(shop, standin, market, n) for n in ("Jaya Patel", "Tom Reed")]
    sink.hang()  # the mail server accepts connections and never answers
    for order in orders:
        started = time.monotonic()
        response = await send_event(shop, standin, order["event"])
        assert response.status_code == 200
        assert time.monotonic() - started < 2  # the SMTP timeout is 10 s: it was not waited on
        assert (await order_row(order["order"]["id"]))["status"] == "paid"
    assert len(await jobs_of()) == 2  # written with the payments

    sink.stop()  # now down: refused
    at = now()
    for _ in range(2):  # two tries, each due after the back-off of the one before
        assert await run_due_jobs(shop.app.state.settings, at) == 2
        at += dt.timedelta(hours=1)
    jobs = await jobs_of()
    assert [j["status"] for j in jobs] == ["waiting", "waiting"]
    assert all(j["attempts"] == 2 and "refused" in j["last_error"].lower() for j in jobs)
    assert [(await order_row(o["order"]["id"]))["emailed_status"] for o in orders] == ["", ""]

    sink.up()
    for order in orders:  # Stripe delivers again meanwhile: nothing new is queued
        assert (await send_event(shop, standin, order["event"])).status_code == 200
    assert await run_due_jobs(shop.app.state.settings, at) == 2
    assert await run_due_jobs(shop.app.state.settings, at + dt.timedelta(days=1)) == 0
    ids = [o["order"]["id"] for o in orders]
    assert sink.subjects() == [f"Your Cluster Market order {i} is paid" for i in ids]
    assert sorted(m["Message-ID"] for m in sink.messages) == [
        f"<order-{i}-paid@127.0.0.1>" for i in ids
    ]
    assert [j["status"] for j in await jobs_of()] == ["done", "done"]
    assert [(await order_row(i))["emailed_status"] for i in ids] == ["paid", "paid"]


async def test_a_crash_after_the_job_is_written_undoes_the_payment_with_it(
    shop, standin, sink, monkeypatch
) -> None:
    """The job row and the change commit together or not at all: a crash between them
    leaves neither, and Stripe's next delivery does both, once."""
    from clustermarket.orders import mail

    market = await open_market()
    order = await paid_order(shop, standin, market, "Jaya Patel")
    real_enqueue = mail.enqueue

    async def enqueue_then_crash(*args, **kwargs):
        await real_enqueue(*args, **kwargs)
        raise RuntimeError("the process died here")

    monkeypatch.setattr(mail, "enqueue", enqueue_then_crash)
    assert (await send_event(shop, standin, order["event"])).status_code == 500
    assert (await order_row())["status"] == "pending_payment"
    assert await jobs_of() == [] and await StripeEvent.count() == 0

    monkeypatch.setattr(mail, "enqueue", real_enqueue)
    assert (await send_event(shop, standin, order["event"])).status_code == 200
    assert (await order_row())["status"] == "paid" and len(await jobs_of()) == 1
    sink.up()
    await run_due_jobs(shop.app.state.settings)
    assert len(sink.messages) == 1


async def test_a_job_failed_after_every_try_shows_to_the_admin_who_tries_again(
    shop, standin, sink
) -> None:
    market = await open_market()
    order = await paid_order(shop, standin, market, "Jaya Patel")
    await send_event(shop, standin, order["event"])
    at = now()
    for _ in range(MAX_ATTEMPTS + 2):  # the mail server stays down for hours
        await run_due_jobs(shop.app.state.settings, at)
        at += dt.timedelta(hours=2)
    [job] = await jobs_of()
    assert job["status"] == JobStatus.failed and job["attempts"] == MAX_ATTEMPTS
    assert sink.messages == []

    await make_user("admin", role="admin", school=None)
    await sign_in(shop, "admin")
    assert "1 failed" in (await shop.get("/dashboard")).text
    page = (await shop.get("/admin/jobs")).text
    assert "orders.receipt" in page and "refused" in page.lower() and "Try again" in page
    assert "Last backup: none yet" in page

    sink.up()
    response = await post_form(shop, f"/admin/jobs/{job['id']}/retry", {})
    assert response.status_code == 200 and "will be tried again" in response.text
    assert await ModerationLog.exists().where(ModerationLog.action == "job_retried")
    await run_due_jobs(shop.app.state.settings)
    assert [m["Subject"] for m in sink.messages] == [
        f"Your Cluster Market order {order['order']['id']} is paid"
    ]
    assert (await jobs_of())[0]["status"] == JobStatus.done
    assert "None: every job went through" in (await shop.get("/admin/jobs")).text
    # Trying a done job again does nothing
    again = await post_form(shop, f"/admin/jobs/{job['id']}/retry", {})
    assert "is not waiting for a retry" in again.text


async def test_only_the_admin_sees_the_jobs(shop) -> None:
    await make_user("staylor", role="teacher")
    await sign_in(shop, "staylor")
    assert (await shop.get("/admin/jobs")).status_code in (403, 404)


async def test_a_worker_that_dies_mid_job_is_replaced_and_the_email_still_goes_once(
    shop, standin, sink
) -> None:
    """Killed after sending but before recording it: the order says it was e-mailed, so the
    rerun sends nothing. Killed before sending: the job is due again after its lease."""
    from clustermarket.jobs.runner import LEASE, claim
    from clustermarket.orders.tables import Order

    market = await open_market()
    first = await paid_order(shop, standin, market, "Jaya Patel")
    await send_event(shop, standin, first["event"])
    second = await paid_order(shop, standin, market, "Tom Reed")
    await send_event(shop, standin, second["event"])
    sink.up()
    jobs = await jobs_of()
    for job in jobs:  # both claimed by a worker that then died
        assert await claim(job["id"]) is not None
    # The first one's e-mail had gone out and the order was marked; the job was not.
    await Order.update({Order.emailed_status: "paid"}).where(Order.id == first["order"]["id"])
    assert await run_due_jobs(shop.app.state.settings) == 0  # still leased
    later = now() + LEASE + dt.timedelta(seconds=1)
    assert await run_due_jobs(shop.app.state.settings, later) == 2
    assert [m["Subject"] for m in sink.messages] == [
        f"Your Cluster Market order {second['order']['id']} is paid"
    ]
    assert [(j["status"], j["attempts"]) for j in await jobs_of()] == [("done", 2)] * 2
