"""A teacher's pre-orders come from `order_school` (each order's lines per school) and its
count per school, both kept by triggers on the order lines (issue 17, target 5): after orders
are placed through the shop's own service, lines removed and moved to another school's stall
or another order, orders deleted (their lines go with them) and a stall or a team moved to
another school, the kept rows equal a fresh
count of the lines, on both engines, and each teacher's list shows the orders and the total
that the lines themselves give."""

from __future__ import annotations

import asyncio

from clustermarket.market.tables import Stall
from clustermarket.orders import lists
from clustermarket.orders.services import place_order
from clustermarket.orders.tables import Order, OrderLine, OrderSchool, OrderSchoolCount
from clustermarket.teams.tables import Team
from tests.conftest import make_user, school_id, seeded_cluster, sign_in
from tests.market.helpers import make_day, make_product, make_stall, make_team

# Each school's orders as the lines give them (the teacher's list before order_school).
_FRESH = (
    'SELECT l."order" AS "order", t.school AS school, COUNT(*) AS lines FROM order_line l'
    " JOIN stall s ON s.id = l.stall JOIN team t ON t.id = s.team"
    ' GROUP BY l."order", t.school'
)


async def fresh_rows() -> set[tuple[int, int, int]]:
    return {(r["order"], r["school"], r["lines"]) for r in await OrderLine.raw(_FRESH)}


async def kept_rows() -> set[tuple[int, int, int]]:
    rows = await OrderSchool.select(OrderSchool.order, OrderSchool.school, OrderSchool.lines)
    return {(r["order"], r["school"], r["lines"]) for r in rows}


async def kept_counts() -> dict[int, int]:
    rows = await OrderSchoolCount.select(OrderSchoolCount.school, OrderSchoolCount.orders)
    return {r["school"]: r["orders"] for r in rows if r["orders"]}


async def assert_kept() -> None:
    fresh = await fresh_rows()
    assert await kept_rows() == fresh
    counts: dict[int, int] = {}
    for _, school, _ in fresh:
        counts[school] = counts.get(school, 0) + 1
    assert await kept_counts() == counts


async def assert_lists_as_the_lines_give_them(cluster: int, schools: list[int]) -> None:
    """Each teacher's list (all its pages) holds the orders with a line at its school's
    stalls, newest first, and its total is their number."""
    fresh = await fresh_rows()
    for school in schools:
        expected = sorted({order for order, s, _ in fresh if s == school}, reverse=True)
        shown: list[int] = []
        number = 1
        while True:
            page = await lists.staff_page(cluster, school, number, "/staff/orders")
            assert page.total == len(expected)
            shown += [o["id"] for o in page.items]
            if number * page.size >= page.total:
                break
            number += 1
        assert shown == expected


async def three_stalls() -> tuple[int, list[int], list[int]]:
    """A market day with two stalls of Aylsham High and one of Buxton, a product each:
    (day, stalls, products)."""
    day = await make_day()
    stalls, products = [], []
    for n, school in enumerate(("aylsham-high", "aylsham-high", "buxton")):
        team = await make_team(f"sellers-{n}", school=school)
        product = await make_product(team, f"Thing {n}", 300 + n, 100)
        products.append(product)
        stalls.append(await make_stall(day, team, {product: 500}))
    return day, stalls, products


async def place(day: int, items: tuple[int, ...], i: int = 0) -> int:
    basket = {"day": day, "items": {str(p): 1 for p in items}}
    return (await place_order(False, basket, f"Buyer {i}", f"b{i}@example.org"))["id"]


async def test_the_kept_orders_of_each_school_follow_every_line(client) -> None:
    await make_user("staylor", role="teacher")
    aylsham, buxton = await school_id("aylsham-high"), await school_id("buxton")
    cluster = await seeded_cluster()
    day, stalls, (a1, a2, b) = await three_stalls()

    async def order(*items: int, n: int = 1) -> list[int]:
        return [await place(day, items, i) for i in range(n)]

    # Orders of one stall, of two stalls of one school, of both schools (either way round).
    only_a = await order(a1, n=25)
    two_a = await order(a1, a2, n=3)
    mixed = await order(a2, b, n=4) + await order(b, a1, n=3)
    only_b = await order(b, n=2)
    await assert_kept()
    assert (await kept_counts())[aylsham] == 25 + 3 + 7
    assert (await kept_counts())[buxton] == 7 + 2
    assert (two_a[0], aylsham, 2) in await kept_rows()
    await assert_lists_as_the_lines_give_them(cluster, [aylsham, buxton, buxton + 1000])

    # A line removed (its order keeps its other school), an order's last line of a school
    # removed, a whole order deleted with its lines, a line moved to another school's stall
    # and one to another order; a change of another column moves nothing.
    first_line = (
        await OrderLine.select(OrderLine.id)
        .where(OrderLine.order == mixed[0])
        .order_by(OrderLine.id)
        .first()
    )
    await OrderLine.delete().where(OrderLine.id == first_line["id"])  # Aylsham's of two
    await OrderLine.delete().where(OrderLine.order == two_a[0])
    await Order.delete().where(Order.id.is_in([only_a[0], mixed[1], only_b[0]]))
    await OrderLine.update({OrderLine.stall: stalls[2]}).where(OrderLine.order == only_a[1])
    await OrderLine.update({OrderLine.order: only_a[3]}).where(OrderLine.order == two_a[1])
    await OrderLine.update({OrderLine.quantity: 2}).where(OrderLine.order == only_a[4])
    await OrderLine.update({OrderLine.stall: stalls[1]}).where(OrderLine.order == only_a[5])
    await assert_kept()
    counts = await kept_counts()
    # Aylsham lost mixed[0], mixed[1], two_a[0], two_a[1], only_a[0] and only_a[1] (moved
    # to Buxton); Buxton lost mixed[1] and only_b[0] and gained only_a[1].
    assert (counts[aylsham], counts[buxton]) == (35 - 6, 9 - 2 + 1)
    assert (only_a[3], aylsham, 3) in await kept_rows()
    await assert_lists_as_the_lines_give_them(cluster, [aylsham, buxton])

    # The app never gives a stall to another team nor a team to another school; done by
    # hand, the orders' rows are made again all the same.
    teams = [r["team"] for r in await Stall.select(Stall.team).order_by(Stall.id)]
    await Stall.update({Stall.team: teams[2]}).where(Stall.id == stalls[0])
    await assert_kept()
    await Team.update({Team.school: await school_id("colby")}).where(Team.id == teams[1])
    await assert_kept()
    await Stall.update({Stall.team: teams[0]}).where(Stall.id == stalls[0])
    await Team.update({Team.school: aylsham}).where(Team.id == teams[1])
    await assert_kept()
    assert await kept_counts() == counts

    # The page itself: the teacher's total as the lines give it, one school's only.
    await sign_in(client, "staylor")
    page = await client.get("/staff/orders")
    assert f"{counts[aylsham]} orders, newest first" in page.text
    shown = await lists.staff_page(cluster, aylsham, 1, "/staff/orders")
    assert all(f'<tr id="order-{o["id"]}">' in page.text for o in shown.items)
    assert f'<tr id="order-{only_a[1]}">' not in page.text


async def test_checkouts_at_once_are_each_counted_once() -> None:
    day, _, (a1, a2, b) = await three_stalls()
    placed = await asyncio.gather(*[place(day, (a1, a2, b), i) for i in range(12)])
    assert len(set(placed)) == 12
    await assert_kept()
    aylsham, buxton = await school_id("aylsham-high"), await school_id("buxton")
    assert await kept_counts() == {aylsham: 12, buxton: 12}
