"""The admin edits a market day, or removes it or one of its stalls (see day_admin.py)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Controller, Request
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from clustermarket.market import day_admin, services
from clustermarket.market.controllers import Form, MarketDayForm, _parse
from clustermarket.market.services import MarketError
from clustermarket.web.auth import requires_admin
from clustermarket.web.clusters import current_cluster
from clustermarket.web.routes import get, post


class DayAdminController(Controller):
    path = "/admin/market-days/{day_id:int}"
    guards = [requires_admin]

    async def _edit_page(
        self,
        request: Request,
        day_id: int,
        form: MarketDayForm | None = None,
        error: str = "",
        status: int = 200,
    ) -> Template:
        day = await services.market_day(day_id, current_cluster(request).id)
        form = form or MarketDayForm(
            date=day["date"].isoformat(),
            location=day["location"],
            opens=day["opens"].strftime("%H:%M"),
            closes=day["closes"].strftime("%H:%M"),
        )
        return Template(
            "market/admin_day_edit.html",
            context={"day": day, "form": form, "error": error},
            status_code=status,
        )

    @get("/edit")
    async def edit(self, request: Request, day_id: FromPath[int]) -> Template:
        return await self._edit_page(request, day_id)

    @post("/edit")
    async def save(
        self, request: Request, day_id: FromPath[int], data: Annotated[MarketDayForm, Form]
    ) -> Template | Redirect:
        try:
            await day_admin.update_market_day(
                day_id,
                current_cluster(request).id,
                _parse(dt.date, data.date),
                data.location,
                _parse(dt.time, data.opens),
                _parse(dt.time, data.closes),
            )
        except MarketError as error:
            return await self._edit_page(request, day_id, data, str(error), 400)
        return Redirect(path=f"/admin/market-days/{day_id}")

    @post("/remove")
    async def remove(self, request: Request, day_id: FromPath[int]) -> Redirect:
        try:
            await day_admin.remove_market_day(day_id, current_cluster(request).id)
        except MarketError as error:
            flash(request, str(error), "error")
            return Redirect(path=f"/admin/market-days/{day_id}")
        flash(request, "The market day was removed.", "success")
        return Redirect(path="/admin/market-days")

    @post("/stalls/{stall_id:int}/remove")
    async def remove_stall(
        self, request: Request, day_id: FromPath[int], stall_id: FromPath[int]
    ) -> Redirect:
        await services.market_day(day_id, current_cluster(request).id)
        try:
            team = await day_admin.remove_stall(day_id, stall_id)
        except MarketError as error:
            flash(request, str(error), "error")
        else:
            flash(request, f"The stall of {team} was removed.", "success")
        return Redirect(path=f"/admin/market-days/{day_id}")


ROUTES = [DayAdminController]
