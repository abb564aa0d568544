"""The stall race and the webhook replays, in the audit: 50 phones' taps at once on the
last 5 units sell exactly 5; each Stripe event delivered many times, in every order, is
handled once. (tests/market/test_race.py and tests/orders/ hold the detailed cases.)"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import Counter

import pytest

from clustermarket.market.tables import Sale
from clustermarket.orders.tables import OrderStatus, StripeEvent
from tests.audit.counts import COUNTS
from tests.conftest import csrf_token, make_client, sign_in
from tests.market.helpers import left_of, new_sale_id, open_market
from tests.orders.conftest import paying_client, standin  # noqa: F401 (fixtures)
from tests.orders.helpers import order_row, send_event
from tests.orders.test_stripe_payments import place_paid_order

PHONES = ("ameliab", "oliverg", "isla")


async def test_fifty_concurrent_taps_on_five_units_sell_exactly_five() -> None:
    market = await open_market(candles=5, members=PHONES)
    phones = [make_client() for _ in PHONES]
    for phone, name in zip(phones, PHONES, strict=True):
        await phone.__aenter__()
        await sign_in(phone, name)

    async def tap(phone):
        return await phone.post(
            f"/stalls/{market.stall}/sales",
            data={
                "sale_id": new_sale_id(),
                "product_id": str(market.candle),
                "quantity": "1",
                "method": "cash",
                "_csrf_token": csrf_token(phone),
            },
            headers={"HX-Request": "true"},
        )

    try:
        answers = await asyncio.gather(*[tap(phones[i % len(phones)]) for i in range(50)])
    finally:
        for phone in phones:
            await phone.__aexit__(None, None, None)
    COUNTS["race"] += len(answers)
    assert Counter(a.status_code for a in answers) == {200: 5, 409: 45}
    assert await Sale.count() == 5
    assert await left_of(market.stall, market.candle) == 0


EVENTS = ("checkout.session.completed", "checkout.session.expired", "charge.refunded")


async def test_every_order_of_paid_expired_and_refunded_events_is_handled_once(
    paying_client,  # noqa: F811
    standin,  # noqa: F811
) -> None:
    market = await open_market(candles=30)
    for order_of_events in itertools.permutations(EVENTS):
        order, _ = await place_paid_order(paying_client, standin, market, totes=0)
        session = standin.pay(order["stripe_session_id"])
        made = {
            "checkout.session.completed": standin.event("checkout.session.completed", session),
            "checkout.session.expired": standin.event(
                "checkout.session.expired", {**session, "status": "expired"}
            ),
            "charge.refunded": standin.event(
                "charge.refunded", standin.charge_refunded(session["payment_intent"], 900)
            ),
        }
        events = [made[kind] for kind in order_of_events]
        recorded = await StripeEvent.count()
        for event in events:  # in this order, each delivered twice
            for _ in range(2):
                answer = await send_event(paying_client, standin, event)
                assert answer.status_code == 200, (order_of_events, answer.text)
        # ...and all of them once more at the same moment.
        again = await asyncio.gather(*[send_event(paying_client, standin, e) for e in events])
        COUNTS["webhook"] += 2 * len(events) + len(again)
        assert all(a.status_code == 200 and a.json()["outcome"] == "duplicate" for a in again)
        assert await StripeEvent.count() == recorded + 3, order_of_events
        # The money went back in Stripe: the order ends refunded (or expired, when the
        # refund overtook a payment that arrived after the expiry), never paid or holding.
        status = (await order_row(order["id"]))["status"]
        assert status in (OrderStatus.refunded, OrderStatus.expired), (order_of_events, status)
    # Every order was refunded in the end: all the candles are back, none refunded twice.
    assert await left_of(market.stall, market.candle) == 30
    assert not standin.refunds


async def test_a_late_payment_delivered_twice_at_once_is_handled_once(
    paying_client,  # noqa: F811
    standin,  # noqa: F811
) -> None:
    market = await open_market(candles=10)
    order, _ = await place_paid_order(paying_client, standin, market, totes=0)
    session = standin.pay(order["stripe_session_id"])
    await send_event(paying_client, standin, standin.event("checkout.session.expired", {**session}))
    completed = [standin.event("checkout.session.completed", session) for _ in range(2)]
    answers = await asyncio.gather(*[send_event(paying_client, standin, e) for e in completed])
    COUNTS["webhook"] += 3
    assert [a.status_code for a in answers] == [200, 200]
    assert await left_of(market.stall, market.candle) == 8


@pytest.mark.parametrize("data", [[], None])
async def test_a_signed_event_with_odd_data_changes_nothing(
    paying_client,  # noqa: F811
    standin,  # noqa: F811
    data,
) -> None:
    event = {"id": "evt_odd", "type": "checkout.session.completed", "data": data}
    payload = json.dumps(event)
    answer = await paying_client.post(
        "/stripe/webhook",
        content=payload.encode(),
        headers={"Stripe-Signature": standin.sign(payload), "Content-Type": "application/json"},
    )
    COUNTS["webhook"] += 1
    assert answer.status_code == 200
    assert answer.json()["outcome"] in ("recorded", "ignored")
