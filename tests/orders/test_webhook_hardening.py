"""Signed Stripe events of an odd shape, and the same late payment delivered twice at once:
each answered 200, handled at most once, never a 500."""

import asyncio
import json

import pytest

from clustermarket.market.tables import StallStock
from clustermarket.orders import payments
from clustermarket.orders.stripe_events import handle_event
from clustermarket.orders.tables import OrderStatus, StripeEvent
from clustermarket.orders.webhooks import WEBHOOK_PATH
from tests.market.helpers import left_of, open_market
from tests.orders.helpers import WEBHOOK_SECRET, check_out, fill_basket, order_row, send_event


async def _pending_order(client, market):
    await fill_basket(client, market.day, {market.candle: 2})
    assert (await check_out(client)).status_code == 200
    return await order_row()


@pytest.mark.parametrize(
    "data", [[], None, [{"object": {}}], {"object": None}, {"object": []}, {"object": "cs_1"}]
)
async def test_a_signed_event_whose_data_is_not_an_object_changes_nothing(
    paying_client, standin, data
) -> None:
    market = await open_market(candles=10)
    order = await _pending_order(paying_client, market)
    event = standin.event("checkout.session.completed", standin.pay(order["stripe_session_id"]))
    response = await send_event(paying_client, standin, {**event, "data": data})
    assert response.status_code == 200 and response.json()["outcome"] == "ignored"
    assert await StripeEvent.count() == 0
    assert (await order_row())["status"] == OrderStatus.pending_payment
    assert await left_of(market.stall, market.candle) == 8


@pytest.mark.parametrize("body", ["[]", "null", '"evt_1"', "42", "[{}]"])
async def test_a_signed_body_that_is_not_an_event_object_changes_nothing(
    paying_client, standin, body
) -> None:
    response = await paying_client.post(
        WEBHOOK_PATH,
        content=body.encode(),
        headers={"Stripe-Signature": standin.sign(body, WEBHOOK_SECRET)},
    )
    assert response.status_code == 200 and response.json()["outcome"] == "ignored"
    assert await StripeEvent.count() == 0


async def test_odd_nested_shapes_are_recorded_without_acting(paying_client, standin) -> None:
    market = await open_market(candles=10)
    order = await _pending_order(paying_client, market)
    session = {**standin.pay(order["stripe_session_id"]), "metadata": ["x"]}
    session.pop("client_reference_id", None)
    odd = standin.event("checkout.session.completed", session)
    refund = standin.event("charge.refunded", {"refunded": True, "refunds": [1], "id": "ch_1"})
    for event in (odd, refund):
        response = await send_event(paying_client, standin, event)
        assert response.status_code == 200, response.text
    assert (await order_row())["status"] == OrderStatus.pending_payment
    assert json.loads((await send_event(paying_client, standin, odd)).text)["outcome"] == (
        "duplicate"
    )


async def test_the_same_late_payment_delivered_twice_at_once_is_refunded_once(
    paying_client, standin
) -> None:
    market = await open_market(candles=2)
    order = await _pending_order(paying_client, market)
    completed = standin.event("checkout.session.completed", standin.pay(order["stripe_session_id"]))
    expired = {**completed["data"]["object"], "status": "expired"}
    await send_event(paying_client, standin, standin.event("checkout.session.expired", expired))
    # The candles are sold at the stall meanwhile, so the late payment must be refunded.
    await StallStock.update({StallStock.left: 0}).where(StallStock.product == market.candle)
    # Two deliveries handled at the same moment (the service, as two workers would run it).
    settings = paying_client.app.state.settings
    verified = payments.verify_event(
        settings, json.dumps(completed).encode(), standin.sign(json.dumps(completed))
    )
    outcomes = await asyncio.gather(*[handle_event(settings, verified) for _ in range(2)])
    assert sorted(outcomes) == ["duplicate", "paid too late: refunded"]
    # And once more over HTTP afterwards: a plain repeat.
    again = await send_event(paying_client, standin, completed)
    assert again.status_code == 200 and again.json()["outcome"] == "duplicate"
    row = await order_row()
    assert row["status"] == OrderStatus.refunded and row["stripe_refund_id"]
    assert len(standin.refunds) == 1  # Stripe's idempotency key: one refund, however many calls
    assert await StripeEvent.count() == 2  # the expiry and the payment, each once
    assert await left_of(market.stall, market.candle) == 0
