"""More phones on the stall screen at once than the pool has connections (PostgreSQL).

A signed-in page takes its request's one connection for its first query; the stall screen's
statement then went through the tap queue, whose batch takes *another* pool connection. With
as many screens at once as the pool holds, every connection was held by a request waiting
for a batch that waited for a connection: the server answered nothing more, ever (found by
`bench/signed_in.py` at 10 phones against a pool of 10). Now a request that holds a
connection runs the statement on it."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from clustermarket.settings import get_settings
from tests.market.helpers import open_market
from tests.realserver import form_post

pytestmark = pytest.mark.skipif(
    not get_settings().is_postgres, reason="the tap queue and the pool are PostgreSQL's"
)
PHONES = 6  # three times the pool below


async def test_more_stall_screens_at_once_than_the_pool_has_connections(real_server) -> None:
    market = await open_market()  # makes the pupil `ameliab`, a member of the stall's team
    server = real_server(DATABASE_POOL_SIZE="2")
    phones = [httpx.AsyncClient(base_url=server.url, timeout=20) for _ in range(PHONES)]
    try:
        for phone in phones:
            answer = await form_post(
                phone, "/login", {"username": "ameliab", "password": "password-123"}
            )
            assert answer.status_code == 302

        async def screens(phone: httpx.AsyncClient) -> list[int]:
            return [(await phone.get(f"/stalls/{market.stall}")).status_code for _ in range(5)]

        try:
            answers = await asyncio.wait_for(asyncio.gather(*map(screens, phones)), 30)
        except (TimeoutError, httpx.ReadTimeout):
            pytest.fail("The server stopped answering: every pool connection held")
        assert answers == [[200] * 5] * PHONES
        # And it still answers afterwards.
        assert (await phones[0].get(f"/stalls/{market.stall}")).status_code == 200
    finally:
        for phone in phones:
            await phone.aclose()
