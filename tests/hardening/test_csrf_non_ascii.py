"""A scanner's non-ASCII CSRF cookie or token is refused with a 403 and a clear page, never
a 500 (Litestar's own comparison raises TypeError on them)."""

import pytest

from clustermarket.accounts.tables import Role
from tests.conftest import csrf_token, make_user, sign_in

UNSAFE_POSTS = ["/basket", "/coop/apply", "/coop/votes/1", "/feedback/idea/1", "/flag/idea/1"]


@pytest.mark.parametrize("path", UNSAFE_POSTS)
async def test_a_non_ascii_token_in_the_form_is_refused_with_a_reload_message(client, path) -> None:
    await make_user("staylor", role=Role.teacher)
    await sign_in(client, "staylor")
    good = csrf_token(client)
    response = await client.post(path, data={"_csrf_token": good[:-1] + "é", "reason": "x"})
    assert response.status_code == 403
    assert "security token is invalid" in response.text and "reload the page" in response.text


@pytest.mark.parametrize("path", UNSAFE_POSTS)
async def test_a_non_ascii_cookie_is_refused_with_a_403(client, path) -> None:
    await make_user("staylor", role=Role.teacher)
    await sign_in(client, "staylor")
    good = csrf_token(client)
    client.cookies.delete("csrftoken")
    response = await client.post(
        path,
        content=f"_csrf_token={good}".encode(),
        headers={
            "content-type": "application/x-www-form-urlencoded",
            "cookie": f"csrftoken=ü{good[1:]}".encode(),
        },
    )
    assert response.status_code == 403 and "security token is invalid" in response.text


async def test_a_non_ascii_htmx_header_gets_a_fragment(client) -> None:
    await client.get("/")
    bad = (csrf_token(client)[:-1] + "é").encode()
    response = await client.post("/basket", headers={"HX-Request": "true", "x-csrftoken": bad})
    assert response.status_code == 403
    assert "<html" not in response.text and "reload the page" in response.text


async def test_the_right_token_still_works_and_a_wrong_ascii_one_is_still_refused(client) -> None:
    await make_user("ameliab")
    await client.get("/login")
    wrong = await client.post("/logout", data={"_csrf_token": "0" * 128})
    assert wrong.status_code == 403
    await sign_in(client, "ameliab")  # a normal form post with the real token


async def test_reloading_the_page_replaces_a_broken_cookie_so_the_form_works_again(client) -> None:
    await make_user("ameliab")
    await client.get("/login")
    good = csrf_token(client)
    client.cookies.delete("csrftoken")
    page = await client.get("/login", headers={"cookie": f"csrftoken={good[:-1]}é".encode()})
    assert page.status_code == 200
    fresh = page.cookies.get("csrftoken")
    assert fresh and fresh.isascii() and f'value="{fresh}"' in page.text
    await sign_in(client, "ameliab")  # the fresh cookie and the page's token match
