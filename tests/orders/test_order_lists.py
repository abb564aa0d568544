"""The order lists ("My orders", the staff's pre-orders) cost one query for the page, its
lines and the true total, whether the list is empty, full or asked for a page past its end
(issue 17, target 5), and show what they showed before: the lines as the receipt reads
them, newest first, a teacher's school's orders only, the last page for a page too far."""

from __future__ import annotations

import datetime as dt

from clustermarket.orders import lists
from clustermarket.orders.reading import with_lines
from clustermarket.orders.tables import BuyerAccount, Order
from clustermarket.timeutil import now
from tests.conftest import school_id, seeded_cluster, sign_in
from tests.web.test_row_queries import add_orders, count_queries, order_world

PATHS = {
    "admin": ["/staff/orders", "/staff/orders?page=3", "/staff/orders?page=99"],
    "staylor": ["/staff/orders", "/staff/orders?page=2"],
    "jpatel": ["/my/orders", "/my/orders?page=99", "/my/orders?page=2147483647"],
}


async def test_an_empty_order_list_reads_as_often_as_a_full_page(client) -> None:
    buyer, stalls = await order_world()
    empty = await count_queries(client, PATHS)
    await add_orders(70, buyer, stalls)
    full = await count_queries(client, PATHS)
    assert empty == full


async def test_the_lists_show_the_orders_as_before(client) -> None:
    buyer, stalls = await order_world()
    await add_orders(64, buyer, stalls)
    await add_orders(1, buyer, stalls[2:])  # Buxton's stall only: not the teacher's
    cluster = await seeded_cluster()

    page = await lists.staff_page(cluster, None, 1, "/staff/orders")
    assert page.total == 65 and len(page.items) == 30
    ids = [o["id"] for o in page.items]
    assert ids == sorted(ids, reverse=True)
    expected = await with_lines(
        await Order.select(Order.id).where(Order.id.is_in(ids)).order_by(Order.id, ascending=False)
    )
    assert [o["lines"] for o in page.items] == [o["lines"] for o in expected]

    teacher = await lists.staff_page(cluster, await school_id("aylsham-high"), 99, "/")
    assert (teacher.total, teacher.number, len(teacher.items)) == (64, 3, 4)
    buxton_id = await school_id("buxton")
    buxton = await lists.staff_page(cluster, buxton_id, 1, "/")
    assert buxton.total == 22  # every third order has a line of Buxton's stall, and the last
    assert all(any(x["school_id"] == buxton_id for x in o["lines"]) for o in buxton.items)
    other = await lists.staff_page(cluster + 1000, None, 1, "/")
    assert (other.total, other.items) == (0, [])

    mine = await lists.buyer_page(buyer, 3, "/my/orders")
    assert (mine.total, mine.number, len(mine.items)) == (65, 3, 5)
    first = (await lists.buyer_page(buyer, 1, "/")).items
    newest = await Order.select(Order.id).order_by(Order.created_at, ascending=False).limit(30)
    assert [o["id"] for o in first] == [o["id"] for o in newest]

    await sign_in(client, "jpatel")
    last = await client.get("/my/orders?page=99")
    assert "Page 3 of 3" in last.text and last.text.count('class="card"') == 5


async def test_my_orders_go_by_each_order_s_time_whatever_the_links_say(client) -> None:
    """The buyer's list walks the links by the order's time they keep: an order's time is
    copied to its link whatever the insert says, and follows the order if it changes."""
    buyer, stalls = await order_world()
    await add_orders(40, buyer, stalls)
    ids = [o["id"] for o in await Order.select(Order.id).order_by(Order.id)]
    links = BuyerAccount.select(BuyerAccount.order, BuyerAccount.created_at)
    times = {o["id"]: o["created_at"] for o in await Order.select(Order.id, Order.created_at)}
    assert {x["order"]: x["created_at"] for x in await links} == times

    # The oldest order made the newest, a link said to be of another time, moved to another order
    await Order.update({Order.created_at: now() + dt.timedelta(days=1)}).where(Order.id == ids[0])
    await BuyerAccount.update({BuyerAccount.created_at: now() - dt.timedelta(days=9)}).where(
        BuyerAccount.order == ids[-1]
    )
    await BuyerAccount.delete().where(BuyerAccount.order == ids[1])
    await BuyerAccount.update({BuyerAccount.order: ids[1]}).where(BuyerAccount.order == ids[2])
    await BuyerAccount.insert(BuyerAccount(order=ids[2], account=buyer, created_at=now()))
    times = {o["id"]: o["created_at"] for o in await Order.select(Order.id, Order.created_at)}
    assert {x["order"]: x["created_at"] for x in await links} == times

    newest = await Order.select(Order.id).order_by(Order.created_at, ascending=False)
    pages = [await lists.buyer_page(buyer, n, "/my/orders") for n in (1, 2)]
    assert [o["id"] for p in pages for o in p.items] == [o["id"] for o in newest]
    assert pages[0].items[0]["id"] == ids[0] and pages[0].total == 40
