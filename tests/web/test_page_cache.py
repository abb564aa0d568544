"""Signed-out public pages are cached whole (web/page_cache.py) and carry nothing per visitor;
every change the public may see retires them at once, in every app instance."""

from __future__ import annotations

import asyncio
import re

from clustermarket.catalogue.tables import Product
from tests.conftest import make_client, post_form, sign_in
from tests.market.helpers import make_product, make_teacher, make_team, open_market, tap

TOKEN_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


def visitor(client) -> None:
    """The next requests come from a first-time visitor: no cookies at all."""
    client.cookies.clear()


async def test_a_page_without_a_form_carries_nothing_per_visitor(client) -> None:
    for path in ("/", "/products", "/market-days", "/schools"):
        first, second = await client.get(path), await client.get(path)
        assert first.status_code == 200
        assert "set-cookie" not in first.headers and "set-cookie" not in second.headers
        assert "csrf" not in first.text and first.content == second.content
    # Not cached, still nothing per visitor: an unknown address, the health check.
    for path in ("/no-such-page", "/health"):
        assert "set-cookie" not in (await client.get(path)).headers
    assert not client.cookies


async def test_forms_on_cached_pages_work_for_first_time_visitors_without_javascript(
    client,
) -> None:
    await make_teacher("staylor")
    tokens = set()
    for _ in range(2):  # the second visitor is served the cached page, with their own token
        visitor(client)
        page = await client.get("/login")
        token = TOKEN_FIELD.search(page.text).group(1)
        assert client.cookies["csrftoken"] == token
        tokens.add(token)
        signed_in = await client.post(
            "/login",
            data={"username": "staylor", "password": "password-123", "_csrf_token": token},
            follow_redirects=False,
        )
        assert signed_in.status_code == 302
    assert len(tokens) == 2

    market = await open_market(candles=3)
    for path in (f"/products/{market.candle}", f"/market-days/{market.day}/pre-order"):
        for _ in range(2):
            visitor(client)
            page = await client.get(path)
            token = TOKEN_FIELD.search(page.text).group(1)
            added = await client.post(
                "/basket",
                data={
                    "day_id": str(market.day),
                    "add": "1",
                    f"qty_{market.candle}": "1",
                    "_csrf_token": token,
                },
                follow_redirects=False,
            )
            assert added.status_code == 303 and added.headers["location"] == "/basket"


async def test_a_visitor_with_a_cookie_gets_the_token_of_that_cookie(client) -> None:
    await client.get("/login")
    token = client.cookies["csrftoken"]
    again = await client.get("/login")
    assert "set-cookie" not in again.headers
    assert TOKEN_FIELD.search(again.text).group(1) == token
    # A broken (non-ASCII) cookie is replaced, as the CSRF guard does for uncached pages.
    broken = await client.get("/login", headers={"cookie": "csrftoken=caf\xe9".encode("latin-1")})
    fresh = TOKEN_FIELD.search(broken.text).group(1)
    assert fresh.isascii() and f"csrftoken={fresh}" in broken.headers["set-cookie"]


async def test_pages_are_gzipped_with_each_visitors_token_spliced_in(client) -> None:
    market = await open_market(candles=3)
    for path in ("/products", f"/products/{market.candle}", f"/products/{market.candle}"):
        plain = await client.get(path, headers={"accept-encoding": "identity"})
        packed = await client.get(path, headers={"accept-encoding": "gzip"})
        assert packed.headers["content-encoding"] == "gzip"
        assert "content-encoding" not in plain.headers
        assert packed.text == plain.text  # httpx unpacks it; the same page, the same token
        assert int(packed.headers["content-length"]) < len(plain.content) * 0.6
    # A cookie that is not a token is never written into the page.
    odd = await client.get(
        f"/products/{market.candle}", headers={"cookie": 'csrftoken="><script>x</script>'}
    )
    assert "<script>x" not in odd.text and "set-cookie" in odd.headers


async def test_the_cache_serves_the_page_and_a_hide_retires_it_for_everyone(client) -> None:
    team = await make_team("aylsham-makers")
    product = await make_product(team, "Beeswax candle", 450, 180)
    await make_teacher("staylor")
    assert "Beeswax candle" in (await client.get("/products")).text
    assert (await client.get(f"/products/{product}")).status_code == 200

    # Changed behind the app's back (no write path): the cached page is what is served.
    await Product.update({Product.published_name: "Renamed"}).where(Product.id == product)
    assert "Beeswax candle" in (await client.get("/products")).text

    async with make_client() as teacher:  # another app instance, as another worker
        await sign_in(teacher, "staylor")
        hidden = await post_form(
            teacher, f"/moderation/product/{product}/hide", {"feedback": "A brand name"}
        )
        assert hidden.status_code == 200
    visitor(client)
    listed = (await client.get("/products")).text
    assert "Beeswax candle" not in listed and "Renamed" not in listed
    assert (await client.get(f"/products/{product}")).status_code == 404


async def test_an_approval_shows_at_once_to_a_visitor_who_had_the_page(client) -> None:
    from tests.conftest import make_team as make_school_team
    from tests.publishing.test_moderation_journey import pupil_drafts_product

    team = await make_school_team(pupils=("ameliab",))
    assert "Beeswax candle" not in (await client.get("/products")).text
    async with make_client() as pupil, make_client() as teacher:
        await sign_in(pupil, "ameliab")
        product = await pupil_drafts_product(pupil, team)
        await post_form(pupil, f"/products/{product}/submit", {})
        assert "Beeswax candle" not in (await client.get("/products")).text
        await sign_in(teacher, "staylor")
        await post_form(teacher, f"/moderation/product/{product}/approve", {})
    assert "Beeswax candle" in (await client.get("/products")).text


async def test_a_product_that_sells_out_is_never_offered_after_the_sale(client) -> None:
    market = await open_market(candles=1, totes=4)
    shop = f"/market-days/{market.day}/pre-order"
    assert "Sold out" not in (await client.get(shop)).text
    assert "— 1 left" in (await client.get(f"/products/{market.candle}")).text
    async with make_client() as phone:
        await sign_in(phone, "ameliab")
        assert (await tap(phone, market.stall, market.candle, htmx=True)).status_code == 200
    assert "Sold out" in (await client.get(shop)).text
    page = await client.get(f"/products/{market.candle}")
    assert "— 1 left" not in page.text


async def test_a_write_service_outside_any_request_retires_the_pages(client) -> None:
    from clustermarket.market.services import assign_stall
    from tests.market.helpers import first_cluster, make_day

    day = await make_day()
    team = await make_team("green-growers")
    assert "Green Growers" not in (await client.get(f"/market-days/{day}")).text
    await assign_stall(
        day, team, "Pitch 4", await first_cluster()
    )  # a write transaction, as a job would run it
    assert "Green Growers" in (await client.get(f"/market-days/{day}")).text


async def test_htmx_fragments_are_cached_apart_from_pages(client) -> None:
    htmx = {"HX-Request": "true"}
    for _ in range(2):
        fragment = await client.get("/products", headers=htmx)
        page = await client.get("/products")
        assert "<html" not in fragment.text and "<html" in page.text


async def test_a_signed_in_user_is_never_served_a_cached_page(client) -> None:
    await make_teacher("staylor")
    assert "Sign out" not in (await client.get("/")).text
    await sign_in(client, "staylor")
    home = await client.get("/")
    assert "Sign out" in home.text and 'hx-headers=\'{"x-csrftoken"' in home.text


async def test_two_app_instances_on_redis_agree(redis_url) -> None:
    team = await make_team("aylsham-makers")
    product = await make_product(team, "Beeswax candle", 450, 180)
    await make_teacher("staylor")
    async with make_client(redis_url=redis_url) as one, make_client(redis_url=redis_url) as two:
        assert "Beeswax candle" in (await one.get("/products")).text
        assert "Beeswax candle" in (await two.get("/products")).text
        await sign_in(two, "staylor")
        await post_form(two, f"/moderation/product/{product}/hide", {"feedback": "A brand name"})
        assert "Beeswax candle" not in (await one.get("/products")).text
        assert (await one.get(f"/products/{product}")).status_code == 404


class SlowReads:
    """The real Redis store, but a read's answer arrives 50 ms after Redis gave it."""

    def __init__(self, store) -> None:
        self.store = store

    async def get(self, key: str):
        value = await self.store.get(key)
        await asyncio.sleep(0.05)
        return value

    async def set(self, key: str, value) -> None:
        await self.store.set(key, value)


async def test_shared_reads_of_the_version_never_miss_a_change_made_before(redis_url) -> None:
    from litestar.stores.redis import RedisStore

    from clustermarket.web.content_version import KEY, RedisVersion

    store = RedisStore.with_client(url=redis_url)
    version = RedisVersion(SlowReads(store))
    old = await version.current()
    under_way = [asyncio.ensure_future(version.current()) for _ in range(5)]
    await asyncio.sleep(0.01)  # their read has its (old) answer, still on its way
    await version.bump()
    new = await store.get(KEY)
    assert new != old
    assert await version.current() == new  # came after the change: never the old answer
    assert set(await asyncio.gather(*under_way)) <= {old, new}
    await store._redis.aclose()
