"""The end of a stall's day: closing it (a second step), its summary; closing a market day."""

from __future__ import annotations

from litestar import Controller, Request
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from clustermarket.market import sales, services
from clustermarket.market.services import MarketError
from clustermarket.market.stall_summary import stall_summary
from clustermarket.market.tables import MarketStatus, Sale
from clustermarket.market.takings import cash_summary, stall_takings
from clustermarket.money import format_pence
from clustermarket.web.auth import requires_admin, requires_signed_in
from clustermarket.web.confirm import Confirm
from clustermarket.web.routes import get


@get("/stalls/{stall_id:int}/closing", guards=[requires_signed_in])
async def confirm_close_stall(
    request: Request, stall_id: FromPath[int], amount: FromQuery[str] = ""
) -> Template:
    stall = await services.stall_for_worker(request.user, stall_id)
    confirm = Confirm(
        title=f"Close the stall of {stall['team']['name']}?",
        action=f"/stalls/{stall_id}/close",
        button="Yes, close the stall",
        back=f"/stalls/{stall_id}",
        happens=[
            "Selling stops at this stall: no more sales, and no sale can be undone here.",
            "What the stall brought can no longer be changed.",
            "The cash count below is kept as the stall's count for the day.",
            "Sales still waiting on a phone that had no signal are recorded when they "
            "arrive (and flagged if they went beyond the stock): let the phone send them.",
        ],
    )
    try:
        if stall["closed_at"] is not None:
            raise MarketError("This stall is already closed.")
        counted = sales.parse_pounds(amount, "Cash counted")
    except MarketError as error:
        confirm.error = str(error)
        return confirm.page(400)
    takings = await stall_takings(stall_id)
    cash = cash_summary({**stall, "counted_cash_pence": counted}, takings)
    difference = cash["difference"] or 0
    confirm.facts = [
        ("Starting float", format_pence(cash["float"])),
        ("Cash sales", format_pence(cash["cash_sales"])),
        ("Expected in the tin", format_pence(cash["expected"])),
        ("Counted", format_pence(counted)),
        (
            "Difference",
            format_pence(difference)
            + (" (spot on)" if difference == 0 else " (short)" if difference < 0 else " (over)"),
        ),
    ]
    confirm.fields = {"amount": amount}
    return confirm.page()


class ConfirmMarketDayController(Controller):
    path = "/admin/market-days"
    guards = [requires_admin]

    @get("/{day_id:int}/closing")
    async def confirm_close_day(self, request: Request, day_id: FromPath[int]) -> Template:
        day = await services.market_day(day_id, request.user.cluster_id)
        stalls = await services.stalls_of_day(day_id)
        confirm = Confirm(
            title=f"Close the market day of {day['date']:%-d %B %Y}?",
            action=f"/admin/market-days/{day_id}/status",
            button="Yes, close the market day",
            back=f"/admin/market-days/{day_id}",
            fields={"status": MarketStatus.closed.value},
            happens=[
                f"Selling stops at every stall of the day ({len(stalls)}); "
                "no sale can be undone at a stall any more.",
                "Pay-at-the-stall reservations nobody collected lapse, and their stock is "
                "given back.",
                "The market day shows as closed on the public pages. It cannot be opened again.",
            ],
        )
        if day["status"] != MarketStatus.open:
            confirm.error = f"This market day is {day['status']}: only an open day is closed."
            return confirm.page(409)
        tickets = await Sale.count(distinct=[Sale.ticket]).where(
            (Sale.stall.market_day == day_id) & Sale.voided_at.is_null()
        )
        confirm.facts = [("Stalls", str(len(stalls))), ("Sales recorded", str(tickets))]
        return confirm.page()


@get("/stalls/{stall_id:int}/summary", guards=[requires_signed_in])
async def summary(request: Request, stall_id: FromPath[int]) -> Template:
    """The printable end-of-day summary (linked from the stall page)."""
    stall = await services.stall_for_worker(request.user, stall_id)
    return Template(
        "market/stall_summary.html", context={"stall": stall, **await stall_summary(stall)}
    )


ROUTES = [confirm_close_stall, ConfirmMarketDayController, summary]
