"""The checks themselves catch what they are for (so a green run means something)."""

import pytest

from tests.browser.checks import (
    assert_accessible,
    assert_fits_a_phone,
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


CLIPPED_PAGE = """<!doctype html><html lang="en"><title>Clipped</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><body><main>
<div style="overflow-x:auto"><table><tr><td>Product</td><td>Stall</td>
<td style="padding-left:400px">Total £4.00</td></tr></table></div></main></body></html>"""


async def test_the_checks_catch_a_table_cut_off_at_360_px(open_page: OpenPage) -> None:
    """The page itself does not scroll sideways, yet the total sits off the screen inside a
    scrolling box: the in-viewport check names it, also on a page met on a computer."""
    for size in ("phone", "desktop"):
        page = await open_page(size)
        await page.set_content(CLIPPED_PAGE)
        await assert_no_horizontal_scroll(page)
        with pytest.raises(AssertionError, match=r"not inside the screen:\n.*Total £4.00"):
            await assert_fits_a_phone(page)


async def test_a_csp_violation_event_is_a_problem(open_page: OpenPage) -> None:
    """An inline style blocked by the CSP (what htmx's indicator styles caused) fails the
    page, reported through the page's own violation event."""
    page = await open_page("desktop")
    await page.goto("/")
    await page.evaluate(
        "() => { const s = document.createElement('style');"
        " s.textContent = 'p {color: red}'; document.head.append(s); }"
    )
    await page.wait_for_timeout(200)
    with pytest.raises(AssertionError, match="CSP report: csp-violation: style-src"):
        assert_no_script_problems(page)


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
