"""Buyers get an e-mail with their private link when an order is reserved, paid or refunded:
once per status, through the configured SMTP server (a local one here), sent by the
background job queued with the change (`run_jobs` plays the job runner)."""

import re
from collections.abc import AsyncIterator, Iterator

import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import make_client, post_form, sign_in
from tests.market.helpers import make_teacher, open_market
from tests.orders.helpers import (
    API_KEY,
    WEBHOOK_SECRET,
    check_out,
    fill_basket,
    order_row,
    run_jobs,
    send_event,
    stripe_and_mail,
)
from tests.orders.smtp_sink import SmtpSink


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    server = SmtpSink()
    yield server
    server.stop()


@pytest.fixture
async def mailing_client(sink, standin) -> AsyncIterator[AsyncTestClient]:
    async with make_client(
        **stripe_and_mail(standin, sink.port, mail_from="Cluster Market <market@example.org>")
    ) as client:
        yield client


async def test_no_smtp_server_no_email_and_the_order_still_works(client, sink) -> None:
    market = await open_market()
    await fill_basket(client, market.day, {market.candle: 1})
    assert (await check_out(client)).status_code == 303
    await run_jobs(client)
    assert sink.messages == []


async def test_a_reservation_is_emailed_with_the_private_link(sink) -> None:
    market = await open_market()
    async with make_client(smtp_host="127.0.0.1", smtp_port=sink.port) as client:
        await fill_basket(client, market.day, {market.candle: 2})
        await check_out(client, "Jaya Patel", "jaya@example.org")
        assert sink.messages == []  # the checkout did not wait for the mail server
        await run_jobs(client)
        [ask] = sink.messages  # first the buyer confirms (tests/orders/test_hoarding.py)
        link = re.search(r"/confirm-order/[\w-]+", ask.get_payload(decode=True).decode())
        await client.get(link.group(0))
        await post_form(client, link.group(0), {})
        await run_jobs(client)
    order = await order_row()
    [_, message] = sink.messages
    assert message["To"] == "jaya@example.org"
    assert message["Subject"] == f"Your Cluster Market order {order['id']} is reserved"
    body = message.get_payload(decode=True).decode()
    assert f"/orders/{order['token']}" in body and "2 x Beeswax candle" in body
    assert "Total £9.00" in body
    assert message["Message-ID"] == f"<order-{order['id']}-reserved@127.0.0.1>"
    assert order["emailed_status"] == "reserved"


async def test_paid_and_refunded_are_emailed_once_each(mailing_client, standin, sink) -> None:
    client = mailing_client
    market = await open_market()
    await make_teacher()
    await fill_basket(client, market.day, {market.candle: 1})
    await check_out(client)
    order = await order_row()
    await run_jobs(client)
    assert sink.messages == []  # not yet paid: nothing to say
    event = standin.event("checkout.session.completed", standin.pay(order["stripe_session_id"]))
    for _ in range(3):
        await send_event(client, standin, event)
    await client.get(f"/orders/{order['token']}/paid")
    await run_jobs(client)
    await run_jobs(client)
    assert [m["Subject"] for m in sink.messages] == [
        f"Your Cluster Market order {order['id']} is paid"
    ]
    await sign_in(client, "staylor")
    await post_form(client, f"/staff/orders/{order['id']}/refund", {})
    await run_jobs(client)
    assert sink.messages[-1]["Subject"].endswith("is refunded") and len(sink.messages) == 2


async def test_a_mail_server_that_is_down_does_not_undo_a_payment(standin) -> None:
    market = await open_market()
    async with make_client(
        stripe_secret_key=API_KEY,
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_api_base=standin.url,
        smtp_host="127.0.0.1",
        smtp_port=1,
    ) as client:
        await fill_basket(client, market.day, {market.candle: 1})
        await check_out(client)
        order = await order_row()
        event = standin.event("checkout.session.completed", standin.pay(order["stripe_session_id"]))
        assert (await send_event(client, standin, event)).status_code == 200
    assert (await order_row())["status"] == "paid"
