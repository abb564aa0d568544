"""What cannot be undone asks first: a page that says what will happen, then the real post."""

from clustermarket.accounts.tables import Role
from clustermarket.market.tables import MarketDay, MarketStatus, Stall
from tests.conftest import make_user, post_form, sign_in
from tests.market.helpers import make_teacher, open_market


async def test_closing_a_stall_shows_the_count_and_asks_first(client) -> None:
    market = await open_market()
    await sign_in(client, "ameliab")
    stall_page = await client.get(f"/stalls/{market.stall}")
    assert f'method="get" action="/stalls/{market.stall}/closing"' in stall_page.text
    page = await client.get(f"/stalls/{market.stall}/closing", params={"amount": "19.50"})
    assert page.status_code == 200
    assert "Close the stall of Aylsham Makers?" in page.text
    assert "Selling stops at this stall" in page.text
    assert "<dd>£20.00</dd>" in page.text and "-£0.50 (short)" in page.text
    assert (await Stall.select(Stall.closed_at).first())["closed_at"] is None  # nothing yet
    assert 'name="amount" value="19.50"' in page.text
    closed = await post_form(client, f"/stalls/{market.stall}/close", {"amount": "19.50"})
    assert closed.status_code == 200
    assert (await Stall.select(Stall.closed_at).first())["closed_at"] is not None
    typo = await client.get(f"/stalls/{market.stall}/closing", params={"amount": "lots"})
    assert typo.status_code == 400 and "already closed" in typo.text


async def test_a_bad_count_is_explained_before_anything_happens(client) -> None:
    market = await open_market()
    await sign_in(client, "ameliab")
    page = await client.get(f"/stalls/{market.stall}/closing", params={"amount": "ten"})
    assert page.status_code == 400 and "type an amount in pounds" in page.text
    assert "Yes, close the stall" not in page.text


async def test_closing_a_market_day_asks_first(client) -> None:
    market = await open_market()
    await make_user("admin", role=Role.admin, school=None)
    await sign_in(client, "admin")
    manage = await client.get(f"/admin/market-days/{market.day}")
    assert f'href="/admin/market-days/{market.day}/closing"' in manage.text
    page = await client.get(f"/admin/market-days/{market.day}/closing")
    assert "Close the market day of" in page.text and "It cannot be opened again." in page.text
    assert (await MarketDay.select(MarketDay.status).first())["status"] == MarketStatus.open
    await post_form(client, f"/admin/market-days/{market.day}/status", {"status": "closed"})
    assert (await MarketDay.select(MarketDay.status).first())["status"] == MarketStatus.closed
    again = await client.get(f"/admin/market-days/{market.day}/closing")
    assert again.status_code == 409 and "only an open day is closed" in again.text


async def test_a_new_pupil_password_asks_first(client) -> None:
    await make_teacher()
    pupil = await make_user("ameliab", first_name="Amelia")
    await sign_in(client, "staylor")
    page = await client.get(f"/pupils/{pupil}/new-password")
    assert page.status_code == 200
    assert "Give Amelia" in page.text and "current password stops working" in page.text
    assert f'action="/pupils/{pupil}/reset"' in page.text
    other_school = await make_user("zoe", school="erpingham")
    assert (await client.get(f"/pupils/{other_school}/new-password")).status_code == 404
