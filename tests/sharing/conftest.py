"""`people`: sign users in, each on their own client of one app (`sibling_client`), closed
at the end of the test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack

import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import make_client, sibling_client, sign_in


@pytest.fixture
async def people() -> AsyncIterator[Callable[..., Awaitable[list[AsyncTestClient]]]]:
    running: list[AsyncTestClient] = []  # the first client runs the app for the others
    async with AsyncExitStack() as stack:

        async def signed_in(*usernames: str) -> list[AsyncTestClient]:
            clients = []
            for username in usernames:
                if running:
                    client = sibling_client(running[0])
                else:
                    client = await stack.enter_async_context(make_client())
                    running.append(client)
                await sign_in(client, username)
                clients.append(client)
            return clients

        yield signed_in
