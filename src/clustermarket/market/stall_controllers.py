"""The stall screen and a team's market page (stalls, expenses, profit and loss).

Every handler first finds the stall or team through the one rule for who may work for a team;
anyone else gets a 404. htmx requests get the panel fragment, plain posts the whole page; an
htmx sale tap gets only the parts of the panel a tap changes (market/_stall_tap.html)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import asyncpg
from litestar import Controller, MediaType, Request
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from clustermarket.accounts.services import NotFound
from clustermarket.market import finances, sales, services, takings, tap
from clustermarket.market import panel as stall_panel  # the reads below are named `panel`
from clustermarket.market import stock as stall_stock  # the handlers below are named `stock`
from clustermarket.market.controllers import Form
from clustermarket.market.hooks import hooks
from clustermarket.market.services import MarketError
from clustermarket.market.team_page import team_days_and_stalls
from clustermarket.reports import periods
from clustermarket.reports.charts import bar_chart
from clustermarket.timeutil import today_uk
from clustermarket.web.auth import CHECKS_USER_ITSELF, requires_signed_in
from clustermarket.web.routes import get, post


@dataclass
class SaleForm:
    sale_id: str = ""
    product_id: str = ""
    quantity: str = "1"
    method: str = ""


@dataclass
class AmountForm:
    amount: str = ""


def _whole(raw: str, what: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise MarketError(f"{what} must be a whole number.") from None
    if not services.fits_database(value):
        raise MarketError(f"{what}: that number is far too big.")
    return value


def _status_for(error: MarketError) -> int:
    return 409 if isinstance(error, sales.SoldOut) else 400


_OOB = {"HX-Reswap": "none"}
_PANEL = {"HX-Reswap": "outerHTML"}


class StallController(Controller):
    path = "/stalls/{stall_id:int}"
    guards = [requires_signed_in]

    async def _screen(
        self,
        request: HTMXRequest,
        stall_id: int,
        *,
        message: str = "",
        error: str = "",
        status: int = 200,
        change: dict[str, Any] | None = None,
        stall: dict | None = None,
        tapped: int | None = None,
        outcome: sales.SaleOutcome | None = None,
    ) -> Template:
        """The page or its panel. `stall` is passed when this request already loaded it and
        changed nothing in the stall row itself (a sale, an undo, change given); `tapped`:
        the product of a sale tap (`outcome`: its sale, if it sold), whose answer to htmx is
        that product's tile, the totals and the sale's line."""
        if stall is None and tap.written_taps():  # one statement (SQLite: one read)
            stall, panel = await tap.screen(request.user, stall_id)
            screen = stall_panel.panel(stall, **panel)
        else:
            async with services.one_connection():
                stall = stall or await services.stall_for_worker(request.user, stall_id)
                screen = await stall_panel.stall_screen(stall)
        pre_orders = None
        if not request.htmx:  # issue 6: the full page lists pre-orders to collect
            pre_orders = await hooks.orders_to_collect(stall["id"])
        elif tapped is not None:
            reads = (screen["products"], screen["takings"], screen["recent"])
            screen = stall_panel.tap_answer(stall, tapped, *reads, outcome) or screen
        return self._render(request, stall, screen, message, error, status, change, pre_orders)

    def _render(
        self,
        request: HTMXRequest,
        stall: dict[str, Any],
        screen: dict[str, Any],
        message: str = "",
        error: str = "",
        status: int = 200,
        change: dict[str, Any] | None = None,
        pre_orders: Any = None,
    ) -> Template:
        context = {
            "stall": stall,
            **screen,
            "message": message,
            "error": error,
            "change": change,
            "cash": takings.cash_summary(stall, screen["takings"]),
        }
        # The media type named, so Litestar does not guess it from the file name every time.
        answer = {"context": context, "status_code": status, "media_type": MediaType.HTML}
        if not request.htmx:
            context["pre_orders"] = pre_orders
            return Template("market/stall.html", **answer)
        # A tap's form swaps nothing itself: its answer says what to swap (HX-Reswap also
        # tells a page drawn before tap answers were out-of-band not to swap its panel).
        if "product" in screen:  # a tap's answer (stall_panel.tap_answer): out-of-band swaps
            return Template("market/_stall_tap.html", headers=_OOB, **answer)
        return Template("market/_stall_panel.html", headers=_PANEL, **answer)

    @get("/")
    async def show(self, request: HTMXRequest, stall_id: FromPath[int]) -> Template:
        return await self._screen(request, stall_id)

    @post("/sales", opt={CHECKS_USER_ITSELF: tap.written_taps})
    async def sell(
        self, request: HTMXRequest, stall_id: FromPath[int], data: Annotated[SaleForm, Form]
    ) -> Template:
        try:
            product_id = _whole(data.product_id, "The product")
            quantity = _whole(data.quantity, "The quantity")
        except MarketError as error:
            return await self._screen(request, stall_id, error=str(error), status=400)
        try:
            if tap.written_taps():
                return await self._tap(request, stall_id, product_id, quantity, data)
            outcome = await sales.record_sale(
                request.user, stall_id, product_id, quantity, data.method, data.sale_id
            )
        except MarketError as error:
            return await self._screen(
                request, stall_id, error=str(error), status=_status_for(error), tapped=product_id
            )
        return await self._screen(
            request,
            stall_id,
            message=outcome.message,
            stall=outcome.stall,
            tapped=product_id,
            outcome=outcome,
        )

    async def _tap(
        self, request: HTMXRequest, stall_id: int, product_id: int, quantity: int, data: SaleForm
    ) -> Template:
        """The sale and what its answer shows by the tap's SQL (tap.py); the page,
        the whole panel or all last sales (a refusal, a repeat) read again by `_screen`."""
        client_id = sales.check_tap(data.sale_id, data.method, quantity)
        try:
            outcome, stall, panel = await tap.tap(
                *(request.user, stall_id, product_id, quantity, data.method, client_id),
                whole=False,
            )
        except asyncpg.UniqueViolationError:  # the same tap, at the same moment: a repeat
            outcome = await sales.record_sale(
                request.user, stall_id, product_id, quantity, data.method, client_id
            )
            return await self._screen(
                request, stall_id, message=outcome.message, tapped=product_id, outcome=outcome
            )
        if isinstance(outcome, MarketError):
            sold, said = None, {"error": str(outcome), "status": _status_for(outcome)}
        else:
            sold, said = outcome, {"message": outcome.message}
        answer = stall_panel.tap_answer(stall, product_id, **panel, outcome=sold)
        if not request.htmx or answer is None or answer["new_sales"] is None:  # read it all
            return await self._screen(request, stall_id, tapped=product_id, outcome=sold, **said)
        return self._render(request, stall, answer, **said)

    @post("/sales/{sale_id:int}/void")
    async def void(
        self, request: HTMXRequest, stall_id: FromPath[int], sale_id: FromPath[int]
    ) -> Template:
        stall = await services.stall_for_worker(request.user, stall_id)
        try:
            sale = await sales.void_sale(request.user, stall, sale_id)
        except MarketError as error:
            return await self._screen(request, stall_id, error=str(error), status=409, stall=stall)
        return await self._screen(
            request,
            stall_id,
            message=f"Undone: {sale['quantity']} × {sale['product_name']}.",
            stall=stall,
        )

    @post("/sales/{sale_id:int}/change")
    async def change(
        self,
        request: HTMXRequest,
        stall_id: FromPath[int],
        sale_id: FromPath[int],
        data: Annotated[AmountForm, Form],
    ) -> Template:
        stall = await services.stall_for_worker(request.user, stall_id)
        try:
            tendered = sales.parse_pounds(data.amount, "Amount handed over")
            sale = await sales.give_change(stall, sale_id, tendered)
        except MarketError as error:
            return await self._screen(request, stall_id, error=str(error), status=400, stall=stall)
        return await self._screen(request, stall_id, change=sale, stall=stall)

    @post("/open")
    async def open_stall(
        self, request: HTMXRequest, stall_id: FromPath[int], data: Annotated[AmountForm, Form]
    ) -> Template | Redirect:
        stall = await services.stall_for_worker(request.user, stall_id)
        try:
            await sales.open_stall(stall, sales.parse_pounds(data.amount, "Starting float"))
        except MarketError as error:
            return await self._screen(request, stall_id, error=str(error), status=400)
        return Redirect(path=f"/stalls/{stall_id}")

    @post("/close")
    async def close_stall(
        self, request: HTMXRequest, stall_id: FromPath[int], data: Annotated[AmountForm, Form]
    ) -> Template | Redirect:
        stall = await services.stall_for_worker(request.user, stall_id)
        try:
            await sales.close_stall(stall, sales.parse_pounds(data.amount, "Cash counted"))
        except MarketError as error:
            return await self._screen(request, stall_id, error=str(error), status=400)
        return Redirect(path=f"/stalls/{stall_id}")

    async def _stock_page(
        self,
        request: Request,
        stall: dict[str, Any],
        error: str = "",
        status: int = 200,
        typed: dict[str, str] | None = None,
    ) -> Template:
        products = await stall_stock.stock_form(stall)
        for product in products:
            product["typed"] = (typed or {}).get(f"qty_{product['id']}", product["brought"])
            set_before = product["allowance_set"]
            product["typed_pre"] = (typed or {}).get(
                f"pre_{product['id']}", "" if set_before is None else set_before
            )
        return Template(
            "market/stock.html",
            context={"stall": stall, "products": products, "error": error},
            status_code=status,
        )

    @get("/stock")
    async def stock(self, request: Request, stall_id: FromPath[int]) -> Template:
        return await self._stock_page(
            request, await services.stall_for_worker(request.user, stall_id)
        )

    @post("/stock")
    async def set_stock(self, request: Request, stall_id: FromPath[int]) -> Template | Redirect:
        stall = await services.stall_for_worker(request.user, stall_id)
        form = {k: v for k, v in (await request.form()).items() if k.startswith(("qty_", "pre_"))}
        try:
            quantities = {
                _whole(key.removeprefix("qty_"), "The product"): stall_stock.parse_count(
                    value, "How many", stall_stock.MAX_STOCK
                )
                for key, value in form.items()
                if key.startswith("qty_")
            }
            allowances = {  # blank: the default (half of what is brought)
                _whole(key.removeprefix("pre_"), "The product"): stall_stock.parse_count(
                    value, "How many may be pre-ordered", stall_stock.MAX_STOCK
                )
                if str(value).strip()
                else None
                for key, value in form.items()
                if key.startswith("pre_")
            }
            await stall_stock.set_stock(stall, quantities, allowances)
        except MarketError as error:
            return await self._stock_page(request, stall, str(error), 400, form)
        return Redirect(path=f"/stalls/{stall_id}")


@dataclass
class ExpenseForm:
    kind: str = ""
    description: str = ""
    amount: str = ""
    market_day: str = ""


async def _team_or_404(request: Request, team_id: int) -> dict[str, Any]:
    team = None
    if services.fits_database(team_id):  # the user's cluster's team only
        team = await services.team_for_worker_here(request.user, team_id)
    if team is None:
        raise NotFound()
    return team


class TeamMarketController(Controller):
    """A team's market days, its expenses and its profit and loss."""

    path = "/teams/{team_id:int}/market"
    guards = [requires_signed_in]

    async def _page(
        self,
        request: Request,
        team_id: int,
        form: ExpenseForm | None = None,
        error: str = "",
        status: int = 200,
        asked: tuple[str | None, ...] = (None, None, None, None),
    ) -> Template:
        """`asked`: the range of the query string (range, from, to, day); none: all dates."""
        team, days, stalls = None, [], []
        if services.fits_database(team_id):  # the user's cluster's team only
            team, days, stalls = await team_days_and_stalls(request.user, team_id)
        if team is None:
            raise NotFound()
        (range_, start, end, day), period, problem = asked, None, ""
        if any(asked):
            try:  # the latest market is found among the days already read
                period = await periods.period_from_query(
                    range_, start, end, today_uk(), day, request.user.cluster_id, days
                )
            except periods.PeriodError as exception:
                problem, status = str(exception), 400
        typed = periods.typed_dates(period, start, end)
        dates = {"period": period, "range_error": problem, "typed": typed}
        pnl, expenses = await finances.team_accounts(team_id, period)
        bars = []
        for line in [*pnl["lines"], pnl["total"]]:
            bars += [
                (f"{line['label']} revenue", line["revenue"], "revenue"),
                (f"{line['label']} costs", line["cost_of_goods"] + line["expenses"], "cost"),
                (f"{line['label']} profit", line["profit"], "profit"),
            ]
        return Template(
            "market/team.html",
            context={
                "team": team,
                "stalls": stalls,
                "pnl": pnl,
                "chart": bar_chart("Profit and loss", bars),
                "expenses": expenses,
                "kinds": finances.EXPENSE_KINDS,
                "days": days,
                "market_days": days,
                "form": form or ExpenseForm(),
                "error": error,
                "presets": periods.PRESETS,
                **dates,
            },
            status_code=status,
        )

    @get("/")
    async def show(
        self,
        request: Request,
        team_id: FromPath[int],
        range_: periods.RangeQuery = None,
        start: periods.FromDate = None,
        end: periods.ToDate = None,
        day: periods.DayQuery = None,
    ) -> Template:
        """All dates, or the profit and loss of a date range as the reports take it."""
        return await self._page(request, team_id, asked=(range_, start, end, day))

    @post("/expenses")
    async def add_expense(
        self, request: Request, team_id: FromPath[int], data: Annotated[ExpenseForm, Form]
    ) -> Template | Redirect:
        await _team_or_404(request, team_id)
        try:
            amount = sales.parse_pounds(data.amount, "Amount", finances.MAX_EXPENSE_PENCE)
            day = _whole(data.market_day, "The market day") if data.market_day.strip() else None
            await finances.add_expense(
                request.user, team_id, data.kind, data.description, amount, day
            )
        except MarketError as error:
            return await self._page(request, team_id, data, str(error), 400)
        return Redirect(path=f"/teams/{team_id}/market")


ROUTES = [StallController, TeamMarketController]
