"""The staff's and the buyer's lists of orders: one query per page, empty or full.

Each list is SQL written once (its lines joined per engine, see `_lines`): the true total
(the buyer's: a count of their orders; a teacher's: their school's count, the admin's: the
cluster's, each kept by triggers), the page's orders with what their rows show (walked
newest first and stopped at the page), and their lines (one row per line). A page past
the end is the last page, chosen in SQL from the total, so an empty list, a full page and a
page past the end each cost this one query (before: a count, then the page and its lines
only when there was something to show, 1 query empty and 3 full)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from clustermarket.db_connections import fetch_tuples
from clustermarket.orders.tables import Order
from clustermarket.settings import get_settings
from clustermarket.timeutil import uk_date
from clustermarket.web.pagination import PAGE_SIZE, Page, clamp

# The lines' columns, in this order after the order's own (`_orders` reads them by position).
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
_STALL_TEAM = "LEFT JOIN stall s ON s.id = l.stall LEFT JOIN team t ON t.id = s.team"
_ITS_LINES = 'l."order" = page.id'


def _lines(lateral: bool) -> tuple[str, str]:
    """The page's lines: what the outer query selects of them, and its join. PostgreSQL,
    costing a random read at 4× a sequential one, hashed every order line of the table to
    join a page's 30 orders (0.42 ms with 3,000 lines, growing); as a LATERAL subquery it
    reads each order's lines by `order_line_order` (0.20 ms, flat). SQLite has no LATERAL
    and searches that index for each order anyway."""
    if lateral:
        subquery = f"SELECT {_LINE_COLUMNS} FROM order_line l {_STALL_TEAM} WHERE {_ITS_LINES}"
        return "x.*", f" LEFT JOIN LATERAL ({subquery}) x ON TRUE"
    return _LINE_COLUMNS, f" LEFT JOIN order_line l ON {_ITS_LINES} {_STALL_TEAM}"


# The page's offset: the one asked for, or the last page's when it is past the end.
_OFFSET = "(SELECT CASE WHEN total > {} THEN {} ELSE (total - 1) / {} * {} END FROM n)"


# What a list shows of an order, as (name, SQL) pairs, `id` first.
Columns = tuple[tuple[str, str], ...]


@lru_cache(maxsize=8)
def _page_sql(
    postgres: bool, scope: str, order: str, keys: str, page_order: str, columns: Columns, count: str
) -> str:
    """`scope`: FROM and WHERE of the list's orders (alias o, their market day d), `order`:
    their order, `columns`: what a row shows (its market day added last, see `_orders`),
    `keys`: more columns that `page_order`, the same order, reads (or ""; not sent back);
    `count`: the total (`total`), with the same parameters as the scope. The page's rows
    carry what they show, so the outer query only adds their lines (joining the orders again
    by id made PostgreSQL hash every order of the table for a page of 30)."""
    lines, join = _lines(postgres)
    columns = (*columns, ("day_date", "d.date"))
    chosen = ", ".join(f"{sql} AS {name}" for name, sql in columns)
    shown = ", ".join(f"page.{name}" for name, _ in columns)
    return (
        f"WITH n AS ({count}),"
        f" page AS (SELECT {chosen}{keys} {scope} ORDER BY {order} LIMIT {{}} OFFSET {_OFFSET})"
        f" SELECT n.total AS total, {shown}, {lines} FROM n LEFT JOIN page ON TRUE{join}"
        f" ORDER BY {page_order}, line_id"
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
# The admin: the cluster's count of orders (`order_cluster_count`, kept by triggers on the
# orders), one row, instead of counting every order of the cluster.
_CLUSTER_COUNT = (
    "SELECT COALESCE(SUM(c.orders), 0) AS total FROM order_cluster_count c WHERE c.cluster = {}"
)
# What the staff's list shows of an order (templates/orders/_staff_order.html).
_STAFF_COLUMNS: Columns = (
    ("id", "o.id"),
    ("buyer_name", "o.buyer_name"),
    ("buyer_email", "o.buyer_email"),
    ("status", "o.status"),
    ("total_pence", "o.total_pence"),
    ("stripe_payment_intent", "o.stripe_payment_intent"),
)


def _staff_sql(school: bool) -> str:
    postgres = get_settings().is_postgres
    if school:
        scope, order, count = _SCHOOL_SCOPE, 'os."order" DESC', _SCHOOL_COUNT
    else:
        scope, order, count = _STAFF_SCOPE, "o.id DESC", _CLUSTER_COUNT
    return _page_sql(postgres, scope, order, "", "page.id DESC", _STAFF_COLUMNS, count)


_BUYER_SCOPE = (
    'FROM pre_order_buyer b JOIN pre_order o ON o.id = b."order"'
    " JOIN market_day d ON d.id = o.market_day WHERE b.account = {}"
)
# What "My orders" shows of an order (templates/orders/mine.html).
_BUYER_COLUMNS: Columns = (
    ("id", "o.id"),
    ("token", "o.token"),
    ("status", "o.status"),
    ("total_pence", "o.total_pence"),
    ("day_location", "d.location"),
)
# Newest first by the order's time as the link keeps it (`BuyerAccount.created_at`): walked
# by the index (account, created_at, id) to the page, and counted from the links alone (a
# link always has its order and the order its day), instead of reading every order of the
# account and sorting them for a page of 30.
_BUYER_COUNT = "SELECT COUNT(*) AS total FROM pre_order_buyer b WHERE b.account = {}"
_BUYER_ORDER = (
    "b.created_at DESC, b.id DESC",
    ", b.created_at AS created_at, b.id AS link",
    "page.created_at DESC, page.link DESC",
)


async def staff_page(cluster_id: int, school_id: int | None, number: int, path: str) -> Page:
    """A page of the cluster's orders (a teacher's: with a line of their school's stalls),
    newest first, with their lines and the true total: one query."""
    scope = [cluster_id] + ([school_id] if school_id is not None else [])
    sql = _staff_sql(school_id is not None)
    return await _run(sql, _STAFF_COLUMNS, scope, number, path)


async def buyer_page(account_id: int, number: int, path: str) -> Page:
    """A page of the orders placed from this account, newest first, with their lines and
    the true total: one query."""
    postgres = get_settings().is_postgres
    sql = _page_sql(postgres, _BUYER_SCOPE, *_BUYER_ORDER, _BUYER_COLUMNS, _BUYER_COUNT)
    return await _run(sql, _BUYER_COLUMNS, [account_id], number, path)


async def _run(sql: str, columns: Columns, scope: list[Any], number: int, path: str) -> Page:
    size = PAGE_SIZE
    offset = (number - 1) * size
    arguments = (*scope, *scope, size, offset, offset, size, size)
    rows = await fetch_tuples(Order, sql, *arguments, values_written=True)  # planned once
    total = int(rows[0][0]) if rows else 0
    return Page(
        items=_orders(rows, (*(name for name, _ in columns), "day_date")),
        total=total,
        number=clamp(number, total, size),
        size=size,
        path=path,
    )


def status_text(status: str) -> str:
    """An order's status as the lists write it: "pending payment"."""
    return status.replace("_", " ")


def _day(raw: dt.date | str) -> tuple[dt.date, str]:
    date = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(raw)
    return date, uk_date(date)


def _orders(rows: list[Sequence[Any]], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """The joined rows (one per line: the total, the order's `keys`, the line's columns) as
    orders, each with its `lines` (with `amount_pence`), its `status_text` and its market
    day (`day_date`, `day_text`), in the query's order.

    Each market day is made a date and words once per page (SQLite hands the date back as its
    stored text where a column's type does not reach the outer query)."""
    orders: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    days: dict[Any, tuple[dt.date, str]] = {}
    current = None
    start = len(keys) + 1  # where the line's columns start
    # zip without `strict`: a keyword argument takes zip off its fast call (+0.4 µs a dict)
    for row in rows:
        order_id = row[1]
        if order_id != current:
            if order_id is None:
                continue  # the one row of an empty list: its total only
            current = order_id
            order = dict(zip(keys, row[1:start]))  # noqa: B905
            order["status_text"] = status_text(order["status"])
            day = days.get(order["day_date"])
            if day is None:
                day = days[order["day_date"]] = _day(order["day_date"])
            order["day_date"], order["day_text"] = day
            order["lines"] = lines = []
            orders.append(order)
        if row[start] is not None:
            line = dict(zip(_LINE_KEYS, row[start:]))  # noqa: B905
            line["order"] = order_id
            line["amount_pence"] = line["quantity"] * line["unit_price_pence"]
            lines.append(line)
    return orders
