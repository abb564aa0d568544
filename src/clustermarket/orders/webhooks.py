"""Stripe's webhook: verified by signature (exempt from CSRF, nothing else is)."""

from __future__ import annotations

from litestar import Request, Response

from clustermarket.accounts.services import NotFound
from clustermarket.orders import payments, services, stripe_events
from clustermarket.web.routes import post

WEBHOOK_PATH = "/stripe/webhook"


@post(WEBHOOK_PATH, status_code=200)
async def stripe_webhook(request: Request) -> Response:
    settings = request.app.state.settings
    if not settings.stripe_enabled:
        raise NotFound()
    payload = await request.body()
    try:
        event = payments.verify_event(settings, payload, request.headers.get("stripe-signature"))
    except ValueError:
        services.log.warning("Refused a Stripe webhook with a bad signature")
        return Response({"error": "invalid signature"}, status_code=400)
    outcome = await stripe_events.handle_event(settings, event)
    services.log.info("Stripe event %s (%s): %s", event.get("id"), event.get("type"), outcome)
    return Response({"received": True, "outcome": outcome}, status_code=200)


ROUTES = [stripe_webhook]
