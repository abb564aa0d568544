"""The admin sets, per market day, when pre-orders open and close and the most orders taken."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, Request
from litestar.params import FromPath
from litestar.response import Template

from clustermarket.market import services as market
from clustermarket.orders import windows
from clustermarket.orders.errors import OrderError
from clustermarket.web.auth import requires_admin
from clustermarket.web.clusters import current_cluster
from clustermarket.web.forms import Form
from clustermarket.web.routes import get, post


@dataclass
class WindowForm:
    opens_at: str = ""
    closes_at: str = ""
    max_orders: str = ""
    member_discount: str = ""


class PreOrderWindowController(Controller):
    path = "/admin/market-days/{day_id:int}/pre-orders"
    guards = [requires_admin]

    async def _page(
        self,
        cluster_id: int,
        day_id: int,
        typed: WindowForm | None = None,
        error: str = "",
        message: str = "",
        status: int = 200,
    ) -> Template:
        day = await market.market_day(day_id, cluster_id)  # the request's cluster's day, or 404
        window = await windows.window_of(day_id) or {}
        shown = typed or WindowForm(
            windows.form_value(window.get("opens_at")),
            windows.form_value(window.get("closes_at")),
            str(window["max_orders"]) if window.get("max_orders") else "",
            str(window.get("member_discount_percent") or ""),
        )
        return Template(
            "orders/window.html",
            status_code=status,
            context={
                "day": day,
                "form": shown,
                "window": window,
                "shut": windows.why_shut(window),
                "error": error,
                "message": message,
            },
        )

    @get("/")
    async def show(self, request: Request, day_id: FromPath[int]) -> Template:
        return await self._page(current_cluster(request).id, day_id)

    @post("/")
    async def save(
        self, request: Request, day_id: FromPath[int], data: Annotated[WindowForm, Form]
    ) -> Template:
        cluster_id = current_cluster(request).id
        await market.market_day(day_id, cluster_id)  # 404: not there, or another cluster's
        try:
            await windows.set_window(
                day_id, data.opens_at, data.closes_at, data.max_orders, data.member_discount
            )
        except OrderError as error:
            return await self._page(cluster_id, day_id, data, error=str(error), status=400)
        return await self._page(cluster_id, day_id, message="Saved.")


ROUTES = [PreOrderWindowController]
