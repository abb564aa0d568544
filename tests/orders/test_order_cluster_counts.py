"""The cluster admin's pre-orders total comes from `order_cluster_count`, kept by triggers
on the orders (issue 17, target 5): after orders are placed through the shop's own service,
deleted, moved to another cluster's market day, and a market day moved to another cluster
(the app does neither move; done by hand the count stays right), the kept counts equal a
fresh count of the orders on both engines, and the admin's list shows that total and its
pages hold exactly the cluster's orders."""

from __future__ import annotations

import asyncio

from clustermarket.accounts.tables import Role
from clustermarket.market.tables import MarketDay
from clustermarket.orders import lists
from clustermarket.orders.tables import Order, OrderClusterCount
from tests.conftest import another_cluster, make_user, seeded_cluster, sign_in
from tests.market.helpers import make_day
from tests.orders.test_order_school_counts import place, three_stalls

_FRESH = (
    "SELECT d.cluster AS cluster, COUNT(*) AS orders FROM pre_order o"
    " JOIN market_day d ON d.id = o.market_day GROUP BY d.cluster"
)


async def assert_kept() -> dict[int, int]:
    fresh = {r["cluster"]: r["orders"] for r in await Order.raw(_FRESH)}
    rows = await OrderClusterCount.select(OrderClusterCount.cluster, OrderClusterCount.orders)
    assert {r["cluster"]: r["orders"] for r in rows if r["orders"]} == fresh
    return fresh


async def assert_admin_list(cluster: int) -> None:
    """Every page of the admin's list: the cluster's orders newest first, and their number."""
    expected = [
        r["id"]
        for r in await Order.select(Order.id)
        .where(Order.market_day.cluster == cluster)
        .order_by(Order.id, ascending=False)
    ]
    shown: list[int] = []
    number = 1
    while True:
        page = await lists.staff_page(cluster, None, number, "/staff/orders")
        assert page.total == len(expected)
        shown += [o["id"] for o in page.items]
        if number * page.size >= page.total:
            break
        number += 1
    assert shown == expected


async def test_the_kept_count_of_each_cluster_follows_every_order(client) -> None:
    cluster, other = await seeded_cluster(), await another_cluster()
    day, _, (a1, a2, b) = await three_stalls()
    placed = [await place(day, (a1,), i) for i in range(33)]
    placed += [await place(day, (a2, b), i) for i in range(3)]
    assert await assert_kept() == {cluster: 36}
    await assert_admin_list(cluster)
    await assert_admin_list(other)

    # Orders deleted; one moved to another day of the cluster (nothing changes), two to a
    # day of the other cluster; then that day moved back to the first cluster.
    await Order.delete().where(Order.id.is_in(placed[:3]))
    second_day = await make_day()
    elsewhere = await make_day()
    await MarketDay.update({MarketDay.cluster: other}).where(MarketDay.id == elsewhere)
    await Order.update({Order.market_day: second_day}).where(Order.id == placed[3])
    await Order.update({Order.market_day: elsewhere}).where(Order.id.is_in(placed[4:6]))
    assert await assert_kept() == {cluster: 31, other: 2}
    await assert_admin_list(cluster)
    await assert_admin_list(other)
    await MarketDay.update({MarketDay.cluster: cluster}).where(MarketDay.id == elsewhere)
    assert await assert_kept() == {cluster: 33}
    await assert_admin_list(other)

    # The page itself shows the kept total.
    await make_user("clusteradmin", role=Role.admin, school=None)
    await sign_in(client, "clusteradmin")
    page = await client.get("/staff/orders")
    assert "33 orders, newest first" in page.text
    assert f'<tr id="order-{placed[-1]}">' in page.text


async def test_checkouts_at_once_are_each_counted_once() -> None:
    cluster = await seeded_cluster()
    day, _, (a1, a2, b) = await three_stalls()
    placed = await asyncio.gather(*[place(day, (a1, a2, b), i) for i in range(12)])
    assert len(set(placed)) == 12
    assert await assert_kept() == {cluster: 12}
