"""Pages read the database a fixed number of times, however many stalls, products or sales."""

from contextlib import contextmanager

from clustermarket.accounts.tables import Role
from tests.conftest import make_user, sign_in
from tests.market.helpers import make_product, make_stall, make_team, open_market, tap


@contextmanager
def counting_queries():
    """Counts the queries the engine runs (it still runs every one of them)."""
    from piccolo_conf import DB

    engine = type(DB)  # the engine has __slots__: wrap the method on its class
    counted = []
    original = engine.run_querystring

    async def run_querystring(self, querystring, *args, **kwargs):
        counted.append(str(querystring))
        return await original(self, querystring, *args, **kwargs)

    engine.run_querystring = run_querystring
    try:
        yield counted
    finally:
        engine.run_querystring = original


async def count(client, path: str) -> int:
    with counting_queries() as queries:
        page = await client.get(path)
    assert page.status_code == 200, page.text
    return len(queries)


async def add_stalls(market, names: str) -> None:
    for i, name in enumerate(names.split()):
        team = await make_team(name, school="colby")
        products = {await make_product(team, f"Thing {i}-{j}", 100, 10): 5 for j in range(3)}
        await make_stall(market.day, team, products)


async def test_the_pages_do_not_read_more_as_the_market_grows(client) -> None:
    market = await open_market()
    await make_user("admin", role=Role.admin, school=None)
    await sign_in(client, "ameliab")
    pages = [
        f"/market-days/{market.day}",
        f"/stalls/{market.stall}",
        "/market-days",
        f"/teams/{market.team}/market",
    ]
    await tap(client, market.stall, market.candle)
    before = [await count(client, path) for path in pages]
    assert all(n >= 2 for n in before), before

    await add_stalls(market, "colby-cooks colby-crafts colby-plants")
    for _ in range(4):
        await tap(client, market.stall, market.tote)
    assert [await count(client, path) for path in pages] == before

    client.cookies.clear()
    await sign_in(client, "admin")
    reports = [f"/reports?report={name}" for name in ("teams", "schools", "products", "methods")]
    before = [await count(client, path) for path in reports]
    await add_stalls(market, "colby-bakers colby-potters")
    await tap(client, market.stall, market.candle)
    assert [await count(client, path) for path in reports] == before
