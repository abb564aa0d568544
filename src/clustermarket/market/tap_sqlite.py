"""The sale tap on SQLite, written out once: three fixed statements in one write transaction.

The same rules and the same row as PostgreSQL's one statement (market/tap.py, whose Python
makes the answers for both engines). SQLite has no data-modifying CTEs, so inside BEGIN
IMMEDIATE (`write_transaction`):

- `_READ`: the signed-in user (still active, the session's epoch), the stall and its day if
  the user may work for its team (`market.services.stall_for_worker`'s rule: the user's
  cluster, then members, teachers of the team's school, the cluster's admins), the product as
  this stall sells it (public and active), an earlier sale with this tap's id, and the panel's
  data (products with what is left, the last sales, the running takings on the stall row);
- `_TAKE`: the conditional decrement (never below zero), only if the read allows the sale
  (an open stall of an open day, no earlier sale with this id, enough cash handed over);
- `_SELL`: the sale row.

Each is a constant sent as written (`db_connections.run_sql`): Piccolo builds no query on
the tap's path, where building them cost more CPU than SQLite's work, with the write lock held.
A screen that sells nothing (product 0) is `_READ` alone, outside any transaction.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from clustermarket.db_connections import run_sql
from clustermarket.market.panel import last_sales_sql
from clustermarket.market.sales import _can_sell
from clustermarket.market.services import write_transaction
from clustermarket.market.tables import Stall

# The ORDER BY of a subquery that an aggregate reads is kept (SQLite does not flatten it),
# so json_group_array lists the rows in that order.
_READ = f"""
SELECT me.id AS me, s.id, s.pitch, s.opened_at, s.closed_at, s.float_pence,
    s.counted_cash_pence, s.team AS team_id, t.name AS team_name, d.id AS day_id,
    d.date AS day_date, d.location AS day_location, d.status AS day_status,
    s.taken_cash_pence, s.taken_card_pence, s.taken_online_pence, s.taken_tickets,
    ss.id AS stock_id, ss."left" AS left_before, p.published_name AS name,
    p.published_price_pence AS price_pence, p.unit_cost_pence AS cost_pence,
    (SELECT id FROM sale WHERE client_id = :client_id) AS earlier_id,
    (SELECT json_group_array(json_object('id', x.id, 'brought', x.brought, 'left', x."left",
            'name', x.name, 'price_pence', x.price_pence)) FROM (
        SELECT pp.id, sp.brought, sp."left", pp.published_name AS name,
            pp.published_price_pence AS price_pence
        FROM stall_stock sp JOIN product pp ON pp.id = sp.product
        WHERE sp.stall = s.id AND sp.brought > 0 AND pp.is_public AND pp.active
            AND (:every_product OR pp.id = :product)
        ORDER BY pp.published_name) x
    ) AS products,
    CASE WHEN :recent THEN (
        SELECT json_group_array(json_object('id', r.id, 'client_id', r.client_id,
            'stall', r.stall, 'quantity', r.quantity, 'amount_pence', r.amount_pence,
            'method', r.method, 'tendered_pence', r.tendered_pence,
            'recorded_at', r.recorded_at, 'voided_at', r.voided_at,
            'product_name', r.product_name)) FROM ({last_sales_sql("s.id")}) r
    ) END AS recent
FROM (SELECT 1) AS one
LEFT JOIN app_user me ON me.id = :user AND me.active AND me.session_epoch = :epoch
LEFT JOIN (stall s JOIN market_day d ON d.id = s.market_day JOIN team t ON t.id = s.team
        JOIN school sc ON sc.id = t.school)
    ON s.id = :stall AND d.cluster = me.cluster AND sc.cluster = me.cluster
        AND (me.role IN ('admin', 'platform') OR (me.role = 'teacher' AND me.school = t.school)
            OR EXISTS (SELECT 1 FROM team_member m WHERE m.team = s.team AND m."user" = me.id))
LEFT JOIN (stall_stock ss JOIN product p ON p.id = ss.product)
    ON ss.stall = s.id AND ss.product = :product AND p.is_public AND p.active
"""

_TAKE = """
UPDATE stall_stock SET "left" = "left" - :quantity WHERE id = :stock AND "left" >= :quantity
RETURNING "left"
"""

_SELL = """
INSERT INTO sale (client_id, ticket, kind, label, offline, beyond_stock, stall, product,
    quantity, unit_price_pence, amount_pence, cost_pence, method, tendered_pence,
    recorded_by, recorded_at)
VALUES (:client_id, :ticket, 'product', '', 0, 0, :stall, :product, :quantity, :price,
    :amount, :cost, :method, :tendered, :user, :at)
RETURNING id
"""


async def run(
    user_id: int,
    epoch: int,
    stall_id: int,
    product_id: int,
    quantity: int,
    client_id: str,
    method: str,
    at: dt.datetime,
    ticket: str,
    tendered: int | None,
    recent: bool,
    every_product: bool,
) -> dict[str, Any]:
    """The row PostgreSQL's statement gives for these parameters (market/tap.py's `_run`):
    the read, with `left_after`, `sale_id` and `recorded_at` of the sale if it was made."""
    params = {
        "user": user_id,
        "epoch": epoch,
        "stall": stall_id,
        "product": product_id,
        "client_id": client_id,
        "recent": recent,
        "every_product": every_product,
    }
    if not product_id:  # a screen: nothing to sell, no write lock
        return _unsold(await run_sql(Stall, _READ, params), at)
    try:
        return await _tap(params, quantity, method, at, ticket, tendered)
    except sqlite3.IntegrityError:  # not expected under the write lock: rolled back, so again
        return await _tap(params, quantity, method, at, ticket, tendered)


async def _tap(
    params: dict[str, Any],
    quantity: int,
    method: str,
    at: dt.datetime,
    ticket: str,
    tendered: int | None,
) -> dict[str, Any]:
    async with write_transaction():
        row = _unsold(await run_sql(Stall, _READ, params), at)
        if not _may_sell(row, quantity, tendered):
            return row
        left = await run_sql(Stall, _TAKE, {"quantity": quantity, "stock": row["stock_id"]})
        if not left:
            return row
        price = row["price_pence"]
        sold = await run_sql(
            Stall,
            _SELL,
            {
                "client_id": params["client_id"],
                "ticket": ticket,
                "stall": params["stall"],
                "product": params["product"],
                "quantity": quantity,
                "price": price,
                "amount": price * quantity,
                "cost": row["cost_pence"] * quantity,
                "method": method,
                "tendered": tendered,
                "user": params["user"],
                "at": at,
            },
        )
        row["left_after"], row["sale_id"] = left[0]["left"], sold[0]["id"]
        return row


def _unsold(rows: list[dict[str, Any]], at: dt.datetime) -> dict[str, Any]:
    return rows[0] | {"left_after": None, "sale_id": None, "recorded_at": at}


def _may_sell(row: dict[str, Any], quantity: int, tendered: int | None) -> bool:
    """What the statement's conditions say on PostgreSQL: a sale is tried only then."""
    return (
        row["me"] is not None
        and row["id"] is not None
        and row["stock_id"] is not None
        and row["earlier_id"] is None
        and _can_sell(row)
        and (tendered is None or tendered >= row["price_pence"] * quantity)
    )
