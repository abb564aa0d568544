from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import make_client
from tests.orders.helpers import API_KEY, WEBHOOK_SECRET
from tests.orders.stripe_standin import StripeStandIn


@pytest.fixture
def standin() -> Iterator[StripeStandIn]:
    """A Stripe-compatible server on 127.0.0.1 for this test; the app reaches it via the SDK."""
    server = StripeStandIn(API_KEY, webhook_secret=WEBHOOK_SECRET).start()
    yield server
    server.stop()


@pytest.fixture
async def paying_client(standin: StripeStandIn) -> AsyncIterator[AsyncTestClient]:
    """The app with Stripe test keys, talking to the stand-in."""
    async with make_client(
        stripe_secret_key=API_KEY,
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_publishable_key="pk_test_orders",
        stripe_api_base=standin.url,
    ) as client:
        yield client
