"""The full-screen till: tickets of several lines, cash with change or card, undo a ticket.

Access as for the stall screen: only someone who may work for the stall's team (404 for
anyone else). A plain form post gets the page back; the phone's script asks for JSON
(`Accept: application/json`) and keeps offline tickets queued until they are recorded."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
from litestar import Controller, Request, Response
from litestar.params import FromPath
from litestar.response import Template

from clustermarket.accounts.services import CurrentUser
from clustermarket.market import services, tap
from clustermarket.market.services import MarketError
from clustermarket.market.stall_controllers import _status_for
from clustermarket.market.tickets import (
    TicketOutcome,
    TicketRequest,
    check_ticket,
    record_ticket,
    ticket_of_stall,
    void_ticket,
)
from clustermarket.market.till import parse_ticket_form, ticket_json, till_screen, till_state
from clustermarket.settings import PROJECT_ROOT
from clustermarket.timeutil import now
from clustermarket.web.auth import CHECKS_USER_ITSELF, requires_signed_in
from clustermarket.web.clusters import url_root
from clustermarket.web.routes import get, post

STATIC = PROJECT_ROOT / "static" / "till"


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


async def _till(request: Request, stall_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The stall (if this user may work for it) and the till's data: the stall, the access
    check, products and takings in one statement (market/tap.py)."""
    if tap.written_taps():
        stall, read = await tap.screen(request.user, stall_id, recent=False)
        return stall, await till_screen(stall, read)
    async with services.one_connection():
        stall = await services.stall_for_worker(request.user, stall_id)
        return stall, await till_screen(stall)


def _state(screen: dict[str, Any]) -> dict[str, Any]:
    return {
        "ok": True,
        "left": {str(p["id"]): p["left"] for p in screen["products"]},
        "takings": screen["takings"],
    }


def _answer(outcome: TicketOutcome | MarketError, state: dict[str, Any]) -> Response:
    """The phone's JSON: the ticket recorded (or recorded before), or why not."""
    if isinstance(outcome, MarketError):
        return Response(
            state | {"ok": False, "error": str(outcome)}, status_code=_status_for(outcome)
        )
    body = {"repeated": outcome.repeated, "message": outcome.message}
    return Response(state | body | {"ticket": ticket_json(outcome.ticket)}, status_code=200)


class TillController(Controller):
    path = "/stalls/{stall_id:int}"
    guards = [requires_signed_in]

    async def _page(
        self,
        request: Request,
        stall_id: int,
        *,
        message: str = "",
        error: str = "",
        last: dict[str, Any] | None = None,
        typed: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        stall, screen = await _till(request, stall_id)
        for product in screen["products"]:
            product["typed"] = (typed or {}).get(f"qty_{product['id']}", "")
        return Template(
            "market/till.html",
            context={
                "stall": stall,
                **screen,
                "message": message,
                "error": error,
                "last": last,
                "typed": typed or {},
                "now_iso": now().isoformat(),
            },
            status_code=status,
        )

    @get("/till")
    async def show(self, request: Request, stall_id: FromPath[int]) -> Template:
        return await self._page(request, stall_id)

    @post("/tickets", opt={CHECKS_USER_ITSELF: tap.written_taps})
    async def sell(self, request: Request, stall_id: FromPath[int]) -> Template | Response:
        """The user comes from the session (CHECKS_USER_ITSELF): the tap's
        statement checks it, and every other way through here checks it first."""
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        try:
            ticket = parse_ticket_form(form)
            check_ticket(ticket)
            if tap.written_ticket(ticket):  # one round trip, the panel's data with it
                outcome, panel = await self._written(request.user, stall_id, ticket)
                if _wants_json(request):
                    return _answer(outcome, _state(panel))
                if isinstance(outcome, MarketError):
                    raise outcome
            else:
                if tap.written_taps():
                    await tap.check_session_user(request.user)
                outcome = await record_ticket(request.user, stall_id, ticket)
        except MarketError as error:
            if _wants_json(request):  # with what is left, so the phone corrects its counts
                return _answer(error, await self._state(stall_id, request))
            return await self._page(
                request, stall_id, error=str(error), typed=form, status=_status_for(error)
            )
        if _wants_json(request):
            return _answer(outcome, await self._state(stall_id, request))
        return await self._page(request, stall_id, message=outcome.message, last=outcome.ticket)

    async def _written(
        self, user: CurrentUser, stall_id: int, ticket: TicketRequest
    ) -> tuple[TicketOutcome | MarketError, dict[str, Any]]:
        try:
            return await tap.ticket(user, stall_id, ticket)
        except asyncpg.UniqueViolationError:  # the same ticket, at the same moment: a repeat
            earlier = await ticket_of_stall(stall_id, ticket.ticket_id)
            _, panel = await tap.screen(user, stall_id, recent=False)
            return TicketOutcome(ticket=earlier, repeated=True), panel

    async def _state(self, stall_id: int, request: Request) -> dict[str, Any]:
        """What the phone keeps from the server: what is left, the takings."""
        if tap.written_taps():
            _, panel = await tap.screen(request.user, stall_id, recent=False)
            return _state(panel)
        async with services.one_connection():
            stall = await services.stall_for_worker(request.user, stall_id)
            return _state(await till_state(stall))

    @post("/tickets/{ticket_id:str}/void")
    async def void(
        self, request: Request, stall_id: FromPath[int], ticket_id: FromPath[str]
    ) -> Template | Response:
        stall = await services.stall_for_worker(request.user, stall_id)
        try:
            ticket = await void_ticket(request.user, stall, ticket_id)
        except MarketError as error:
            if _wants_json(request):
                return Response({"ok": False, "error": str(error)}, status_code=409)
            return await self._page(request, stall_id, error=str(error), status=409)
        words = ", ".join(f"{x['quantity']} × {x['name']}" for x in ticket["lines"])
        if _wants_json(request):
            state = await self._state(stall_id, request)
            return Response(state | {"message": f"Undone: {words}."}, status_code=200)
        return await self._page(request, stall_id, message=f"Undone: {words}.")

    @get("/till.webmanifest", media_type="application/manifest+json")
    async def manifest(self, request: Request, stall_id: FromPath[int]) -> Response:
        stall = await services.stall_for_worker(request.user, stall_id)
        root = url_root()  # JSON: prefix_links never sees it (CLUSTER_ROUTING=path)
        body = {
            "name": f"Stall till: {stall['team']['name']}",
            "short_name": "Stall till",
            "start_url": f"{root}/stalls/{stall_id}/till",
            "scope": f"{root}/stalls/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#1d5c3a",
            "icons": [
                {"src": "/static/till/icon-192.png", "sizes": "192x192", "type": "image/png"},
                {"src": "/static/till/icon-512.png", "sizes": "512x512", "type": "image/png"},
            ],
        }
        return Response(json.dumps(body), media_type="application/manifest+json")


@get("/stalls/sw.js", media_type="text/javascript")
async def service_worker() -> Response:
    """The till's service worker (the file in static/till/), served where its scope covers
    every stall's till: `/stalls/`, or `/c/<slug>/stalls/` under CLUSTER_ROUTING=path (the
    script's own folder either way, so no Service-Worker-Allowed header is needed)."""
    return Response(
        (STATIC / "sw.js").read_text(),
        media_type="text/javascript",
        headers={"cache-control": "no-cache"},
    )


ROUTES = [TillController, service_worker]
