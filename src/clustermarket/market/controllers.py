"""Market days: the public pages and the admin's. Handlers parse, check, call a service, render."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from clustermarket.market import services
from clustermarket.market.hooks import market_day_closed
from clustermarket.market.services import MarketError
from clustermarket.market.tables import MarketStatus
from clustermarket.rows import parse_row_id
from clustermarket.web.auth import requires_admin
from clustermarket.web.clusters import current_cluster
from clustermarket.web.page_cache import PUBLIC_PAGE
from clustermarket.web.pagination import Page, page_number
from clustermarket.web.public_data import kept
from clustermarket.web.routes import get, post

Form = Body(media_type=RequestEncodingType.URL_ENCODED)


class PublicMarketController(Controller):
    path = "/market-days"

    @get("/", opt=PUBLIC_PAGE)
    async def list_days(self, request: Request, page: FromQuery[str] = "") -> Template:
        """Signed in, kept between views (`web/public_data.py`)."""
        cluster_id, number = current_cluster(request).id, page_number(page)

        async def shown() -> Page:
            return await services.market_day_page(cluster_id, number)

        days = await kept(request, ("market-days", cluster_id, number), shown)
        return Template("market/days.html", context={"page": days, "days": days.items})

    @get("/{day_id:int}", opt=PUBLIC_PAGE)
    async def show_day(
        self, request: Request, day_id: FromPath[int], page: FromQuery[str] = ""
    ) -> Template:
        cluster_id, number = current_cluster(request).id, page_number(page)

        async def shown() -> dict[str, Any]:
            return await services.public_market_day(day_id, cluster_id, number)

        context = await kept(request, ("market-day", cluster_id, day_id, number), shown)
        return Template("market/day.html", context=dict(context))


@dataclass
class MarketDayForm:
    date: str = ""
    location: str = ""
    opens: str = "09:00"
    closes: str = "13:00"


@dataclass
class StatusForm:
    status: str = ""


@dataclass
class StallForm:
    team: str = ""
    pitch: str = ""


def _parse(kind: Any, raw: str) -> Any:
    try:
        return kind.fromisoformat(raw.strip())
    except ValueError:
        return None


def _int_or_none(raw: str) -> int | None:
    return parse_row_id(raw)


class AdminMarketController(Controller):
    path = "/admin/market-days"
    guards = [requires_admin]

    async def _list(
        self, request: Request, form: MarketDayForm, error: str = "", status: int = 200
    ) -> Template:
        cluster = current_cluster(request)
        days = await services.all_market_days(cluster.id)
        if not form.location:  # the cluster's market place (its settings), else the last day's
            form.location = cluster.market_place or (days[0]["location"] if days else "")
        return Template(
            "market/admin_days.html",
            context={"days": days, "form": form, "error": error},
            status_code=status,
        )

    @get("/")
    async def list_days(self, request: Request) -> Template:
        return await self._list(request, MarketDayForm())

    @post("/")
    async def create_day(
        self, request: Request, data: Annotated[MarketDayForm, Form]
    ) -> Template | Redirect:
        try:
            day_id = await services.create_market_day(
                current_cluster(request).id,
                _parse(dt.date, data.date),
                data.location,
                _parse(dt.time, data.opens),
                _parse(dt.time, data.closes),
            )
        except MarketError as error:
            return await self._list(request, data, str(error), 400)
        return Redirect(path=f"/admin/market-days/{day_id}")

    async def _manage(
        self, request: Request, day_id: int, error: str = "", status: int = 200
    ) -> Template:
        cluster_id = current_cluster(request).id
        day = await services.market_day(day_id, cluster_id)
        return Template(
            "market/admin_day.html",
            context={
                "day": day,
                "stalls": await services.stalls_of_day(day_id),
                "teams": await services.enterprise_teams(cluster_id),
                "next_status": services.NEXT_STATUS.get(MarketStatus(day["status"])),
                "error": error,
            },
            status_code=status,
        )

    @get("/{day_id:int}")
    async def manage_day(self, request: Request, day_id: FromPath[int]) -> Template:
        return await self._manage(request, day_id)

    @post("/{day_id:int}/status")
    async def change_status(
        self, request: Request, day_id: FromPath[int], data: Annotated[StatusForm, Form]
    ) -> Template | Redirect:
        try:
            await services.advance_status(day_id, data.status, current_cluster(request).id)
        except MarketError as error:
            return await self._manage(request, day_id, str(error), 409)
        if data.status == MarketStatus.closed:
            # Uncollected pay-at-the-stall reservations lapse with the market (orders' hook).
            await market_day_closed(day_id)
        return Redirect(path=f"/admin/market-days/{day_id}")

    @post("/{day_id:int}/stalls")
    async def add_stall(
        self, request: Request, day_id: FromPath[int], data: Annotated[StallForm, Form]
    ) -> Template | Redirect:
        cluster_id = current_cluster(request).id
        try:
            await services.assign_stall(day_id, _int_or_none(data.team), data.pitch, cluster_id)
        except MarketError as error:
            return await self._manage(request, day_id, str(error), 400)
        return Redirect(path=f"/admin/market-days/{day_id}")


ROUTES = [PublicMarketController, AdminMarketController]
