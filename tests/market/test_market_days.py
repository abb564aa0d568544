"""The admin plans market days and stalls; teams say what they bring; the public sees it."""

import datetime as dt

from clustermarket.accounts.tables import Role
from clustermarket.demo import PEOPLE
from clustermarket.market.tables import MarketDay, Sale, Stall, StallStock
from clustermarket.timeutil import today_uk
from clustermarket.web.content_version import content_changed
from tests.conftest import make_user, post_form, sign_in
from tests.market.helpers import (
    left_of,
    make_day,
    make_product,
    make_stall,
    make_teacher,
    make_team,
    new_sale_id,
    open_market,
    tap,
)


async def test_admin_creates_a_day_gives_a_stall_and_opens_then_closes_it(client) -> None:
    team = await make_team("aylsham-makers", members=("ameliab",))
    await make_user("admin", role=Role.admin, school=None)
    await sign_in(client, "admin")
    bad = await post_form(
        client,
        "/admin/market-days",
        {"date": "", "location": "", "opens": "13:00", "closes": "09:00"},
    )
    assert bad.status_code == 400 and "The market must open before it closes." in bad.text
    assert await MarketDay.count() == 0

    coming = today_uk() + dt.timedelta(days=9)  # a market day in the past is refused
    made = await post_form(
        client,
        "/admin/market-days",
        {
            "date": coming.isoformat(),
            "location": "Aylsham Market Place",
            "opens": "09:00",
            "closes": "13:00",
        },
        follow_redirects=False,
    )
    assert made.status_code == 302
    day = await MarketDay.select().first()
    assert day["date"] == coming and day["status"] == "planned"

    await post_form(
        client,
        f"/admin/market-days/{day['id']}/stalls",
        {"team": str(team), "pitch": "By the church"},
    )
    twice = await post_form(client, f"/admin/market-days/{day['id']}/stalls", {"team": str(team)})
    assert twice.status_code == 400 and "already has a stall" in twice.text
    assert await Stall.count() == 1

    skip = await post_form(client, f"/admin/market-days/{day['id']}/status", {"status": "closed"})
    assert skip.status_code == 409 and "A planned market day cannot become closed." in skip.text
    await post_form(client, f"/admin/market-days/{day['id']}/status", {"status": "open"})
    await post_form(client, f"/admin/market-days/{day['id']}/status", {"status": "closed"})
    back = await post_form(client, f"/admin/market-days/{day['id']}/status", {"status": "open"})
    assert back.status_code == 409
    assert (await MarketDay.select(MarketDay.status).first())["status"] == "closed"


async def test_a_team_says_what_it_brings_and_the_public_page_shows_what_is_left(client) -> None:
    market = await open_market(candles=0, totes=0)
    await make_product(market.team, "Secret draft", 100, 10, public=False)
    await sign_in(client, "ameliab")
    form = await client.get(f"/stalls/{market.stall}/stock")
    assert "Beeswax candle" in form.text and "Secret draft" not in form.text
    saved = await post_form(
        client,
        f"/stalls/{market.stall}/stock",
        {f"qty_{market.candle}": "3", f"qty_{market.tote}": "8"},
        follow_redirects=False,
    )
    assert saved.status_code == 302
    assert await left_of(market.stall, market.candle) == 3

    # Two candles sold: the stall cannot claim to have brought just one.
    for _ in range(2):
        await tap(client, market.stall, market.candle)
    fewer = await post_form(
        client,
        f"/stalls/{market.stall}/stock",
        {f"qty_{market.candle}": "1", f"qty_{market.tote}": "2"},
    )
    assert fewer.status_code == 400 and "2 already sold" in fewer.text
    assert await left_of(market.stall, market.tote) == 8  # all or nothing
    for bad in ("-4", "100000", "lots"):
        answer = await post_form(
            client, f"/stalls/{market.stall}/stock", {f"qty_{market.tote}": bad}
        )
        assert answer.status_code == 400, bad
    await post_form(
        client,
        f"/stalls/{market.stall}/stock",
        {f"qty_{market.candle}": "5", f"qty_{market.tote}": "8"},
    )
    assert await left_of(market.stall, market.candle) == 3  # 5 brought, 2 sold

    # The public page: stalls, what each brings, "only N left"; no pupil names.
    client.cookies.clear()
    page = await client.get(f"/market-days/{market.day}")
    assert page.status_code == 200
    assert "Aylsham Makers" in page.text and "Beeswax candle" in page.text
    assert "Only 3 left" in page.text and "8 left" in page.text
    assert "Secret draft" not in page.text and "Test Person" not in page.text
    await StallStock.update({StallStock.left: 0}).where(StallStock.product == market.tote)
    await content_changed()  # made straight in the database; the app's write paths do this
    page = await client.get(f"/market-days/{market.day}")
    assert '<li class="sold-out">' in page.text and "Sold out" in page.text
    assert "Aylsham Market Place" in (await client.get("/market-days")).text


async def test_other_teams_and_strangers_get_not_found(client) -> None:
    market = await open_market()
    other = await make_team("erpingham-bees", school="erpingham", members=("harryp",))
    await make_teacher("pshah", school="erpingham")
    for username in ("harryp", "pshah"):
        client.cookies.clear()
        await sign_in(client, username)
        assert (await client.get(f"/stalls/{market.stall}")).status_code == 404
        assert (await client.get(f"/teams/{market.team}/market")).status_code == 404
        sold = await tap(client, market.stall, market.candle)
        assert sold.status_code == 404
        assert (
            await post_form(client, f"/stalls/{market.stall}/open", {"amount": "5"})
        ).status_code == 404
    assert (await client.get("/stalls/99999999999999")).status_code == 404
    assert (await client.get(f"/teams/{other}/market")).status_code == 200  # pshah's own school
    assert await Sale.count() == 0 and await left_of(market.stall, market.candle) == 10

    # A teacher of the team's school may work the stall.
    client.cookies.clear()
    await make_teacher()
    await sign_in(client, "staylor")
    assert (await client.get(f"/stalls/{market.stall}")).status_code == 200


async def test_a_sale_id_used_by_another_stall_is_not_theirs_to_see(client) -> None:
    market = await open_market()
    other_team = await make_team("buxton-bakers", school="buxton", members=("noahw",))
    bread = await make_product(other_team, "Bread", 250, 50)
    other_stall = await make_stall(market.day, other_team, {bread: 5})
    sale_id = new_sale_id()
    await sign_in(client, "ameliab")
    await post_form(
        client,
        f"/stalls/{market.stall}/sales",
        {"sale_id": sale_id, "product_id": str(market.candle), "quantity": "1", "method": "cash"},
    )
    client.cookies.clear()
    await sign_in(client, "noahw")
    reuse = await post_form(
        client,
        f"/stalls/{other_stall}/sales",
        {"sale_id": sale_id, "product_id": str(bread), "quantity": "1", "method": "cash"},
    )
    assert reuse.status_code == 404 and "Beeswax" not in reuse.text
    assert await left_of(other_stall, bread) == 5


async def test_pupils_and_teachers_cannot_open_admin_pages(client) -> None:
    day = await make_day()
    await make_user("ameliab")
    await make_teacher()
    for username in ("ameliab", "staylor"):
        client.cookies.clear()
        await sign_in(client, username)
        assert (await client.get("/admin/market-days")).status_code == 403
        made = await post_form(
            client,
            "/admin/market-days",
            {"date": "2026-12-05", "location": "X", "opens": "09:00", "closes": "13:00"},
        )
        assert made.status_code == 403
        assert (
            await post_form(client, f"/admin/market-days/{day}/status", {"status": "closed"})
        ).status_code == 403
    assert await MarketDay.count() == 1


async def test_demo_has_a_stall_with_stock_and_a_past_day_with_sales(client) -> None:
    from clustermarket.demo import load_demo_data

    await load_demo_data()
    assert await Stall.count() >= 2 and await Sale.count() > 0
    home = await client.get("/market-days")
    assert home.status_code == 200
    for day in await MarketDay.select(MarketDay.id):
        page = await client.get(f"/market-days/{day['id']}")
        for _, _, _, first, last, _, _ in [p for p in PEOPLE if p[0] == "pupil"]:
            assert f"{first} {last}" not in page.text
