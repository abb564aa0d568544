"""Issue 15, area B: market days, stalls, pre-orders and reports stay in their cluster.

Two clusters with a market in each (Aylsham: "Aylsham Market Place", team Aylsham Makers;
Broadland: "Reepham Square", team Broad Weavers), served by host. Every client here is
Aylsham's (a visitor, a pupil of its team, a teacher, its admin): Broadland's names never show,
Broadland's ids answer 404 / "not found" like ids that do not exist, and nothing of
Broadland's changes. Broadland's own admin sees Broadland's rows (so the data is really there).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
from dataclasses import dataclass
from typing import Any

import pytest

from clustermarket.accounts.tables import Role
from clustermarket.market.tables import (
    Expense,
    MarketDay,
    MarketStatus,
    Sale,
    Stall,
    StallStock,
)
from clustermarket.orders.tables import Order, OrderLine, OrderStatus, PreOrderWindow
from clustermarket.timeutil import now, today_uk
from tests.clusters.conftest import AYLSHAM_HOST, BROADLAND_HOST
from tests.conftest import make_client, make_user, post_form, sign_in
from tests.market.helpers import left_of, make_product, make_stall, make_team, tap

B_NAMES = ("Reepham Square", "Broad Weavers", "Marsh Basket", "Reepham High", "Wren Broadbuyer")


@dataclass
class Sides:
    a_day: int
    a_stall: int
    a_team: int
    a_candle: int
    b_day: int
    b_stall: int
    b_team: int
    b_basket: int
    b_order: int
    b_token: str
    b_school: int


async def _day(cluster_id: int, location: str) -> int:
    [row] = await MarketDay.insert(
        MarketDay(
            cluster=cluster_id,
            date=today_uk(),
            location=location,
            opens=dt.time(9),
            closes=dt.time(13),
            status=MarketStatus.open,
        )
    ).returning(MarketDay.id)
    return row["id"]


async def _order(day: int, stall: int, product: int, buyer: str) -> tuple[int, str]:
    token = secrets.token_urlsafe(24)
    [row] = await Order.insert(
        Order(
            market_day=day,
            token=token,
            buyer_name=buyer,
            buyer_email="wren@example.org",
            status=OrderStatus.reserved,
            total_pence=900,
            created_at=now(),
            updated_at=now(),
        )
    ).returning(Order.id)
    await OrderLine.insert(
        OrderLine(
            order=row["id"],
            stall=stall,
            product=product,
            product_name="Marsh Basket",
            quantity=1,
            unit_price_pence=900,
        )
    )
    return row["id"], token


@pytest.fixture
async def sides(two_clusters: dict[str, Any]) -> Sides:
    a_team = await make_team("aylsham-makers", members=("ameliab",))
    await make_user("staylor", role=Role.teacher, school="aylsham-high")
    a_candle = await make_product(a_team, "Beeswax candle", 450, 180)
    a_day = await _day(two_clusters["aylsham"], "Aylsham Market Place")
    a_stall = await make_stall(a_day, a_team, {a_candle: 10})

    b_team = await make_team("broad-weavers", school="reepham-high", members=("wrenb",))
    b_basket = await make_product(b_team, "Marsh Basket", 900, 300)
    b_day = await _day(two_clusters["broadland"], "Reepham Square")
    b_stall = await make_stall(b_day, b_team, {b_basket: 10})
    await PreOrderWindow.insert(PreOrderWindow(market_day=b_day, member_discount_percent=10))
    b_order, b_token = await _order(b_day, b_stall, b_basket, "Wren Broadbuyer")
    async with make_client(f"http://{BROADLAND_HOST}", cluster_routing="host") as wren:
        await sign_in(wren, "wrenb")
        assert (await tap(wren, b_stall, b_basket)).status_code in (200, 303)
    from clustermarket.schools.tables import School

    b_school = (await School.select(School.id).where(School.slug == "reepham-high").first())["id"]
    return Sides(
        a_day,
        a_stall,
        a_team,
        a_candle,
        b_day,
        b_stall,
        b_team,
        b_basket,
        b_order,
        b_token,
        b_school,
    )


def aylsham() -> Any:
    return make_client(f"http://{AYLSHAM_HOST}", cluster_routing="host")


def assert_no_b(text: str, where: str) -> None:
    for name in B_NAMES:
        assert name not in text, f"{name} shown at {where}"


async def _b_unchanged(s: Sides) -> None:
    day = await MarketDay.select().where(MarketDay.id == s.b_day).first()
    assert day["status"] == MarketStatus.open and day["location"] == "Reepham Square"
    assert await Stall.count().where(Stall.market_day == s.b_day) == 1
    assert await left_of(s.b_stall, s.b_basket) == 9  # Wren's one sale, nothing else
    assert await Sale.count().where(Sale.stall == s.b_stall) == 1
    order = await Order.select(Order.status).where(Order.id == s.b_order).first()
    assert order["status"] == OrderStatus.reserved


async def test_broadland_sees_its_own_market(sides: Sides) -> None:
    async with make_client(f"http://{BROADLAND_HOST}", cluster_routing="host") as bea:
        await sign_in(bea, "admin", "broadland-password-1")
        page = await bea.get("/admin/market-days")
        assert "Reepham Square" in page.text and "Aylsham Market Place" not in page.text
        assert (await bea.get(f"/admin/market-days/{sides.b_day}")).status_code == 200
        assert (await bea.get(f"/admin/market-days/{sides.a_day}")).status_code == 404
        report = await bea.get("/reports?report=cluster")
        assert "Reepham High" in report.text and "Aylsham High School" not in report.text


async def test_a_visitor_sees_only_this_clusters_market(sides: Sides) -> None:
    async with aylsham() as client:
        for path in ("/market-days", f"/market-days/{sides.a_day}"):
            page = await client.get(path)
            assert page.status_code == 200, path
            assert_no_b(page.text, path)
        home = (await client.get("/")).text  # its products are the catalogue's (area A)
        assert "Aylsham Market Place" in home and "Reepham Square" not in home
        assert "Aylsham Market Place" in (await client.get("/market-days")).text
        for path in (
            f"/market-days/{sides.b_day}",
            f"/market-days/{sides.b_day}/pre-order",
            f"/orders/{sides.b_token}",
            f"/orders/{sides.b_token}/calendar.ics",
            f"/orders/{sides.b_token}/unpaid",
        ):
            assert (await client.get(path)).status_code == 404, path
        await client.get(f"/market-days/{sides.a_day}/pre-order")
        filled = await post_form(
            client, "/basket", {"day_id": str(sides.b_day), f"qty_{sides.b_basket}": "1"}
        )
        assert filled.status_code == 404
        cancel = await post_form(client, f"/orders/{sides.b_token}/cancel", {})
        assert cancel.status_code == 404
        basket = await client.get("/basket")
        assert_no_b(basket.text, "/basket")
    await _b_unchanged(sides)


async def test_a_pupil_cannot_reach_the_other_clusters_stall(sides: Sides) -> None:
    async with aylsham() as client:
        await sign_in(client, "ameliab")
        assert (await client.get(f"/stalls/{sides.a_stall}")).status_code == 200
        for path in (
            f"/stalls/{sides.b_stall}",
            f"/stalls/{sides.b_stall}/till",
            f"/stalls/{sides.b_stall}/stock",
            f"/stalls/{sides.b_stall}/summary",
            f"/teams/{sides.b_team}/market",
        ):
            assert (await client.get(path)).status_code == 404, path
        sold = await tap(client, sides.b_stall, sides.b_basket)
        assert sold.status_code == 404
        page = await client.get(f"/teams/{sides.a_team}/market")
        assert page.status_code == 200
        assert_no_b(page.text, "the team's market page")
    await _b_unchanged(sides)


async def test_a_teacher_sees_only_this_clusters_orders_and_reports(sides: Sides) -> None:
    async with aylsham() as client:
        await sign_in(client, "staylor")
        for path in ("/staff/orders", "/reports", "/reports?report=products"):
            page = await client.get(path)
            assert page.status_code == 200, path
            assert_no_b(page.text, path)
        refund = await post_form(client, f"/staff/orders/{sides.b_order}/cancel", {})
        assert refund.status_code == 404
    await _b_unchanged(sides)


async def test_the_cluster_admin_manages_only_their_clusters_market(sides: Sides) -> None:
    async with aylsham() as client:
        await sign_in(client, "admin", "aylsham-password-1")
        for path in (
            "/admin/market-days",
            f"/admin/market-days/{sides.a_day}",
            "/staff/orders",
            "/reports?report=cluster",
            "/reports?report=teams",
            "/reports?report=schools",
            "/reports?report=methods",
            "/reports?report=products",
            "/reports?report=member-prices",
        ):
            page = await client.get(path)
            assert page.status_code == 200, path
            assert_no_b(page.text, path)
        admin_day = (await client.get(f"/admin/market-days/{sides.a_day}")).text
        assert "Aylsham Makers" in admin_day
        for path in (
            f"/admin/market-days/{sides.b_day}",
            f"/admin/market-days/{sides.b_day}/edit",
            f"/admin/market-days/{sides.b_day}/closing",
            f"/admin/market-days/{sides.b_day}/pre-orders",
            f"/stalls/{sides.b_stall}",
            f"/stalls/{sides.b_stall}/summary",
            f"/teams/{sides.b_team}/market",
            f"/reports?report=teams&school={sides.b_school}",
            f"/reports/teams/csv?school={sides.b_school}",
        ):
            assert (await client.get(path)).status_code == 404, path
        # The report's "one market day" list and its choice are the cluster's days only.
        page = (await client.get("/reports?report=teams")).text
        days = page[page.index('<select id="range-day"') :].split("</select>")[0]
        assert f'value="{sides.a_day}"' in days and f'value="{sides.b_day}"' not in days
        other_day = await client.get(f"/reports?report=teams&day={sides.b_day}")
        assert other_day.status_code == 400
        assert "Choose a market day from the list" in other_day.text
        b = f"/admin/market-days/{sides.b_day}"
        writes = {
            f"{b}/status": {"status": "closed"},
            f"{b}/edit": {
                "date": today_uk().isoformat(),
                "location": "Moved",
                "opens": "09:00",
                "closes": "13:00",
            },
            f"{b}/remove": {},
            f"{b}/stalls/{sides.b_stall}/remove": {},
            f"{b}/stalls": {"team": str(sides.a_team), "pitch": "x"},
            f"{b}/pre-orders": {"max_orders": "1"},
            f"/staff/orders/{sides.b_order}/cancel": {},
            f"/teams/{sides.b_team}/market/expenses": {"kind": "materials", "amount": "5"},
        }
        for path, form in writes.items():
            assert (await post_form(client, path, form)).status_code == 404, path
        assert (await tap(client, sides.b_stall, sides.b_basket)).status_code == 404
        # a Broadland team on an Aylsham day is "not found" like a team that does not exist
        stall = await post_form(
            client, f"/admin/market-days/{sides.a_day}/stalls", {"team": str(sides.b_team)}
        )
        assert stall.status_code == 400
        assert await Stall.count().where(Stall.team == sides.b_team) == 1
        # an expense on a Broadland day is refused (the day is not in the list)
        spent = await post_form(
            client,
            f"/teams/{sides.a_team}/market/expenses",
            {"kind": "materials", "amount": "5", "market_day": str(sides.b_day)},
        )
        assert spent.status_code == 400
        assert await Expense.count() == 0
        # a new market day belongs to the request's cluster
        made = await post_form(
            client,
            "/admin/market-days",
            {
                "date": today_uk().isoformat(),
                "location": "Buttlands",
                "opens": "09:00",
                "closes": "12:00",
            },
            follow_redirects=False,
        )
        assert made.status_code in (302, 303)
        new = await MarketDay.select(MarketDay.cluster).where(MarketDay.location == "Buttlands")
        assert [r["cluster"] for r in new] == [
            (await MarketDay.select(MarketDay.cluster).where(MarketDay.id == sides.a_day))[0][
                "cluster"
            ]
        ]
        csv_page = await client.get("/reports/cluster/csv")
        assert csv_page.status_code == 200
        rows = list(csv.reader(io.StringIO(csv_page.text)))
        assert_no_b(csv_page.text, "the cluster CSV")
        assert any(row and row[0] == "Aylsham High School" for row in rows[1:])
    await _b_unchanged(sides)
    assert await StallStock.count().where(StallStock.stall == sides.b_stall) == 1


async def test_an_order_e_mail_names_its_own_cluster_and_address(sides: Sides) -> None:
    from dataclasses import replace

    from clustermarket.orders.mail import receipt_message
    from clustermarket.orders.reading import order_by_id
    from clustermarket.orders.reservations import confirmation_message
    from clustermarket.settings import get_settings

    settings = replace(
        get_settings(), cluster_routing="host", public_url="https://aylsham.example.org"
    )
    order = await order_by_id(sides.b_order)
    for message in (
        receipt_message(settings, order, OrderStatus.reserved),
        confirmation_message(settings, order, "a-token"),
    ):
        body = message.get_content()
        assert "Broadland Cluster Market" in body
        assert f"https://{BROADLAND_HOST}/" in body
        assert "Aylsham" not in body + message["Subject"]
    by_path = replace(settings, cluster_routing="path")
    assert "https://aylsham.example.org/c/broadland/orders/" in (
        receipt_message(by_path, order, OrderStatus.reserved).get_content()
    )
