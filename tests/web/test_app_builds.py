"""The tests' cheaper app builds (tests/app_builds.py): a second build parses no signature
again, and apps built from the kept signatures still answer their routes."""

from __future__ import annotations

from litestar.testing import AsyncTestClient
from litestar.utils.signature import ParsedSignature

from clustermarket.server import create_app
from clustermarket.settings import get_settings
from tests.app_builds import parsed_count


def test_a_second_build_reuses_every_parsed_signature() -> None:
    assert ParsedSignature.from_fn.__func__.__module__ == "tests.app_builds"
    create_app(get_settings())
    kept = parsed_count()
    assert kept > 100  # every handler of the app
    create_app(get_settings())
    assert parsed_count() == kept


async def test_two_apps_built_from_kept_signatures_both_answer() -> None:
    for _ in range(2):
        async with AsyncTestClient(app=create_app(get_settings())) as client:
            assert (await client.get("/health")).status_code == 200
            page = await client.get("/login")
            assert page.status_code == 200 and "csrf" in page.text.lower()
            missing = await client.get("/products/no-such-product")
            assert missing.status_code == 404
