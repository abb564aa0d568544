"""The checks themselves catch what they are for (so a green run means something)."""

import pytest

from tests.browser.checks import assert_accessible, assert_no_horizontal_scroll
from tests.browser.conftest import OpenPage

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
