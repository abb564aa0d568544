"""Market days: the public pages and the admin's. Handlers parse, check, call a service, render."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from clustermarket.market import services
from clustermarket.market.hooks import market_day_closed
from clustermarket.market.services import MarketError
from clustermarket.market.tables import MarketStatus
from clustermarket.rows import parse_row_id
from clustermarket.web.auth import requires_admin
from clustermarket.web.page_cache import PUBLIC_PAGE
from clustermarket.web.pagination import page_number

Form = Body(media_type=RequestEncodingType.URL_ENCODED)


class PublicMarketController(Controller):
    path = "/market-days"

    @get("/", opt=PUBLIC_PAGE)
    async def list_days(self, page: FromQuery[str] = "") -> Template:
        days = await services.market_day_page(page_number(page))
        return Template("market/days.html", context={"page": days, "days": days.items})

    @get("/{day_id:int}", opt=PUBLIC_PAGE)
    async def show_day(self, day_id: FromPath[int], page: FromQuery[str] = "") -> Template:
        return Template(
            "market/day.html", context=await services.public_market_day(day_id, page_number(page))
        )


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

    async def _list(self, form: MarketDayForm, error: str = "", status: int = 200) -> Template:
        return Template(
            "market/admin_days.html",
            context={"days": await services.all_market_days(), "form": form, "error": error},
            status_code=status,
        )

    @get("/")
    async def list_days(self) -> Template:
        return await self._list(MarketDayForm())

    @post("/")
    async def create_day(self, data: Annotated[MarketDayForm, Form]) -> Template | Redirect:
        try:
            day_id = await services.create_market_day(
                _parse(dt.date, data.date),
                data.location,
                _parse(dt.time, data.opens),
                _parse(dt.time, data.closes),
            )
        except MarketError as error:
            return await self._list(data, str(error), 400)
        return Redirect(path=f"/admin/market-days/{day_id}")

    async def _manage(self, day_id: int, error: str = "", status: int = 200) -> Template:
        day = await services.market_day(day_id)
        return Template(
            "market/admin_day.html",
            context={
                "day": day,
                "stalls": await services.stalls_of_day(day_id),
                "teams": await services.enterprise_teams(),
                "next_status": services.NEXT_STATUS.get(MarketStatus(day["status"])),
                "error": error,
            },
            status_code=status,
        )

    @get("/{day_id:int}")
    async def manage_day(self, day_id: FromPath[int]) -> Template:
        return await self._manage(day_id)

    @post("/{day_id:int}/status")
    async def change_status(
        self, day_id: FromPath[int], data: Annotated[StatusForm, Form]
    ) -> Template | Redirect:
        try:
            await services.advance_status(day_id, data.status)
        except MarketError as error:
            return await self._manage(day_id, str(error), 409)
        if data.status == MarketStatus.closed:
            # Uncollected pay-at-the-stall reservations lapse with the market (orders' hook).
            await market_day_closed(day_id)
        return Redirect(path=f"/admin/market-days/{day_id}")

    @post("/{day_id:int}/stalls")
    async def add_stall(
        self, day_id: FromPath[int], data: Annotated[StallForm, Form]
    ) -> Template | Redirect:
        try:
            await services.assign_stall(day_id, _int_or_none(data.team), data.pitch)
        except MarketError as error:
            return await self._manage(day_id, str(error), 400)
        return Redirect(path=f"/admin/market-days/{day_id}")


ROUTES = [PublicMarketController, AdminMarketController]
