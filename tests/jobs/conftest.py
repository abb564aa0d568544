from collections.abc import Iterator

import pytest

from tests.jobs.mail_sink import MailSink
from tests.orders.conftest import standin  # noqa: F401 - the Stripe stand-in fixture


@pytest.fixture
def sink() -> Iterator[MailSink]:
    """A mail server on its own port, down until the test brings it up."""
    server = MailSink()
    yield server
    server.stop()
