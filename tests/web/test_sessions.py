"""Sessions are stored only when they change (or every few minutes to push their expiry
on), and a session left with nothing in it is still removed, cookie and all."""

from clustermarket.web import sessions
from tests.conftest import post_form, sign_in
from tests.market.helpers import open_market


def _session_cookie_set(response) -> bool:
    return any(v.startswith("cm_session=") for v in response.headers.get_list("set-cookie"))


async def test_a_signed_in_page_leaves_an_unchanged_session_alone(client, monkeypatch) -> None:
    await open_market()  # its team's pupils
    await sign_in(client, "ameliab")
    store = client.app.stores.get("sessions")
    session_id = client.cookies["cm_session"]
    first = await client.get("/dashboard")  # the first request after sign-in marks it
    stored = await store.get(session_id)
    for _ in range(3):
        page = await client.get("/dashboard")
        assert page.status_code == 200 and 'action="/logout"' in page.text  # signed in
        assert not _session_cookie_set(page)
        assert await store.get(session_id) == stored  # not written again
    assert first.status_code == 200
    # Some minutes on, the same session is stored again, so it does not expire while used.
    later = sessions.time.time() + sessions.RENEW_EVERY
    monkeypatch.setattr(sessions.time, "time", lambda: later)
    renewed = await client.get("/dashboard")
    assert _session_cookie_set(renewed)
    assert await store.get(session_id) != stored
    assert client.cookies["cm_session"] == session_id  # the same session, renewed


async def test_a_visitors_emptied_basket_leaves_no_session(client) -> None:
    market = await open_market()
    day, candle = str(market.day), f"qty_{market.candle}"
    added = await post_form(
        client, "/basket", {"day_id": day, "add": "1", candle: "2"}, follow_redirects=False
    )
    assert added.status_code == 303 and client.cookies.get("cm_session")
    store = client.app.stores.get("sessions")
    session_id = client.cookies["cm_session"]
    assert await store.get(session_id) is not None
    basket = await client.get("/basket")  # stored again with its renewal mark
    assert "Total for 2 items" in basket.text
    emptied = await post_form(
        client,
        "/basket",
        {"day_id": day, "from": "basket", candle: "0"},
        follow_redirects=False,
    )
    assert emptied.status_code == 303
    assert await store.get(session_id) is None  # only the renewal mark was left: removed
    assert client.cookies.get("cm_session") in (None, "null")
