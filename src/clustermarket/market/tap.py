"""The sale tap written out once: on PostgreSQL one statement, one round trip (issue 17,
target 4); on SQLite three fixed statements giving the same row (market/tap_sqlite.py).

The same rules as `sales.record_sale` (still used by tickets of several lines), written as
one SQL statement with data-modifying CTEs, so PostgreSQL runs them atomically without
BEGIN/COMMIT (the taps of one product arriving together share a round trip and a commit:
market/tap_queue.py):

- `me`: the signed-in user, still active and with the session's epoch (the user comes from
  the session, so this replaces the per-request users query; a stale session is refused);
- `st`: the stall and its day, if the user may work for its team (members, teachers of the
  team's school, the admin of the stall's cluster: `market.services.stall_for_worker`'s rule;
  the stall id fixes the cluster, and members and teachers are of it already);
- `stock`: the product as this stall sells it (public and active);
- `taken`: the conditional decrement (never below zero), only on an open stall of an open
  day and only if no sale has this tap's id yet;
- `sold`: the sale row (a repeat racing this one fails the statement on the unique client
  id: then nothing changed, as with the transaction it replaces);
- and the panel's data read in the same statement: products with what is left, the last
  sales and the running takings (kept on the stall row by triggers). A statement sees the
  database as it was before it ran, so the tap's own changes are added here in Python.
  What it reads is chosen by parameters, one SQL text for every kind of tap (so the till's
  tickets and the screen's taps of one product share a batch): `$11` the last sales, `$12`
  every product of the stall (else only the tapped one: what an htmx tap's answer shows).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from litestar.exceptions import NotAuthorizedException
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from clustermarket.accounts.services import CurrentUser, NotFound, load_session_user
from clustermarket.market import tap_sqlite
from clustermarket.market.panel import RECENT_SALES, last_sales_sql
from clustermarket.market.sales import (
    SaleOutcome,
    SoldOut,
    _check_can_sell,
    _sale_by_client_id,
)
from clustermarket.market.services import MarketError, fits_database
from clustermarket.market.tables import SaleKind, Stall
from clustermarket.market.takings import takings_of
from clustermarket.market.tap_queue import run_tap
from clustermarket.market.tickets import (
    TicketOutcome,
    TicketRequest,
    line_id,
    ticket_lines,
    ticket_of_stall,
)
from clustermarket.money import format_pence
from clustermarket.timeutil import now

_TAP = f"""
WITH me AS (
    SELECT u.id, u.role, u.school, u.cluster FROM app_user u
    WHERE u.id = $1 AND u.active AND u.session_epoch = $2
), st AS (
    SELECT s.id, s.pitch, s.opened_at, s.closed_at, s.float_pence, s.counted_cash_pence,
        s.team AS team_id, t.name AS team_name, d.id AS day_id, d.date AS day_date,
        d.location AS day_location, d.status AS day_status, s.taken_cash_pence, s.taken_card_pence,
        s.taken_online_pence, s.taken_tickets
    FROM stall s JOIN market_day d ON d.id = s.market_day JOIN team t ON t.id = s.team
    JOIN me ON true
    WHERE s.id = $3 AND ((me.role IN ('admin', 'platform') AND d.cluster = me.cluster)
        OR (me.role = 'teacher' AND me.school = t.school)
        OR EXISTS (SELECT 1 FROM team_member m WHERE m.team = s.team AND m."user" = me.id))
), earlier AS (
    SELECT id FROM sale WHERE client_id = $6
), stock AS (
    SELECT ss.id, ss."left", p.published_name AS name,
        p.published_price_pence AS price_pence, p.unit_cost_pence AS cost_pence
    FROM stall_stock ss JOIN product p ON p.id = ss.product JOIN st ON st.id = ss.stall
    WHERE ss.product = $4 AND p.is_public AND p.active
), taken AS (
    UPDATE stall_stock SET "left" = stall_stock."left" - $5 FROM st, stock
    WHERE stall_stock.id = stock.id AND stall_stock."left" >= $5
        AND st.day_status = 'open' AND st.opened_at IS NOT NULL AND st.closed_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM earlier)
        AND ($10::int IS NULL OR $10::int >= stock.price_pence * $5)
    RETURNING stall_stock."left"
), sold AS (
    INSERT INTO sale (client_id, ticket, kind, label, offline, beyond_stock, stall, product,
        quantity, unit_price_pence, amount_pence, cost_pence, method, tendered_pence,
        recorded_by, recorded_at)
    SELECT $6, $9, 'product', '', false, false, $3, $4, $5, stock.price_pence,
        stock.price_pence * $5, stock.cost_pence * $5, $7, $10::int, $1, $8
    FROM stock, taken
    RETURNING id
)
SELECT me.id AS me, st.*, stock.name, stock.price_pence, stock."left" AS left_before,
    (SELECT "left" FROM taken) AS left_after, (SELECT id FROM sold) AS sale_id,
    (SELECT id FROM earlier) AS earlier_id, $8::timestamptz AS recorded_at,
    (SELECT json_agg(x ORDER BY x.name) FROM (
        SELECT p.id, ss.brought, ss."left", p.published_name AS name,
            p.published_price_pence AS price_pence
        FROM stall_stock ss JOIN product p ON p.id = ss.product
        WHERE ss.stall = st.id AND ss.brought > 0 AND p.is_public AND p.active
            AND ($12::boolean OR p.id = $4)) x
    ) AS products,
    CASE WHEN $11::boolean THEN (SELECT json_agg(r ORDER BY r.id DESC)
        FROM ({last_sales_sql("st.id")}) r
    ) END AS recent
FROM (SELECT 1) AS one LEFT JOIN me ON true LEFT JOIN st ON true LEFT JOIN stock ON true
"""


class StaleSession(NotAuthorizedException):
    """The session's user was signed out everywhere or deactivated since it was made:
    answered as for a visitor who is not signed in."""

    def __init__(self) -> None:
        super().__init__("Please sign in to see this page.")


def written_taps() -> bool:
    """Taps by SQL written out once: PostgreSQL's statement here, SQLite's in tap_sqlite.py
    (the app's two engines; another takes `sales.record_sale`'s way)."""
    return isinstance(Stall._meta.db, PostgresEngine | SQLiteEngine)


async def check_session_user(user: CurrentUser) -> None:
    """For a route whose user came from the session alone (`CHECKS_USER_ITSELF`) when it
    takes another way than the statement: the users query the statement would have made."""
    if await load_session_user(user.id, user.session_epoch) is None:
        raise StaleSession()


def _when(value: str | None) -> dt.datetime | None:
    """A time from the panel's JSON; SQLite's text may have no zone: it is UTC."""
    if value is None:
        return None
    moment = dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


async def _run(
    user: CurrentUser,
    stall_id: int,
    product_id: int,
    quantity: int,
    method: str,
    client_id: str,
    ticket: str | None = None,
    tendered: int | None = None,
    recent: bool = True,
    every_product: bool = True,
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The statement's row, the stall, the panel's data. `ticket`: the sale's ticket id (a
    single tap is its own ticket); `tendered`: cash handed over, at least the amount;
    `recent`: with the last sales (the stall screen's panel), or without (the till, which
    shows its own last tickets: the statement skips reading them, its `CASE` says so);
    `every_product`: every product of the stall, or the tapped one only (if shown)."""
    if not fits_database(stall_id):
        raise NotFound()
    params = (
        *(user.id, user.session_epoch, stall_id, product_id, quantity, client_id, method, now()),
        *(ticket or client_id, tendered, recent, every_product),
    )
    if isinstance(Stall._meta.db, PostgresEngine):
        row = (await run_tap(Stall._meta.db, _TAP, (stall_id, product_id), params))[0]
    else:
        row = await tap_sqlite.run(*params)
    if row["me"] is None:
        raise StaleSession()
    if row["id"] is None:
        raise NotFound()
    stall = {key: row[key] for key in _STALL_KEYS}
    stall["team"] = {"id": row["team_id"], "name": row["team_name"]}
    products = json.loads(row["products"] or "[]")
    recent = json.loads(row["recent"] or "[]")
    for sale in recent:
        sale["recorded_at"], sale["voided_at"] = (
            _when(sale["recorded_at"]),
            _when(sale["voided_at"]),
        )
    return row, stall, {"products": products, "takings": takings_of(row), "recent": recent}


async def screen(
    user: CurrentUser, stall_id: int, *, recent: bool = True
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The stall and its panel's data in one statement, selling nothing (no product 0);
    without the last sales if not `recent` (the panel then has an empty list)."""
    _, stall, panel = await _run(user, stall_id, 0, 1, "", "", recent=recent)
    return stall, panel


async def tap(
    user: CurrentUser,
    stall_id: int,
    product_id: int,
    quantity: int,
    method: str,
    client_id: str,
    *,
    whole: bool = True,
) -> tuple[SaleOutcome | MarketError, dict[str, Any], dict[str, Any]]:
    """One tap in one round trip: (the outcome or the refusal, the stall, the panel's data).
    The caller has checked the input (`sales.check_tap`). NotFound: not this user's stall.
    Not `whole`: the panel's data has only what an htmx tap's answer needs (`panel.
    tap_answer`): the tapped product (none if the screen does not show it), the takings and,
    as the last sales, the sale this tap made (none for a repeat: read them if needed)."""
    row, stall, panel = await _run(
        *(user, stall_id, product_id, quantity, method, client_id),
        recent=whole,
        every_product=whole,
    )
    if row["earlier_id"] is not None:  # the same tap again: answered as the first was
        earlier = await _sale_by_client_id(stall_id, client_id)
        return SaleOutcome(sale=earlier, repeated=True, stall=stall), stall, panel
    if row["sale_id"] is None:
        return _refusal(row, stall, quantity), stall, panel
    sale = _sold(row, stall_id, product_id, quantity, method, client_id, panel)
    return SaleOutcome(sale=sale, repeated=False, stall=stall), stall, panel


def _sold(
    row: dict[str, Any],
    stall_id: int,
    product_id: int,
    quantity: int,
    method: str,
    client_id: str,
    panel: dict[str, Any],
) -> dict[str, Any]:
    """The sale the statement made, added to the panel's data (which the statement's
    snapshot could not see yet)."""
    amount = row["price_pence"] * quantity
    sale = {
        "id": row["sale_id"],
        "client_id": client_id,
        "stall": stall_id,
        "quantity": quantity,
        "amount_pence": amount,
        "method": method,
        "tendered_pence": None,
        "recorded_at": row["recorded_at"],
        "voided_at": None,
        "product_name": row["name"],
    }
    for product in panel["products"]:
        if product["id"] == product_id:
            product["left"] = row["left_after"]
    recent = panel["recent"]
    recent.insert(0, dict(sale))
    del recent[RECENT_SALES:]
    takings = panel["takings"]
    takings[method] += amount
    takings["total"] += amount
    takings["sales"] += 1
    return sale


def written_ticket(request: TicketRequest) -> bool:
    """A ticket the tap's SQL records: online, one product line, no custom amount: the
    till's common ticket. Others go through `tickets.record_ticket`."""
    return (
        written_taps()
        and not request.offline
        and len(request.lines) == 1
        and not request.custom_pence
    )


async def ticket(
    user: CurrentUser, stall_id: int, request: TicketRequest
) -> tuple[TicketOutcome | MarketError, dict[str, Any]]:
    """A one-line online ticket in one round trip, by the tap's statement: (the outcome or
    the refusal, the panel's data). The ticket was checked (`tickets.check_ticket`); its one
    line has the id `record_ticket` gives it, so either path sees the other's repeat."""
    ((product_id, quantity),) = request.lines.items()
    client_id = line_id(request.ticket_id, 0)
    tendered = request.tendered_pence
    row, stall, panel = await _run(
        *(user, stall_id, product_id, quantity, request.method, client_id),
        *(request.ticket_id, tendered),
        recent=False,  # the phone keeps what is left and the takings, not the last sales
    )
    if row["earlier_id"] is not None:  # sent again: answered as the first time
        earlier = await ticket_of_stall(stall_id, request.ticket_id)
        return TicketOutcome(ticket=earlier, repeated=True), panel
    if row["sale_id"] is None:
        return _ticket_refusal(row, stall, quantity, tendered), panel
    sale = _sold(row, stall_id, product_id, quantity, request.method, client_id, panel)
    line = sale | {
        "ticket": request.ticket_id,
        "product": product_id,
        "kind": SaleKind.product,
        "label": "",
        "tendered_pence": tendered,
        "offline": False,
        "beyond_stock": False,
    }
    return TicketOutcome(ticket=ticket_lines([line]), repeated=False), panel


def _ticket_refusal(
    row: dict[str, Any], stall: dict[str, Any], quantity: int, tendered: int | None
) -> MarketError:
    """As `record_ticket` words it: the stall, then the stock, then the cash handed over."""
    if row["name"] is None:
        return MarketError("A product on this ticket is not sold at this stall.")
    refusal = _refusal(row, stall, quantity)
    total = row["price_pence"] * quantity
    short = tendered is not None and tendered < total
    if isinstance(refusal, SoldOut) and row["left_before"] >= quantity and short:
        return MarketError(
            f"{format_pence(tendered)} handed over is less than the total {format_pence(total)}."
        )
    return refusal


def _refusal(row: dict[str, Any], stall: dict[str, Any], quantity: int) -> MarketError:
    if row["name"] is None:
        return MarketError("That product is not sold at this stall.")
    try:
        _check_can_sell(stall)
    except MarketError as error:
        return error
    left, name = row["left_before"], row["name"]
    return SoldOut(
        f"{name} is sold out."
        if left == 0
        else f"Only {left} {name} left: not enough for {quantity}."
    )


_STALL_KEYS = (
    "id",
    "pitch",
    "opened_at",
    "closed_at",
    "float_pence",
    "counted_cash_pence",
    "team_id",
    "day_id",
    "day_date",
    "day_location",
    "day_status",
)
