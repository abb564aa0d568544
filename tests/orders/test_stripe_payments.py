"""With Stripe test keys: the app talks through the official SDK to a Stripe-compatible server
on 127.0.0.1, and Stripe's webhook events arrive signed exactly as Stripe signs them."""

import asyncio
import csv
import io
import re
import time

from clustermarket.market.tables import Sale, StallStock
from clustermarket.orders.tables import OrderStatus, StripeEvent
from clustermarket.orders.webhooks import WEBHOOK_PATH
from clustermarket.server import STRIPE_WEBHOOK_PATH
from tests.conftest import post_form, sign_in
from tests.market.helpers import left_of, make_teacher, open_market
from tests.orders.helpers import (
    API_KEY,
    check_out,
    fill_basket,
    order_row,
    send_event,
)


async def place_paid_order(client, standin, market, candles=2, totes=1):
    """A visitor checks out online; returns (order row, the pay page)."""
    await fill_basket(client, market.day, {market.candle: candles, market.tote: totes})
    page = await check_out(client)
    assert page.status_code == 200, page.text
    return await order_row(), page


async def test_a_completed_payment_is_paid_once_and_collected_as_an_online_sale(
    paying_client, standin
) -> None:
    client = paying_client
    market = await open_market(candles=10, totes=5)
    form = await client.get(f"/market-days/{market.day}/pre-order")
    assert "Pay online by card" in form.text and "Reserve now" not in form.text

    order, page = await place_paid_order(client, standin, market)
    assert order["status"] == OrderStatus.pending_payment and order["online"]
    assert await left_of(market.stall, market.candle) == 8  # held while the session is open
    session = standin.sessions[order["stripe_session_id"]]
    # A page with a link to Stripe's checkout (a redirect would break the CSP's form-action).
    assert f'href="{session["url"]}"' in page.text

    # What the SDK sent: line items in pence, the order id, an idempotency key.
    created = standin.requests[0]
    assert created["path"] == "/v1/checkout/sessions"
    assert created["idempotency_key"] == f"order-{order['id']}-checkout"
    params = created["params"]
    assert params["mode"] == "payment" and params["metadata"] == {"order_id": str(order["id"])}
    assert params["client_reference_id"] == str(order["id"])
    assert params["line_items"][0] == {
        "quantity": "2",
        "price_data": {
            "currency": "gbp",
            "unit_amount": "450",
            "product_data": {"name": "Beeswax candle"},
        },
    }
    assert params["success_url"].startswith("http://127.0.0.1:8000/orders/")
    assert int(params["expires_at"]) > time.time() + 29 * 60
    assert session["amount_total"] == 1500

    # Reaching the success page without paying changes nothing.
    token = order["token"]
    early = await client.get(f"/orders/{token}/paid?session_id={session['id']}")
    assert "Waiting for payment." in early.text
    assert (await order_row())["status"] == OrderStatus.pending_payment

    # The buyer pays on Stripe; the success page asks Stripe (server to server) and shows paid.
    paid_session = standin.pay(session["id"])
    back = await client.get(f"/orders/{token}/paid?session_id={session['id']}")
    assert "Paid, thank you." in back.text
    assert (await order_row())["status"] == OrderStatus.paid
    # The webhook then arrives: recorded, nothing more changes.
    response = await send_event(
        client, standin, standin.event("checkout.session.completed", paid_session)
    )
    assert response.status_code == 200 and response.json()["outcome"] == "unchanged"
    row = await order_row()
    assert row["status"] == OrderStatus.paid
    assert row["stripe_payment_intent"] == paid_session["payment_intent"]
    assert await StripeEvent.count() == 1 and await left_of(market.stall, market.candle) == 8

    # At the stall: paid pre-orders show; collecting records online sales at the order's price.
    await sign_in(client, "ameliab")
    stall = await client.get(f"/stalls/{market.stall}")
    assert f"Order {order['id']} · Jaya" in stall.text and "Paid online" in stall.text
    await post_form(
        client, f"/stalls/{market.stall}/pre-orders/{order['id']}/collect", {"method": "cash"}
    )  # a paid order is online whatever is sent
    sales = (
        await Sale.select(Sale.method, Sale.quantity, Sale.amount_pence)
        .where(Sale.stall == market.stall)
        .order_by(Sale.id)
    )
    assert sales == [
        {"method": "online", "quantity": 2, "amount_pence": 900},
        {"method": "online", "quantity": 1, "amount_pence": 600},
    ]
    assert (await order_row())["status"] == OrderStatus.collected
    stall = await client.get(f"/stalls/{market.stall}")
    assert "Online £15.00" in stall.text and "Takings <strong>£15.00</strong>" in stall.text

    # The teacher's reports count them as online sales.
    await make_teacher()
    await sign_in(client, "staylor")
    methods = list(csv.reader(io.StringIO((await client.get("/reports/methods/csv")).text)))
    assert {r[1]: (r[2], r[3]) for r in methods[1:]} == {"online": ("2", "15.00")}


async def test_a_duplicate_delivery_changes_nothing(paying_client, standin) -> None:
    market = await open_market(candles=10)
    order, _ = await place_paid_order(paying_client, standin, market, totes=0)
    event = standin.event("checkout.session.completed", standin.pay(order["stripe_session_id"]))
    first = await send_event(paying_client, standin, event)
    assert first.json()["outcome"] == "paid"
    # Delivered again, and twice more at the same moment.
    again = await asyncio.gather(*[send_event(paying_client, standin, event) for _ in range(3)])
    assert all(r.status_code == 200 and r.json()["outcome"] == "duplicate" for r in again)
    assert await StripeEvent.count() == 1
    assert (await order_row())["status"] == OrderStatus.paid
    assert await left_of(market.stall, market.candle) == 8


async def test_a_bad_signature_is_refused_and_nothing_changes(paying_client, standin) -> None:
    market = await open_market()
    order, _ = await place_paid_order(paying_client, standin, market, totes=0)
    event = standin.event("checkout.session.completed", standin.pay(order["stripe_session_id"]))
    wrong_secret = await send_event(paying_client, standin, event, secret="whsec_not_ours")
    too_old = await send_event(paying_client, standin, event, timestamp=int(time.time()) - 600)
    no_header = await paying_client.post(WEBHOOK_PATH, content=b"{}")
    tampered = standin.sign('{"id": "evt_other"}')
    forged = await send_event(paying_client, standin, event, signature=tampered)
    for response in (wrong_secret, too_old, no_header, forged):
        assert response.status_code == 400
    assert await StripeEvent.count() == 0
    assert (await order_row())["status"] == OrderStatus.pending_payment
    # A little clock skew is fine (Stripe's 5-minute tolerance).
    skewed = await send_event(paying_client, standin, event, timestamp=int(time.time()) - 120)
    assert skewed.status_code == 200 and (await order_row())["status"] == OrderStatus.paid


async def test_an_expired_session_releases_the_stock_once(paying_client, standin) -> None:
    market = await open_market(candles=10, totes=5)
    order, _ = await place_paid_order(paying_client, standin, market)
    assert await left_of(market.stall, market.tote) == 4
    expired = standin.event("checkout.session.expired", standin.expire(order["stripe_session_id"]))
    for _ in range(2):
        assert (await send_event(paying_client, standin, expired)).status_code == 200
    # A second, different expiry event for the same session (Stripe retries with new ids too).
    other = standin.event("checkout.session.expired", expired["data"]["object"])
    await send_event(paying_client, standin, other)
    assert (await order_row())["status"] == OrderStatus.expired
    assert await left_of(market.stall, market.candle) == 10
    assert await left_of(market.stall, market.tote) == 5
    receipt = await paying_client.get(f"/orders/{order['token']}")
    assert "Expired." in receipt.text


async def test_a_payment_after_expiry_holds_the_stock_again_if_it_is_there(
    paying_client, standin
) -> None:
    market = await open_market(candles=10, totes=5)
    order, _ = await place_paid_order(paying_client, standin, market)
    session_id = order["stripe_session_id"]
    completed = standin.event("checkout.session.completed", standin.pay(session_id))
    expired = standin.event(
        "checkout.session.expired", {**completed["data"]["object"], "status": "expired"}
    )
    # Out of order: the expiry arrives first and gives the stock back...
    await send_event(paying_client, standin, expired)
    assert await left_of(market.stall, market.candle) == 10
    # ...then the payment: the stock is held again, once.
    response = await send_event(paying_client, standin, completed)
    assert response.json()["outcome"] == "paid late, stock held again"
    assert (await order_row())["status"] == OrderStatus.paid
    assert await left_of(market.stall, market.candle) == 8
    await send_event(paying_client, standin, completed)
    await send_event(paying_client, standin, expired)
    assert await left_of(market.stall, market.candle) == 8 and not standin.refunds


async def test_a_payment_after_expiry_is_refunded_when_the_stock_is_gone(
    paying_client, standin
) -> None:
    market = await open_market(candles=2, totes=5)
    order, _ = await place_paid_order(paying_client, standin, market, candles=2, totes=0)
    completed = standin.event("checkout.session.completed", standin.pay(order["stripe_session_id"]))
    await send_event(
        paying_client,
        standin,
        standin.event(
            "checkout.session.expired", {**completed["data"]["object"], "status": "expired"}
        ),
    )
    # The two candles are sold at the stall meanwhile.
    await StallStock.update({StallStock.left: 0}).where(StallStock.product == market.candle)
    response = await send_event(paying_client, standin, completed)
    assert response.json()["outcome"] == "paid too late: refunded"
    row = await order_row()
    assert row["status"] == OrderStatus.refunded and row["stripe_refund_id"]
    assert [r["payment_intent"] for r in standin.refunds] == [row["stripe_payment_intent"]]
    assert standin.requests[-1]["idempotency_key"] == f"order-{order['id']}-refund"
    assert await left_of(market.stall, market.candle) == 0  # never below zero
    await send_event(paying_client, standin, completed)
    assert len(standin.refunds) == 1 and await StripeEvent.count() == 2


async def test_a_refund_event_before_the_payment_event_ends_refunded(
    paying_client, standin
) -> None:
    market = await open_market(candles=10)
    order, _ = await place_paid_order(paying_client, standin, market, totes=0)
    session = standin.pay(order["stripe_session_id"])
    refunded = standin.event(
        "charge.refunded", standin.charge_refunded(session["payment_intent"], 900)
    )
    assert (await send_event(paying_client, standin, refunded)).status_code == 200
    assert (await order_row())["status"] == OrderStatus.pending_payment
    await send_event(paying_client, standin, standin.event("checkout.session.completed", session))
    assert (await order_row())["status"] == OrderStatus.refunded
    assert await left_of(market.stall, market.candle) == 10


async def test_a_teacher_refunds_a_paid_order_through_stripe(paying_client, standin) -> None:
    client = paying_client
    market = await open_market(candles=10, totes=5)
    await make_teacher()
    order, _ = await place_paid_order(client, standin, market)
    session = standin.pay(order["stripe_session_id"])
    await send_event(client, standin, standin.event("checkout.session.completed", session))
    assert await left_of(market.stall, market.candle) == 8

    await sign_in(client, "staylor")
    listing = await client.get("/staff/orders")
    assert "Refund £15.00" in listing.text
    done = await post_form(client, f"/staff/orders/{order['id']}/refund", {})
    assert done.status_code == 200 and f"Order {order['id']} is refunded" in done.text
    refund_call = standin.requests[-1]
    assert refund_call["path"] == "/v1/refunds"
    assert refund_call["params"]["payment_intent"] == session["payment_intent"]
    assert refund_call["idempotency_key"] == f"order-{order['id']}-refund"
    row = await order_row()
    assert row["status"] == OrderStatus.refunded and row["stripe_refund_id"]
    assert await left_of(market.stall, market.candle) == 10
    assert await left_of(market.stall, market.tote) == 5

    # Stripe's own events for that refund follow: the stock does not come back twice.
    charge = standin.charge_refunded(session["payment_intent"], 1500, row["stripe_refund_id"])
    for _ in range(2):
        await send_event(client, standin, standin.event("charge.refunded", charge))
    assert await left_of(market.stall, market.candle) == 10
    again = await post_form(client, f"/staff/orders/{order['id']}/refund", {})
    assert again.status_code == 409 and len(standin.refunds) == 1
    receipt = await client.get(f"/orders/{order['token']}")
    assert "Refunded." in receipt.text


async def test_a_refund_made_in_stripe_arrives_as_an_event(paying_client, standin) -> None:
    market = await open_market(candles=10)
    order, _ = await place_paid_order(paying_client, standin, market, totes=0)
    session = standin.pay(order["stripe_session_id"])
    await send_event(paying_client, standin, standin.event("checkout.session.completed", session))
    partial = standin.charge_refunded(session["payment_intent"], 100)
    partial["refunded"] = False
    await send_event(paying_client, standin, standin.event("charge.refunded", partial))
    assert (await order_row())["status"] == OrderStatus.paid  # a partial refund: noted only
    refund = {
        "id": "re_test_dashboard",
        "object": "refund",
        "status": "succeeded",
        "amount": 900,
        "payment_intent": session["payment_intent"],
    }
    await send_event(paying_client, standin, standin.event("refund.created", refund))
    assert (await order_row())["status"] == OrderStatus.refunded
    assert await left_of(market.stall, market.candle) == 10


async def test_the_buyer_cancels_before_paying(paying_client, standin) -> None:
    market = await open_market(candles=10)
    order, _ = await place_paid_order(paying_client, standin, market, totes=0)
    back = await paying_client.get(f"/orders/{order['token']}/unpaid")
    assert "You left the payment page before paying." in back.text
    assert "Go back to the payment" in back.text
    await post_form(paying_client, f"/orders/{order['token']}/cancel", {})
    assert (await order_row())["status"] == OrderStatus.cancelled
    assert standin.sessions[order["stripe_session_id"]]["status"] == "expired"
    assert await left_of(market.stall, market.candle) == 10


async def test_stripe_unreachable_gives_the_stock_back(paying_client, standin) -> None:
    market = await open_market(candles=10)
    standin.api_key = "sk_test_someone_else"  # every call is now refused (401)
    await fill_basket(paying_client, market.day, {market.candle: 2})
    page = await check_out(paying_client)
    assert page.status_code == 503 and "not available just now" in page.text
    assert API_KEY not in page.text
    assert (await order_row())["status"] == OrderStatus.cancelled
    assert await left_of(market.stall, market.candle) == 10


async def test_the_webhook_is_the_only_csrf_exempt_path_and_needs_keys(client) -> None:
    assert WEBHOOK_PATH == STRIPE_WEBHOOK_PATH
    assert (await client.post(WEBHOOK_PATH, content=b"{}")).status_code == 404
    assert re.search("Stripe", (await client.get("/basket")).text) is None


async def test_a_checkout_left_open_without_an_event_is_expired_later(
    paying_client, standin
) -> None:
    import datetime as dt

    from clustermarket.orders.tables import Order

    market = await open_market(candles=10)
    order, _ = await place_paid_order(paying_client, standin, market, totes=0)
    paid_one, _ = await place_paid_order(paying_client, standin, market, totes=0)
    standin.pay(paid_one["stripe_session_id"])  # paid, but its event never came
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    await Order.update({Order.created_at: long_ago}).where(Order.id > 0)
    await paying_client.get(f"/market-days/{market.day}/pre-order")
    assert (await order_row(order["id"]))["status"] == OrderStatus.expired
    assert standin.sessions[order["stripe_session_id"]]["status"] == "expired"
    assert (await order_row(paid_one["id"]))["status"] == OrderStatus.paid
    assert await left_of(market.stall, market.candle) == 8


async def test_a_refund_after_collection_voids_the_online_sales(paying_client, standin) -> None:
    client = paying_client
    market = await open_market(candles=10)
    order, _ = await place_paid_order(client, standin, market, totes=0)
    session = standin.pay(order["stripe_session_id"])
    await send_event(client, standin, standin.event("checkout.session.completed", session))
    await sign_in(client, "ameliab")
    await post_form(client, f"/stalls/{market.stall}/pre-orders/{order['id']}/collect", {})
    assert await Sale.count() == 1
    refund = {
        "id": "re_test_after",
        "object": "refund",
        "status": "succeeded",
        "amount": 900,
        "payment_intent": session["payment_intent"],
    }
    await send_event(client, standin, standin.event("refund.created", refund))
    assert (await order_row())["status"] == OrderStatus.refunded
    assert (await Sale.select(Sale.voided_at).first())["voided_at"] is not None
    assert await left_of(market.stall, market.candle) == 8  # the candles were handed over
    stall = await client.get(f"/stalls/{market.stall}")
    assert "Takings <strong>£0.00</strong>" in stall.text


async def test_paid_and_expired_arriving_together_end_paid_with_the_stock_held_once(
    paying_client, standin
) -> None:
    market = await open_market(candles=30)
    for _ in range(3):
        order, _ = await place_paid_order(paying_client, standin, market, totes=0)
        completed = standin.event(
            "checkout.session.completed", standin.pay(order["stripe_session_id"])
        )
        expired = standin.event(
            "checkout.session.expired", {**completed["data"]["object"], "status": "expired"}
        )
        await asyncio.gather(
            send_event(paying_client, standin, expired),
            send_event(paying_client, standin, completed),
            send_event(paying_client, standin, expired),
        )
        assert (await order_row(order["id"]))["status"] == OrderStatus.paid
    assert await left_of(market.stall, market.candle) == 24 and not standin.refunds


async def test_the_success_page_copes_when_stripe_cannot_be_asked(paying_client, standin) -> None:
    market = await open_market()
    order, _ = await place_paid_order(paying_client, standin, market, totes=0)
    standin.pay(order["stripe_session_id"])
    standin.api_key = "sk_test_changed"  # Stripe now refuses us
    page = await paying_client.get(f"/orders/{order['token']}/paid")
    assert page.status_code == 200 and "reload this page in a minute" in page.text
    assert (await order_row())["status"] == OrderStatus.pending_payment
