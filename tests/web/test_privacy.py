"""The privacy notices are on the site, linked from every page's footer and the sign-in pages."""

from tests.accounts.test_classes import link, picture_class


async def test_both_privacy_notices_say_what_is_kept_who_sees_it_and_for_how_long(client) -> None:
    young = await client.get("/privacy/young")
    assert young.status_code == 200
    for words in ("What we keep", "Who can see it", "How long", "Ask your teacher", "autumn term"):
        assert words in young.text
    grown_up = await client.get("/privacy")
    assert grown_up.status_code == 200
    for words in ("What is kept", "Who can see it", "How long it is kept", "export", "erase"):
        assert words in grown_up.text
    assert "<table>" in grown_up.text  # the data table is rendered, not shown as pipes


async def test_every_page_and_every_sign_in_page_links_to_the_notices(client) -> None:
    found = await picture_class()
    pages = [
        "/",
        "/products",
        "/schools",
        "/login",
        link(found),
        f"{link(found)}/{found['ids']['Ava']}",
    ]
    for url in pages:
        page = await client.get(url)
        assert page.status_code == 200, url
        assert 'href="/privacy"' in page.text and 'href="/privacy/young"' in page.text, url


def test_every_safeguard_in_the_dpia_points_at_a_test_that_exists() -> None:
    import re

    from clustermarket.settings import PROJECT_ROOT

    dpia = (PROJECT_ROOT / "docs" / "dpia.md").read_text()
    references = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", dpia)
    assert len(references) >= 15
    for path, name in references:
        source = (PROJECT_ROOT / path).read_text()
        assert re.search(rf"def {name}\(", source), f"{path}::{name} is not a test"
