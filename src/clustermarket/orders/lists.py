"""The staff's and the buyer's lists of orders: one query per page, empty or full.

Each list is SQL written once (the same on both engines, like `reading._LINES_SQL`): the
true total (a count of the list; a teacher's: their school's count, kept by triggers), the
page's order ids (narrow rows, walked newest first and stopped at the page), each with
what its row shows and its lines (one row per line). A page past the end is the last page,
chosen in SQL from the total, so an empty list, a full page and a page past the end each
cost this one query (before: a count, then the page and its lines only when there was
something to show, 1 query empty and 3 full)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from clustermarket.orders.tables import Order
from clustermarket.web.pagination import PAGE_SIZE, Page, clamp

# The lines' columns, named as `reading.with_lines` names them (prefixed in the joined row).
_LINE_KEYS = (
    "id",
    "stall",
    "product",
    "product_name",
    "quantity",
    "unit_price_pence",
    "collected_at",
    "released_at",
    "team_name",
    "school_id",
)
_LINE_COLUMNS = (
    "l.id AS line_id, l.stall AS line_stall, l.product AS line_product,"
    " l.product_name AS line_product_name, l.quantity AS line_quantity,"
    " l.unit_price_pence AS line_unit_price_pence, l.collected_at AS line_collected_at,"
    " l.released_at AS line_released_at, t.name AS line_team_name,"
    " t.school AS line_school_id"
)
_LINE_JOINS = (
    ' LEFT JOIN order_line l ON l."order" = o.id'
    " LEFT JOIN stall s ON s.id = l.stall LEFT JOIN team t ON t.id = s.team"
)
# The page's offset: the one asked for, or the last page's when it is past the end.
_OFFSET = "(SELECT CASE WHEN total > {} THEN {} ELSE (total - 1) / {} * {} END FROM n)"


def _page_sql(
    scope: str, order: str, keys: str, page_order: str, columns: str, count: str = ""
) -> str:
    """`scope`: FROM and WHERE of the list's orders (alias o), `order`: their order, `keys`:
    the page's columns (`id` and what `page_order`, the same order, reads); `count`: the
    total (`total`) read another way than by counting the scope, with the same parameters."""
    return (
        f"WITH n AS ({count or f'SELECT COUNT(*) AS total {scope}'}),"
        f" page AS (SELECT {keys} {scope} ORDER BY {order} LIMIT {{}} OFFSET {_OFFSET})"
        f" SELECT n.total AS total, {columns}, {_LINE_COLUMNS}"
        " FROM n LEFT JOIN page ON TRUE LEFT JOIN pre_order o ON o.id = page.id"
        f" LEFT JOIN market_day d ON d.id = o.market_day{_LINE_JOINS}"
        f" ORDER BY {page_order}, l.id"
    )


_STAFF_SCOPE = "FROM pre_order o JOIN market_day d ON d.id = o.market_day WHERE d.cluster = {}"
# A teacher: orders with a line of their school's stalls, as `order_school` (kept by triggers
# on the lines) has them: walked newest first by its index (school, order) to the page, and
# counted by `order_school_count` (one row), so neither searches the order lines. A school's
# stalls are its teams' at its own cluster's market days (market.services.assign_stall), so
# its count is the cluster's list's whenever the school is the cluster's.
_SCHOOL_SCOPE = (
    'FROM order_school os JOIN pre_order o ON o.id = os."order"'
    " JOIN market_day d ON d.id = o.market_day WHERE d.cluster = {} AND os.school = {}"
)
_SCHOOL_COUNT = (
    "SELECT COALESCE(SUM(c.orders), 0) AS total FROM order_school_count c"
    " JOIN school sc ON sc.id = c.school WHERE sc.cluster = {} AND c.school = {}"
)
# What the staff's list shows of an order (templates/orders/_staff_order.html).
_STAFF_COLUMNS = (
    "o.id AS id, o.buyer_name AS buyer_name, o.buyer_email AS buyer_email,"
    " o.status AS status, o.total_pence AS total_pence,"
    " o.stripe_payment_intent AS stripe_payment_intent, d.date AS day_date"
)


@lru_cache(maxsize=2)
def _staff_sql(school: bool) -> str:
    if school:
        keys = 'os."order" AS id'
        return _page_sql(
            _SCHOOL_SCOPE, 'os."order" DESC', keys, "page.id DESC", _STAFF_COLUMNS, _SCHOOL_COUNT
        )
    return _page_sql(_STAFF_SCOPE, "o.id DESC", "o.id AS id", "page.id DESC", _STAFF_COLUMNS)


_BUYER_SCOPE = 'FROM pre_order_buyer b JOIN pre_order o ON o.id = b."order" WHERE b.account = {}'
# What "My orders" shows of an order (templates/orders/mine.html).
_BUYER_COLUMNS = (
    "o.id AS id, o.token AS token, o.status AS status, o.total_pence AS total_pence,"
    " o.created_at AS created_at, d.date AS day_date, d.location AS day_location"
)
_BUYER_SQL = _page_sql(
    _BUYER_SCOPE,
    "o.created_at DESC, b.id DESC",
    "o.id AS id, o.created_at AS created_at, b.id AS link",
    "page.created_at DESC, page.link DESC",
    _BUYER_COLUMNS,
)


async def staff_page(cluster_id: int, school_id: int | None, number: int, path: str) -> Page:
    """A page of the cluster's orders (a teacher's: with a line of their school's stalls),
    newest first, with their lines and the true total: one query."""
    scope = [cluster_id] + ([school_id] if school_id is not None else [])
    sql = _staff_sql(school_id is not None)
    return await _run(sql, scope, number, path)


async def buyer_page(account_id: int, number: int, path: str) -> Page:
    """A page of the orders placed from this account, newest first, with their lines and
    the true total: one query."""
    return await _run(_BUYER_SQL, [account_id], number, path)


async def _run(sql: str, scope: list[Any], number: int, path: str) -> Page:
    size = PAGE_SIZE
    offset = (number - 1) * size
    rows = await Order.raw(sql, *scope, *scope, size, offset, offset, size, size)
    total = int(rows[0]["total"]) if rows else 0
    return Page(
        items=_orders(rows), total=total, number=clamp(number, total, size), size=size, path=path
    )


def status_text(status: str) -> str:
    """An order's status as the lists write it: "pending payment"."""
    return status.replace("_", " ")


def _orders(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The joined rows (one per line) as orders, each with its `lines` (with `amount_pence`)
    and its `status_text`, in the query's order."""
    orders: list[dict[str, Any]] = []
    current: dict[str, Any] = {"id": None}
    # The order's own columns, chosen once (every row has the same keys)
    keys = [k for k in rows[0] if k != "total" and not k.startswith("line_")] if rows else []
    for row in rows:
        if row["id"] is None:
            continue  # the one row of an empty list: its total only
        if row["id"] != current["id"]:
            current = {k: row[k] for k in keys}
            current["status_text"] = status_text(current["status"])
            current["lines"] = []
            orders.append(current)
        if row["line_id"] is not None:
            line = {key: row["line_" + key] for key in _LINE_KEYS}
            line["order"] = row["id"]
            line["amount_pence"] = line["quantity"] * line["unit_price_pence"]
            current["lines"].append(line)
    return orders
