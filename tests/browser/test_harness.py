"""The checks themselves catch what they are for (so a green run means something)."""

import pytest

from tests.browser.checks import (
    assert_accessible,
    assert_no_horizontal_scroll,
    assert_no_script_problems,
)
from tests.browser.conftest import OpenPage
from tests.browser.journeys import no_reload

BAD_PAGE = """<!doctype html><html lang="en"><title>Bad</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><body><main>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<p style="color:#bbb;background:#fff">Hard to read</p>
<div style="width:600px">Too wide for a phone</div></main></body></html>"""


async def test_the_checks_catch_a_bad_page(open_page: OpenPage) -> None:
    page = await open_page("phone")
    await page.set_content(BAD_PAGE)
    with pytest.raises(AssertionError) as failure:
        await assert_accessible(page, "bad-page")
    assert "image-alt (critical)" in str(failure.value)
    assert "color-contrast (serious)" in str(failure.value)
    with pytest.raises(AssertionError, match=r"scrolls sideways at 360 px .*div"):
        await assert_no_horizontal_scroll(page)


async def test_the_app_keeps_its_content_security_policy_under_test(open_page: OpenPage) -> None:
    """axe is injected past the CSP, but the page's own CSP still stops inline script, and
    the checks report it."""
    page = await open_page("desktop")
    await page.goto("/")
    async with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        await page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.inlineRan = true'; document.body.append(s); }"
        )
    assert await page.evaluate("() => window.inlineRan") is None
    with pytest.raises(AssertionError, match="Content Security Policy"):
        assert_no_script_problems(page)


async def test_no_reload_notices_a_reload(open_page: OpenPage) -> None:
    page = await open_page("desktop")
    await page.goto("/")
    with pytest.raises(AssertionError, match="navigated"):
        async with no_reload(page):
            await page.reload()
