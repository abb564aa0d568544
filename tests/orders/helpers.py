"""Pre-order helpers: a market with stock, a visitor's basket and checkout, signed events."""

from __future__ import annotations

import json
import re
from typing import Any

from litestar.testing import AsyncTestClient

from clustermarket.jobs.runner import run_due_jobs
from clustermarket.orders.tables import Order, OrderLine
from tests.conftest import post_form
from tests.orders.stripe_standin import StripeStandIn

API_KEY = "sk_test_orders_0123456789"
WEBHOOK_SECRET = "whsec_test_orders_0123456789"


def stripe_and_mail(standin: StripeStandIn, smtp_port: int, **more: Any) -> dict[str, Any]:
    """Settings for an app taking Stripe payments (the stand-in) and mailing buyers."""
    return {
        "stripe_secret_key": API_KEY,
        "stripe_webhook_secret": WEBHOOK_SECRET,
        "stripe_api_base": standin.url,
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp_port,
        **more,
    }


async def fill_basket(client: AsyncTestClient, day: int, quantities: dict[int, int | str]):
    await client.get(f"/market-days/{day}/pre-order")
    return await post_form(
        client,
        "/basket",
        {"day_id": str(day), **{f"qty_{p}": str(q) for p, q in quantities.items()}},
        follow_redirects=False,
    )


async def check_out(
    client: AsyncTestClient, name: str = "Jaya Patel", email: str = "jaya@example.org"
):
    return await post_form(
        client, "/basket/checkout", {"name": name, "email": email}, follow_redirects=False
    )


async def order_row(order_id: int | None = None) -> dict[str, Any]:
    query = Order.select()
    if order_id is not None:
        query = query.where(Order.id == order_id)
    return await query.order_by(Order.id, ascending=False).first()


async def lines_of(order_id: int) -> list[dict[str, Any]]:
    return await OrderLine.select().where(OrderLine.order == order_id).order_by(OrderLine.id)


def token_in(location: str) -> str:
    match = re.search(r"/orders/([\w-]+)", location)
    assert match, location
    return match.group(1)


async def send_event(
    client: AsyncTestClient,
    standin: StripeStandIn,
    event: dict[str, Any],
    secret: str = WEBHOOK_SECRET,
    timestamp: int | None = None,
    signature: str | None = None,
):
    """POST an event to the webhook, signed exactly as Stripe signs it (no CSRF token)."""
    payload = json.dumps(event)
    header = signature or standin.sign(payload, secret, timestamp)
    return await client.post(
        "/stripe/webhook",
        content=payload.encode(),
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )


async def run_jobs(client: AsyncTestClient) -> int:
    """What the job runner does a moment later: run every job due, with the app's settings."""
    return await run_due_jobs(client.app.state.settings)
