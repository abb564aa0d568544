"""Every list a user can grow shows the true total, a page at a time, with plain links that
work without JS; a bad page number shows page 1 (or the last page), never an error; and a
page costs the same number of queries with a few rows or many."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from clustermarket.accounts.tables import Role, User
from clustermarket.catalogue.tables import ContentStatus, Product
from clustermarket.market.tables import MarketStatus, StallStock
from clustermarket.moderation.tables import ModerationLog
from clustermarket.orders.tables import BuyerAccount, Order, OrderLine
from clustermarket.projects.tables import Project
from clustermarket.sharing.tables import Comment, Idea
from clustermarket.timeutil import now
from tests.conftest import QueryCounter, make_user, school_id, sign_in
from tests.market.helpers import make_day, make_stall, make_team

APPROVED = {"status": ContentStatus.approved, "is_public": True}


async def products(team: int, count: int, start: int = 0) -> list[int]:
    rows = [
        Product(
            team=team,
            name=f"Thing {n}",
            price_pence=100 + n,
            published_name=f"Thing {n}",
            published_price_pence=100 + n,
            created_at=now(),
            updated_at=now(),
            **APPROVED,
        )
        for n in range(start, start + count)
    ]
    return [r["id"] for r in await Product.insert(*rows).returning(Product.id)]


def names_on(page: str) -> list[str]:
    return re.findall(r"Thing \d+", page)


async def test_products_show_the_true_total_and_page_through_it(client) -> None:
    team = await make_team("aylsham-makers")
    await products(team, 65)

    first = await client.get("/products")
    assert first.status_code == 200
    assert "65 products" in first.text and "Page 1 of 3" in first.text
    assert names_on(first.text) == [f"Thing {n}" for n in range(64, 34, -1)]  # newest first
    assert 'href="/products?page=2" rel="next"' in first.text
    assert 'rel="prev"' not in first.text

    second = await client.get("/products?page=2")
    assert names_on(second.text) == [f"Thing {n}" for n in range(34, 4, -1)]
    assert 'href="/products" rel="prev"' in second.text
    assert 'href="/products?page=3" rel="next"' in second.text
    last = await client.get("/products?page=3")
    assert names_on(last.text) == [f"Thing {n}" for n in range(4, -1, -1)]
    assert 'rel="next"' not in last.text

    # The search is kept in the pager's links; the total is the search's.
    await products(team, 31, start=100)
    found = await client.get("/products?q=Thing+1")
    total = sum(1 for n in [*range(65), *range(100, 131)] if str(n).startswith("1"))
    assert f"{total} products matching" in found.text
    assert 'href="/products?q=Thing+1&amp;page=2"' in found.text


async def test_a_bad_page_number_shows_a_page_never_an_error(client) -> None:
    team = await make_team("aylsham-makers")
    await products(team, 40)
    for raw in ("abc", "0", "-3", "1.5", "99999999999999999999", "٣", ""):
        answer = await client.get("/products", params={"page": raw})
        assert answer.status_code == 200, raw
        assert "Page 1 of 2" in answer.text and "Thing 39" in answer.text, raw
    beyond = await client.get("/products?page=9")  # past the end: the last page
    assert beyond.status_code == 200 and "Page 2 of 2" in beyond.text
    assert names_on(beyond.text) == [f"Thing {n}" for n in range(9, -1, -1)]
    fragment = await client.get("/products?page=zz", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "40 products" in fragment.text


async def test_market_day_items_page_stall_by_stall(client) -> None:
    day = await make_day(MarketStatus.planned, date=dt.date.today() + dt.timedelta(days=3))
    teams = [await make_team(f"team-{n}") for n in range(3)]
    for n, team in enumerate(teams):
        made = await products(team, 30, start=n * 100)
        await make_stall(day, team, {p: 5 for p in made})
    assert await StallStock.count() == 90

    first = await client.get(f"/market-days/{day}")
    assert "90 items on sale, 1–60 shown" in first.text and "Page 1 of 2" in first.text
    assert "Team 0" in first.text and "Team 1" in first.text and "Team 2" not in first.text
    second = await client.get(f"/market-days/{day}?page=2")
    assert "61–90 shown" in second.text and "Team 2" in second.text
    assert "Team 0" not in second.text
    assert len(names_on(first.text)) == 60 and len(names_on(second.text)) == 30
    assert (await client.get(f"/market-days/{day}?page=x")).status_code == 200


async def ideas(count: int, school: int, author: int) -> list[int]:
    rows = [
        Idea(
            author=author,
            school=school,
            tag="general",
            title=f"Idea {n}",
            body="An idea.",
            created_at=now() + dt.timedelta(seconds=n),
            **APPROVED,
        )
        for n in range(count)
    ]
    return [r["id"] for r in await Idea.insert(*rows).returning(Idea.id)]


async def test_the_ideas_board_pages_newest_or_most_discussed_first(client) -> None:
    pupil = await make_user("ameliab")
    made = await ideas(45, await school_id("aylsham-high"), pupil)
    # The oldest idea is the most discussed: it leads that order on page 1.
    await Comment.insert(
        *[
            Comment(
                target_type="idea",
                target_id=made[0],
                author=pupil,
                body="Yes!",
                created_at=now(),
                **APPROVED,
            )
            for _ in range(3)
        ]
    )
    await sign_in(client, "ameliab")
    newest = await client.get("/ideas")
    assert "45 ideas" in newest.text and "Page 1 of 2" in newest.text
    assert "Idea 44" in newest.text and ">Idea 0<" not in newest.text
    older = await client.get("/ideas?order=newest&page=2")
    assert ">Idea 0<" in older.text and "Idea 44" not in older.text
    discussed = await client.get("/ideas?order=discussed")
    titles = re.findall(r">(Idea \d+)<", discussed.text)
    assert titles[0] == "Idea 0" and len(titles) == 30
    assert 'href="/ideas?order=discussed&amp;page=2"' in discussed.text


async def test_the_moderation_log_and_orders_show_their_totals(client) -> None:
    teacher = await make_user("staylor", role=Role.teacher)
    school = await school_id("aylsham-high")
    await ModerationLog.insert(
        *[
            ModerationLog(
                actor=teacher,
                action="approve",
                subject_type="product",
                subject_id=n,
                subject_label=f"Entry {n}",
                school=school,
                created_at=now(),
            )
            for n in range(120)
        ]
    )
    await sign_in(client, "staylor")
    log = await client.get("/moderation/log")
    assert "120 entries" in log.text and "Page 1 of 3" in log.text
    assert "Entry 119" in log.text and "Entry 69" not in log.text
    assert "Entry 69" in (await client.get("/moderation/log?page=2")).text

    await seed_orders(35, buyer=await make_user("jpatel", role=Role.community, school=None))
    staff = await client.get("/staff/orders")
    assert "35 orders, newest first" in staff.text and "Page 1 of 2" in staff.text
    client.cookies.clear()
    await sign_in(client, "jpatel")
    mine = await client.get("/my/orders")
    assert "35 orders" in mine.text and "Page 1 of 2" in mine.text
    assert (await client.get("/my/orders?page=2")).text.count('class="card"') == 5


async def seed_orders(count: int, buyer: int | None = None) -> None:
    team = await make_team(f"sellers-{uuid.uuid4().hex[:6]}")
    day = await make_day(MarketStatus.open)
    [product] = await products(team, 1, start=900)
    stall = await make_stall(day, team, {product: 500})
    made = await Order.insert(
        *[
            Order(
                market_day=day,
                token=uuid.uuid4().hex,
                buyer_name=f"Buyer {n}",
                buyer_email=f"b{n}@example.org",
                status="collected",
                total_pence=100,
                created_at=now() + dt.timedelta(seconds=n),
                updated_at=now(),
            )
            for n in range(count)
        ]
    ).returning(Order.id)
    ids = [r["id"] for r in made]
    await OrderLine.insert(
        *[
            OrderLine(
                order=o,
                stall=stall,
                product=product,
                product_name="Thing",
                quantity=1,
                unit_price_pence=100,
            )
            for o in ids
        ]
    )
    if buyer:
        await BuyerAccount.insert(*[BuyerAccount(order=o, account=buyer) for o in ids])


async def test_list_pages_cost_the_same_queries_with_few_rows_or_many(client) -> None:
    await make_user("admin", role=Role.admin, school=None)
    teacher = await make_user("staylor", role=Role.teacher)
    buyer = await make_user("jpatel", role=Role.community, school=None)
    pupil = await make_user("ameliab")
    school = await school_id("aylsham-high")
    team = await make_team("aylsham-makers")
    day = await make_day(MarketStatus.planned, date=dt.date.today() + dt.timedelta(days=2))

    async def grow(n: int) -> None:
        made = await products(team, n, start=await Product.count())
        other = await make_team(f"stall-team-{await StallStock.count()}")
        await make_stall(day, other, {p: 3 for p in made})
        await ideas(n, school, pupil)
        await Project.insert(
            *[
                Project(
                    team=team,
                    title=f"P{i}",
                    published_title=f"P{i}",
                    created_at=now(),
                    updated_at=now(),
                    **APPROVED,
                )
                for i in range(n)
            ]
        )
        await ModerationLog.insert(
            *[
                ModerationLog(
                    actor=teacher,
                    action="hide",
                    subject_type="idea",
                    subject_id=i,
                    school=school,
                    created_at=now(),
                )
                for i in range(n)
            ]
        )
        await seed_orders(n, buyer=buyer)

    pages = {
        "admin": ["/staff/orders", "/moderation/log", "/reports?report=products"],
        "staylor": ["/staff/orders", "/moderation/log"],
        "jpatel": ["/my/orders"],
        "ameliab": ["/ideas", "/ideas?order=discussed"],
        None: ["/products", "/projects", "/market-days", f"/market-days/{day}"],
    }

    async def counts() -> dict[str, int]:
        found = {}
        for who, paths in pages.items():
            client.cookies.clear()
            if who:
                await sign_in(client, who)
            for path in paths:
                with QueryCounter() as counter:
                    answer = await client.get(path)
                assert answer.status_code == 200, (who, path)
                found[f"{who} {path}"] = counter.count
        return found

    await grow(2)
    few = await counts()
    await grow(70)
    many = await counts()
    assert few == many
    assert await User.count() == 4


async def test_the_pre_order_shop_pages_its_grid_and_keeps_the_page(client) -> None:
    from tests.conftest import post_form

    day = await make_day(MarketStatus.open)
    team = await make_team("aylsham-makers")
    made = await products(team, 40)
    await make_stall(day, team, {p: 5 for p in made})

    first = await client.get(f"/market-days/{day}/pre-order")
    assert "40 products to choose from" in first.text and "Page 1 of 2" in first.text
    second = await client.get(f"/market-days/{day}/pre-order?page=2")
    on_second = re.findall(r'name="qty_(\d+)"', second.text)
    assert len(on_second) == 10 and 'name="page" value="2"' in second.text
    # "+" on page 2 without JS comes back to page 2, at the card; the basket has it.
    more = await post_form(
        client,
        "/basket",
        {"day_id": str(day), "page": "2", "step": f"{on_second[0]}:1"},
        follow_redirects=False,
    )
    assert more.status_code == 303
    assert more.headers["location"] == f"/market-days/{day}/pre-order?page=2#product-{on_second[0]}"
    again = await client.get(f"/market-days/{day}/pre-order?page=2")
    assert f'name="qty_{on_second[0]}" value="1"' in again.text
    assert "1 item</strong>" in again.text
    # With htmx the fragment comes back for the same page.
    fragment = await post_form(
        client,
        "/basket",
        {"day_id": str(day), "page": "2", "step": f"{on_second[1]}:1"},
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200 and 'name="page" value="2"' in fragment.text
    assert "2 items</strong>" in fragment.text
