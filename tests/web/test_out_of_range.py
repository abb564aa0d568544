"""Ids and numbers too large for any column are the user's mistake: never a 500."""

from clustermarket.accounts.tables import Role
from tests.conftest import make_user, post_form, sign_in

HUGE = 99_999_999_999  # beyond PostgreSQL's 32-bit integers
ENORMOUS = 10**20  # beyond SQLite's 64-bit integers too


async def test_huge_ids_in_urls_and_forms_are_answered_with_a_4xx(client) -> None:
    await make_user("admin", role=Role.admin, school=None)
    await sign_in(client, "admin")
    for number in (HUGE, ENORMOUS):
        for path in (
            f"/products/{number}",
            f"/projects/{number}",
            f"/products/{number}/edit",
            f"/teams/{number}/workspace",
            f"/pupils/{number}/data",
            f"/ideas/{number}",
            f"/market-days/{number}",
            f"/stalls/{number}",
            f"/pupils?school={number}",
            f"/pitch/rounds/{number}",
        ):
            response = await client.get(path)
            assert response.status_code < 500, (path, response.status_code)
        for path in (
            f"/moderation/product/{number}/approve",
            f"/pupils/{number}/reset",
            f"/admin/staff/{number}/reset",
        ):
            response = await post_form(client, path, {})
            assert response.status_code < 500, (path, response.status_code)
        page = await post_form(
            client, "/pupils/new", {"class_list": "Ava Stone", "school": str(number)}
        )
        assert page.status_code < 500


async def test_odd_numbers_typed_into_forms_get_a_message(client) -> None:
    from tests.market.helpers import open_market

    market = await open_market(candles=5, totes=5)
    await sign_in(client, "ameliab")
    for amount in ("sNaN", "1e999999999", "NaN", "-Infinity", "²"):
        response = await post_form(client, f"/stalls/{market.stall}/open", {"amount": amount})
        assert 400 <= response.status_code < 500, amount
        assert "type an amount" in response.text
    ideas = await client.get("/ideas?school=%C2%B2")
    assert ideas.status_code < 500
