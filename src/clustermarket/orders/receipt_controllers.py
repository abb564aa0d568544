"""A buyer's order after checkout: the receipt (paid, unpaid, "add to calendar", cancel) and
confirming a reservation from its e-mailed link. Thin handlers: parse, call a service, render."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template

from clustermarket.accounts.services import NotFound
from clustermarket.orders import cancelling, members, reading, reservations, stripe_events
from clustermarket.orders.addresses import site_address
from clustermarket.orders.calendar import order_calendar
from clustermarket.orders.errors import OrderError
from clustermarket.orders.payments import PaymentError
from clustermarket.settings import Settings
from clustermarket.web.clusters import current_cluster
from clustermarket.web.routes import get, post


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _see_other(path: str) -> Redirect:
    return Redirect(path=path, status_code=303)


def _here(request: Request, order: dict[str, Any]) -> dict[str, Any]:
    """An order's pages answer in its market day's cluster only: elsewhere, not found."""
    if order["cluster_id"] != current_cluster(request).id:
        raise NotFound()
    return order


async def _order_here(request: Request, token: str) -> dict[str, Any]:
    return _here(request, await reading.order_by_token(token))


class ReceiptController(Controller):
    """The buyer's private page: anyone with the link sees the order, nobody else."""

    path = "/orders/{token:str}"

    @get("/")
    async def receipt(self, request: Request, token: FromPath[str]) -> Template:
        order = await _order_here(request, token)
        return Template(
            "orders/receipt.html",
            context={"order": order, **await members.receipt_discount(order)},
        )

    @get("/paid")
    async def paid(self, request: Request, token: FromPath[str]) -> Template:
        """Stripe's success page: paid only if Stripe itself says so (asked from here)."""
        order = await _order_here(request, token)
        error = ""
        if _settings(request).stripe_enabled:
            try:
                order = await stripe_events.confirm_from_stripe(_settings(request), order)
            except PaymentError:  # Stripe's event will still settle it
                error = "We could not check your payment just now: reload this page in a minute."
        return Template(
            "orders/receipt.html",
            context={
                "order": order,
                "error": error,
                "returned": True,
                **await members.receipt_discount(order),
            },
        )

    @get("/calendar.ics")
    async def calendar(self, request: Request, token: FromPath[str]) -> Response[bytes]:
        """ "Add to calendar": when and where to collect the order."""
        order = await _order_here(request, token)
        receipt = f"{site_address(_settings(request), order)}/orders/{token}"
        return Response(
            order_calendar(order, receipt),
            media_type="text/calendar; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="pre-order-{order["id"]}.ics"'},
        )

    @get("/unpaid")
    async def unpaid(self, request: Request, token: FromPath[str]) -> Template:
        order = await _order_here(request, token)
        return Template("orders/receipt.html", context={"order": order, "came_back": True})

    @post("/cancel")
    async def cancel(self, request: Request, token: FromPath[str]) -> Template | Redirect:
        order = await _order_here(request, token)
        try:
            await cancelling.cancel_order(_settings(request), order)
        except OrderError as error:
            return Template(
                "orders/receipt.html",
                status_code=error.status_code,
                context={"order": await _order_here(request, token), "error": str(error)},
            )
        return _see_other(f"/orders/{token}")


class ConfirmController(Controller):
    """The link e-mailed for a reservation: opening it shows the order and a Confirm button
    (a page, so a mail scanner that opens links confirms nothing); confirming holds the stock."""

    path = "/confirm-order/{token:str}"

    @get("/")
    async def show(self, request: Request, token: FromPath[str]) -> Template:
        order = _here(request, await reservations.order_to_confirm(token))
        return Template("orders/receipt.html", context={"order": order, "confirm_token": token})

    @post("/")
    async def confirm(self, request: Request, token: FromPath[str]) -> Template | Redirect:
        order = _here(request, await reservations.order_to_confirm(token))
        try:
            await reservations.confirm(_settings(request), token)
        except OrderError as error:
            return Template(
                "orders/receipt.html",
                status_code=error.status_code,
                context={"order": await reading.order_by_id(order["id"]), "error": str(error)},
            )
        return _see_other(f"/orders/{order['token']}")


ROUTES = [ReceiptController, ConfirmController]
