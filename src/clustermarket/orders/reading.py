"""Reading orders: the buyer's order by its private link, and the staff's lists of orders."""

from __future__ import annotations

import logging
from typing import Any

from clustermarket.accounts.services import CurrentUser, NotFound
from clustermarket.market.services import fits_database
from clustermarket.orders import lists
from clustermarket.orders.errors import OrderError
from clustermarket.orders.tables import Order, OrderLine
from clustermarket.rows import group_rows
from clustermarket.timeutil import uk_date
from clustermarket.web.pagination import Page

log = logging.getLogger("clustermarket.orders")


ORDER_COLUMNS = (
    Order.id,
    Order.token,
    Order.buyer_name,
    Order.buyer_email,
    Order.status,
    Order.online,
    Order.total_pence,
    Order.stripe_session_id,
    Order.stripe_checkout_url,
    Order.stripe_payment_intent,
    Order.stripe_refund_id,
    Order.created_at,
    Order.paid_at,
    Order.collected_at,
    Order.closed_at,
    Order.emailed_status,
    Order.market_day.id.as_alias("day_id"),
    Order.market_day.cluster.as_alias("cluster_id"),  # a receipt shows in its cluster only
    Order.market_day.cluster.name.as_alias("cluster_name"),  # e-mails name it (addresses.py)
    Order.market_day.cluster.slug.as_alias("cluster_slug"),
    Order.market_day.cluster.host.as_alias("cluster_host"),
    Order.market_day.date.as_alias("day_date"),
    Order.market_day.location.as_alias("day_location"),
    Order.market_day.opens.as_alias("day_opens"),
    Order.market_day.closes.as_alias("day_closes"),
)
# An order's lines with their stall's team, written as SQL (the same on both engines):
# Piccolo built this joined select anew for every list page, about 2 ms of Python (more than
# the database's answer, and the most of a page of 30 orders), like media.services.photos_for.
_LINES_SQL = (
    'SELECT l.id, l."order", l.stall, l.product, l.product_name, l.quantity,'
    " l.unit_price_pence, l.collected_at, l.released_at, t.name AS team_name,"
    " t.school AS school_id"
    " FROM order_line l LEFT JOIN stall s ON s.id = l.stall LEFT JOIN team t ON t.id = s.team"
    ' WHERE l."order" IN ({ids}) ORDER BY l.id'
)


async def with_lines(orders: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each order's lines (`lines`, each with `amount_pence`), in one query for them all."""
    ids = [o["id"] for o in orders]
    sql = _LINES_SQL.replace("{ids}", ", ".join(["{}"] * len(ids)))
    grouped = group_rows(await OrderLine.raw(sql, *ids) if ids else [], "order")
    for order in orders:
        order["lines"] = lines = grouped.get(order["id"], [])
        for line in lines:
            line["amount_pence"] = line["quantity"] * line["unit_price_pence"]
    return orders


async def order_by_token(token: str) -> dict[str, Any]:
    """The buyer's order from the private link; NotFound for any other string."""
    if not token or len(token) > 64:
        raise NotFound()
    order = await Order.select(*ORDER_COLUMNS).where(Order.token == token).first()
    if order is None:
        raise NotFound()
    return (await with_lines([order]))[0]


async def order_row(order_id: int) -> dict[str, Any] | None:
    return await Order.select(*ORDER_COLUMNS).where(Order.id == order_id).first()


async def order_by_id(order_id: int) -> dict[str, Any] | None:
    order = await order_row(order_id)
    return (await with_lines([order]))[0] if order else None


async def staff_orders(user: CurrentUser, number: int = 1) -> Page:
    """A page of the orders with something from the user's school (the cluster admin: all of
    their cluster's), newest first, with their lines and the true total: one query, empty
    or full (orders/lists.py)."""
    school = None if user.is_admin else (user.school_id or 0)
    return await lists.staff_page(user.cluster_id or 0, school, number, "/staff/orders")


async def staff_order(user: CurrentUser, order_id: int) -> dict[str, Any]:
    """An order staff may see: of their cluster (another's is not found), with a line of the
    teacher's school."""
    order = await order_row(order_id) if user.is_staff and fits_database(order_id) else None
    if order is None or order["cluster_id"] != user.cluster_id:
        raise NotFound()
    order = (await with_lines([order]))[0]
    if not user.is_admin and all(x["school_id"] != user.school_id for x in order["lines"]):
        raise NotFound()
    return {
        **order,
        "status_text": lists.status_text(order["status"]),
        "day_text": uk_date(order["day_date"]),
    }


async def order_to_act_on(user: CurrentUser, order_id: int) -> dict[str, Any]:
    """An order this user may refund or cancel: a teacher only when every line is from their
    school (a mixed order is the cluster admin's), the admin always."""
    order = await staff_order(user, order_id)
    if not user.is_admin and any(x["school_id"] != user.school_id for x in order["lines"]):
        raise OrderError(
            "This order includes another school's stall: the cluster admin refunds or cancels it."
        )
    return order
