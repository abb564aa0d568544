"""The one place that talks to Stripe, through the official SDK.

Keys come only from the settings (the environment) and are never logged. `STRIPE_API_BASE`
points the SDK at a Stripe-compatible server (the tests' local stand-in)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import stripe

from clustermarket.orders.addresses import site_address
from clustermarket.settings import Settings

log = logging.getLogger("clustermarket.payments")

CHECKOUT_MINUTES = 30  # Stripe's shortest session life: stock is held no longer than this


class PaymentError(Exception):
    """Stripe could not be reached or refused; the message is for the user."""


@asynccontextmanager
async def stripe_api(settings: Settings) -> AsyncIterator[Any]:
    """The SDK's v1 services on an async HTTP client that is closed after use."""
    if not settings.stripe_secret_key:
        raise PaymentError("Online payment is not set up.")
    options: dict[str, Any] = {}
    if settings.stripe_api_base:
        options["base_addresses"] = {"api": settings.stripe_api_base}
    http = stripe.HTTPXClient(timeout=20)
    client = stripe.StripeClient(
        settings.stripe_secret_key, http_client=http, max_network_retries=1, **options
    )
    try:
        yield client.v1
    finally:
        await http.close_async()


def _as_dict(obj: Any) -> dict[str, Any]:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def _failed(what: str, error: stripe.StripeError) -> PaymentError:
    # Only the class and Stripe's request id: never the key or the card details.
    log.warning(
        "Stripe %s failed: %s (request %s)",
        what,
        type(error).__name__,
        getattr(error, "request_id", None),
    )
    return PaymentError("Online payment is not available just now. Please try again later.")


async def create_checkout_session(
    settings: Settings, order: dict[str, Any], lines: list[dict[str, Any]]
) -> dict[str, Any]:
    """A Checkout Session for the order; the same order always gets the same session."""
    base = site_address(settings, order)  # back to the order's own cluster
    params: dict[str, Any] = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": line["quantity"],
                "price_data": {
                    "currency": "gbp",
                    "unit_amount": line["unit_price_pence"],
                    "product_data": {"name": line["product_name"]},
                },
            }
            for line in lines
        ],
        "customer_email": order["buyer_email"],
        "client_reference_id": str(order["id"]),
        "metadata": {"order_id": str(order["id"])},
        "payment_intent_data": {"metadata": {"order_id": str(order["id"])}},
        "success_url": f"{base}/orders/{order['token']}/paid?session_id={{CHECKOUT_SESSION_ID}}",
        "cancel_url": f"{base}/orders/{order['token']}/unpaid",
        "expires_at": int(
            (
                dt.datetime.now(dt.UTC) + dt.timedelta(minutes=CHECKOUT_MINUTES, seconds=30)
            ).timestamp()
        ),
    }
    return await _call(
        settings,
        "checkout session create",
        lambda api: api.checkout.sessions.create_async(
            params=params, options={"idempotency_key": f"order-{order['id']}-checkout"}
        ),
    )


async def _call(
    settings: Settings,
    what: str,
    call: Callable[[Any], Awaitable[Any]],
    let_through: tuple[type[stripe.StripeError], ...] = (),
) -> dict[str, Any]:
    """One SDK call on a fresh client; Stripe's errors become a PaymentError for the user."""
    try:
        async with stripe_api(settings) as api:
            return _as_dict(await call(api))
    except let_through:
        raise
    except stripe.StripeError as error:
        raise _failed(what, error) from None


async def retrieve_checkout_session(settings: Settings, session_id: str) -> dict[str, Any]:
    return await _call(
        settings,
        "checkout session retrieve",
        lambda api: api.checkout.sessions.retrieve_async(session_id),
    )


async def expire_checkout_session(settings: Settings, session_id: str) -> dict[str, Any]:
    """Close an open session so it can no longer be paid; the answer says how it ended."""
    try:
        return await _call(
            settings,
            "checkout session expire",
            lambda api: api.checkout.sessions.expire_async(session_id),
            let_through=(stripe.InvalidRequestError,),
        )
    except stripe.InvalidRequestError:
        # Already expired or completed: Stripe refuses; look at how it really ended.
        return await retrieve_checkout_session(settings, session_id)


async def refund_payment(settings: Settings, order_id: int, payment_intent: str) -> dict[str, Any]:
    return await _call(
        settings,
        "refund",
        lambda api: api.refunds.create_async(
            params={"payment_intent": payment_intent, "metadata": {"order_id": str(order_id)}},
            options={"idempotency_key": f"order-{order_id}-refund"},
        ),
    )


def verify_event(settings: Settings, payload: bytes, signature: str | None) -> dict[str, Any]:
    """The event if Stripe signed it with our endpoint secret (5 minutes' clock skew allowed);
    ValueError otherwise."""
    try:
        text = payload.decode("utf-8")
        stripe.WebhookSignature.verify_header(
            text, signature, settings.stripe_webhook_secret, tolerance=300
        )
        body = json.loads(text)
    except (stripe.SignatureVerificationError, ValueError, UnicodeDecodeError) as error:
        raise ValueError("bad signature or payload") from error
    if not isinstance(body, dict):
        return {}  # signed but not an event object: nothing to act on (handled as "ignored")
    return _as_dict(stripe.Event.construct_from(body, stripe.api_key))
