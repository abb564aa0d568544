"""The sale tap on PostgreSQL in one statement: one round trip (issue 17, target 4).

The same rules as `sales.record_sale` (which SQLite still uses), written as one SQL statement
with data-modifying CTEs, so PostgreSQL runs them atomically without BEGIN/COMMIT:

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
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from litestar.exceptions import NotAuthorizedException
from piccolo.engine.postgres import PostgresEngine

from clustermarket.accounts.services import CurrentUser, NotFound
from clustermarket.market.sales import (
    RECENT_SALES,
    SaleOutcome,
    SoldOut,
    _check_can_sell,
    _sale_by_client_id,
    takings_of,
)
from clustermarket.market.services import MarketError, fits_database
from clustermarket.market.tables import Stall
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
    UPDATE stall_stock SET "left" = stall_stock."left" - $5 FROM st
    WHERE stall_stock.id = (SELECT id FROM stock) AND stall_stock."left" >= $5
        AND st.day_status = 'open' AND st.opened_at IS NOT NULL AND st.closed_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM earlier)
    RETURNING stall_stock."left"
), sold AS (
    INSERT INTO sale (client_id, ticket, kind, label, offline, beyond_stock, stall, product,
        quantity, unit_price_pence, amount_pence, cost_pence, method, recorded_by,
        recorded_at)
    SELECT $6, $6, 'product', '', false, false, $3, $4, $5, stock.price_pence,
        stock.price_pence * $5, stock.cost_pence * $5, $7, $1, $8
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
        WHERE ss.stall = st.id AND ss.brought > 0 AND p.is_public AND p.active) x
    ) AS products,
    (SELECT json_agg(r ORDER BY r.id DESC) FROM (
        SELECT sa.id, sa.client_id, sa.stall, sa.quantity, sa.amount_pence, sa.method,
            sa.tendered_pence, sa.recorded_at, sa.voided_at,
            p.published_name AS product_name
        FROM sale sa LEFT JOIN product p ON p.id = sa.product
        WHERE sa.stall = st.id ORDER BY sa.id DESC LIMIT {RECENT_SALES}) r
    ) AS recent
FROM (SELECT 1) AS one LEFT JOIN me ON true LEFT JOIN st ON true LEFT JOIN stock ON true
"""


# Piccolo's raw queries take `{}` placeholders in order: the $n above, numbered once.
_ORDER = [int(n) - 1 for n in re.findall(r"\$(\d)", _TAP)]
_TAP = re.sub(r"\$\d", "{}", _TAP)


class StaleSession(NotAuthorizedException):
    """The session's user was signed out everywhere or deactivated since it was made:
    answered as for a visitor who is not signed in."""

    def __init__(self) -> None:
        super().__init__("Please sign in to see this page.")


def one_statement_taps() -> bool:
    return isinstance(Stall._meta.db, PostgresEngine)


def _when(value: str | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(value)


async def _run(
    user: CurrentUser, stall_id: int, product_id: int, quantity: int, method: str, client_id: str
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    if not fits_database(stall_id):
        raise NotFound()
    params = (user.id, user.session_epoch, stall_id, product_id, quantity, client_id, method, now())
    rows = await Stall.raw(_TAP, *[params[n] for n in _ORDER])
    row = rows[0]
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


async def screen(user: CurrentUser, stall_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The stall and its panel's data in one statement, selling nothing (no product 0)."""
    _, stall, panel = await _run(user, stall_id, 0, 1, "", "")
    return stall, panel


async def tap(
    user: CurrentUser, stall_id: int, product_id: int, quantity: int, method: str, client_id: str
) -> tuple[SaleOutcome | MarketError, dict[str, Any], dict[str, Any]]:
    """One tap in one round trip: (the outcome or the refusal, the stall, the panel's data).
    The caller has checked the input (`sales.check_tap`). NotFound: not this user's stall."""
    row, stall, panel = await _run(user, stall_id, product_id, quantity, method, client_id)
    products, recent, takings = panel["products"], panel["recent"], panel["takings"]
    if row["earlier_id"] is not None:  # the same tap again: answered as the first was
        earlier = await _sale_by_client_id(stall_id, client_id)
        return SaleOutcome(sale=earlier, repeated=True, stall=stall), stall, panel
    if row["sale_id"] is None:
        return _refusal(row, stall, quantity), stall, panel
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
    for product in products:  # what the statement's snapshot could not see yet
        if product["id"] == product_id:
            product["left"] = row["left_after"]
    recent.insert(0, dict(sale))
    del recent[RECENT_SALES:]
    takings[method] += amount
    takings["total"] += amount
    takings["sales"] += 1
    return SaleOutcome(sale=sale, repeated=False, stall=stall), stall, panel


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
