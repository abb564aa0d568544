"""Fixtures of the web tests."""

import pytest
import redis

from tests.conftest import REDIS_TEST_URL


@pytest.fixture
def redis_url() -> str:
    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.flushdb()
    except redis.exceptions.ConnectionError as error:
        pytest.fail(
            f"Redis at {REDIS_TEST_URL} is not reachable ({error}); start it to run this test."
        )
    finally:
        client.close()
    return REDIS_TEST_URL
