"""The staff's side of pre-orders: handing an order over at the stall, and the teachers' and
admin's list of orders with release, refund and cancel. Thin handlers: parse, call a service,
render."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, Request
from litestar.exceptions import HTTPException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from clustermarket.market import services as market
from clustermarket.market.controllers import Form
from clustermarket.market.services import MarketError
from clustermarket.orders import cancelling, collection, reading, reservations
from clustermarket.orders.errors import OrderError
from clustermarket.settings import Settings
from clustermarket.web.auth import requires_signed_in, requires_staff
from clustermarket.web.pagination import page_number
from clustermarket.web.routes import get, post


def _settings(request: Request) -> Settings:
    return request.app.state.settings


@dataclass
class CollectForm:
    method: str = ""


class CollectController(Controller):
    path = "/stalls/{stall_id:int}/pre-orders"
    guards = [requires_signed_in]

    @post("/{order_id:int}/collect")
    async def collect(
        self,
        request: Request,
        stall_id: FromPath[int],
        order_id: FromPath[int],
        data: Annotated[CollectForm, Form],
    ) -> Redirect:
        stall = await market.stall_for_worker(request.user, stall_id)
        try:
            await collection.collect_order(request.user, stall, order_id, data.method)
        except OrderError as error:
            raise HTTPException(status_code=error.status_code, detail=str(error)) from None
        except MarketError as error:
            raise HTTPException(status_code=409, detail=str(error)) from None
        return Redirect(path=f"/stalls/{stall_id}", status_code=303)


class StaffOrderController(Controller):
    """Teachers (their school's orders) and the admin: refund and cancel."""

    path = "/staff/orders"
    guards = [requires_staff]

    async def _page(
        self,
        request: Request,
        message: str = "",
        error: str = "",
        status: int = 200,
        number: int = 1,
    ) -> Template:
        orders = await reading.staff_orders(request.user, number)
        return Template(
            "orders/staff.html",
            status_code=status,
            context={
                "page": orders,
                "orders": orders.items,
                "message": message,
                "error": error,
                "online": _settings(request).stripe_enabled,
            },
        )

    @get("/")
    async def list_orders(self, request: Request, page: FromQuery[str] = "") -> Template:
        if _settings(request).stripe_enabled:
            await cancelling.expire_overdue_checkouts(_settings(request))
        await reservations.lapse_unconfirmed()
        return await self._page(request, number=page_number(page))

    @post("/{order_id:int}/release")
    async def release(self, request: HTMXRequest, order_id: FromPath[int]) -> Template:
        """Give a reservation's stock back; with htmx only the order's row comes back."""
        message, error, status = "", "", 200
        try:
            message = await reservations.release(request.user, order_id)
        except OrderError as refused:
            error, status = str(refused), refused.status_code
        if not request.htmx:
            return await self._page(request, message=message, error=error, status=status)
        return Template(
            "orders/_staff_order.html",
            status_code=status,
            context={
                "orders": [await reading.staff_order(request.user, order_id)],
                "row_message": message,
                "row_error": error,
            },
        )

    @post("/{order_id:int}/refund")
    async def refund(self, request: Request, order_id: FromPath[int]) -> Template:
        try:
            message = await cancelling.refund_order(_settings(request), request.user, order_id)
        except OrderError as error:
            return await self._page(request, error=str(error), status=409)
        return await self._page(request, message=message)

    @post("/{order_id:int}/cancel")
    async def cancel(self, request: Request, order_id: FromPath[int]) -> Template:
        try:
            order = await reading.order_to_act_on(request.user, order_id)
            message = await cancelling.cancel_order(_settings(request), order, request.user)
        except OrderError as error:
            return await self._page(request, error=str(error), status=409)
        return await self._page(request, message=message)


ROUTES = [CollectController, StaffOrderController]
