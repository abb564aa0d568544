"""What every page a journey visits must pass, and the screenshots anyone can look at.

`await check_page(page, "home")` is the one line a journey calls on each page: axe-core finds
no serious or critical violation, nothing scrolls sideways, every visible element lies inside
a 360 px wide screen (pages met on a computer are re-laid at 360 px for that check too), no
script error, console error or CSP violation happened, and a full-page screenshot is saved
under test-output/screenshots/.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import ConsoleMessage, Locator, Page, expect

from clustermarket.settings import PROJECT_ROOT

OUTPUT_DIR = PROJECT_ROOT / "test-output"
SCREENSHOT_DIR = OUTPUT_DIR / "screenshots"
AXE_REPORT_DIR = OUTPUT_DIR / "axe"

# Vendored from the npm registry (`npm pack axe-core@4`); injected by the tests only; the app
# never serves it. Playwright's evaluate runs it whatever the page's Content-Security-Policy.
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-4.14.1.min.js").read_text()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
FAILING_IMPACTS = ("serious", "critical")

sizes: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True},
}

# A page answered with an error status (a 404 page, a refused sign-in) is expected in a journey.
_EXPECTED_CONSOLE = re.compile(
    r"Failed to load resource: the server responded with a status of 4\d\d"
)


PHONE_WIDTH = 360
_CSP = "csp-violation:"
# Added to every page before its own scripts: each CSP violation is logged (as "csp-violation:
# <directive> <blocked URI>"), so the console listener above records it as a problem.
CSP_LISTENER = f"""document.addEventListener('securitypolicyviolation', e => console.info(
    '{_CSP} ' + e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile
    + ':' + e.lineNumber));"""


@dataclass
class PageInfo:
    test: str
    size: str
    problems: list[str] = field(default_factory=list)


_pages: dict[Page, PageInfo] = {}


def register_page(page: Page, test: str, size: str) -> None:
    """Remember whose page this is (for file names) and collect script errors and CSP reports."""
    info = PageInfo(test, size)
    _pages[page] = info

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not _EXPECTED_CONSOLE.search(message.text):
            info.problems.append(f"console error: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: info.problems.append(f"script error: {error}"))
    # A CSP violation is reported to the page as an event even when the console says nothing
    # (report-only policies, violations inside swapped fragments): count those too.
    page.on(
        "console",
        lambda m: (
            info.problems.append(f"CSP report: {m.text}") if m.text.startswith(_CSP) else None
        ),
    )
    page.on("close", lambda _page: _pages.pop(page, None))


def _info(page: Page) -> PageInfo:
    return _pages[page]


def _file_name(page: Page, label: str) -> str:
    info = _info(page)
    return f"{info.test}-{label}-{info.size}"


async def save_screenshot(page: Page, label: str) -> Path:
    """A full-page PNG at test-output/screenshots/<test>-<label>-<desktop|phone>.png."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{_file_name(page, label)}.png"
    await page.screenshot(path=path, full_page=True, animations="disabled", caret="hide")
    return path


async def assert_accessible(page: Page, label: str = "page") -> None:
    """axe-core on the page as it is now: fails on serious or critical violations, naming the
    rule, the elements and the help text. All violations go to test-output/axe/ as JSON."""
    if not await page.evaluate("() => typeof window.axe === 'object'"):
        await page.evaluate(AXE_SOURCE)
    violations = await page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {
                runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
            });
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
            }));
        }""",
        AXE_TAGS,
    )
    AXE_REPORT_DIR.mkdir(parents=True, exist_ok=True)
    (AXE_REPORT_DIR / f"{_file_name(page, label)}.json").write_text(
        json.dumps({"url": page.url, "violations": violations}, indent=2)
    )
    serious = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    if serious:
        lines = [f"axe-core: {len(serious)} serious/critical violation(s) on {page.url}:"]
        for violation in serious:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"][:5]:
                lines.append(f"    at {node['target']}: {node['summary']}")
        raise AssertionError("\n".join(lines))


async def assert_no_horizontal_scroll(page: Page) -> None:
    """Nothing is wider than the screen (at 360 px: a phone), naming what sticks out."""
    # The size the context was made with: a mobile browser may zoom out to fit wide content.
    viewport = page.viewport_size
    assert viewport is not None
    overflow = await page.evaluate(
        """(width) => {
            if (document.documentElement.scrollWidth <= width) return null;
            const wide = [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > width + 1)
                .slice(0, 5)
                .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                     + (el.className && typeof el.className === 'string'
                        ? '.' + el.className.trim().split(/\\s+/).join('.') : ''));
            return {width, scrollWidth: document.documentElement.scrollWidth, wide};
        }""",
        viewport["width"],
    )
    assert overflow is None, (
        f"{page.url} scrolls sideways at {overflow['width']} px "
        f"(content {overflow['scrollWidth']} px wide): {', '.join(overflow['wide'])}"
    )


async def assert_inside_viewport(page: Page) -> None:
    """Every visible element lies within the screen's width: nothing cut off, also inside a
    sideways-scrolling box (which the page's own scroll width does not show). Names what
    sticks out and by how much."""
    viewport = page.viewport_size
    assert viewport is not None
    outside = await page.evaluate(
        """(width) => {
            const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                + (el.className && typeof el.className === 'string'
                   ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
            const out = [];
            for (const el of document.querySelectorAll('body *')) {
                const shown = {visibilityProperty: true, opacityProperty: true};
                if (!el.checkVisibility(shown)) continue;
                const box = el.getBoundingClientRect();
                if (box.width <= 1 || box.height <= 1) continue;  // visually hidden text
                if (box.left < -1 || box.right > width + 1) {
                    const text = (el.innerText || el.getAttribute('aria-label') || '').trim();
                    out.push(`${name(el)} [${Math.round(box.left)}..${Math.round(box.right)}]`
                             + (text ? ` "${text.slice(0, 40)}"` : ''));
                }
            }
            return out;
        }""",
        viewport["width"],
    )
    assert not outside, (
        f"{page.url} at {viewport['width']} px: {len(outside)} element(s) not inside the "
        "screen:\n" + "\n".join(outside[:12])
    )


async def assert_small_header(page: Page) -> None:
    """With its menu closed, the site header takes at most an eighth of the screen's height."""
    viewport = page.viewport_size
    assert viewport is not None
    height = await page.evaluate(
        """() => {
            const header = document.querySelector('.site-header');
            if (!header || header.querySelector('details[open]')) return 0;
            return header.getBoundingClientRect().height;
        }"""
    )
    assert height <= viewport["height"] / 8, (
        f"{page.url}: the header is {height:.0f} px high at {viewport['width']} px "
        f"(at most {viewport['height'] / 8:.0f})"
    )


async def assert_header_apart(page: Page) -> None:
    """The header's brand (logo, "Cluster Market", the cluster's name) overlaps none of the
    menu's shown links or its button: a title that shrinks below its text runs into them."""
    viewport = page.viewport_size
    assert viewport is not None
    overlaps = await page.evaluate(
        """() => {
            const brand = document.querySelector('.site-header .brand');
            if (!brand) return [];
            const boxes = [brand.getBoundingClientRect()];
            // the title's own text: its box may be wider than the brand's when squeezed
            for (const el of brand.querySelectorAll('img, span')) {
                boxes.push(el.getBoundingClientRect());
            }
            const range = document.createRange();
            range.selectNodeContents(brand);
            boxes.push(...range.getClientRects());
            const targets = document.querySelectorAll(
                '.site-header .nav a, .site-header .nav button, .site-header .nav .who,'
                + ' .site-header .menu-button');
            const out = [];
            for (const el of targets) {
                if (!el.checkVisibility({visibilityProperty: true})) continue;
                const t = el.getBoundingClientRect();
                if (t.width <= 1 || t.height <= 1) continue;
                for (const b of boxes) {
                    if (b.width <= 1 || b.height <= 1) continue;
                    if (b.left < t.right - 1 && t.left < b.right - 1
                        && b.top < t.bottom - 1 && t.top < b.bottom - 1) {
                        out.push(`"${(el.innerText || '').trim().slice(0, 30)}"`
                                 + ` [${Math.round(t.left)}..${Math.round(t.right)}]`
                                 + ` meets the brand [${Math.round(b.left)}..`
                                 + `${Math.round(b.right)}]`);
                        break;
                    }
                }
            }
            return out;
        }"""
    )
    assert not overlaps, (
        f"{page.url} at {viewport['width']} px: the header's title overlaps the menu:\n"
        + "\n".join(overlaps)
    )


async def assert_fits_a_phone(page: Page) -> None:
    """The page laid out at 360 x 740, as a phone shows it; then back to its own size."""
    viewport = page.viewport_size
    assert viewport is not None
    if viewport["width"] <= PHONE_WIDTH:
        await assert_inside_viewport(page)
        await assert_small_header(page)
        await assert_header_apart(page)
        return
    await page.set_viewport_size({"width": PHONE_WIDTH, "height": 740})
    try:
        await assert_inside_viewport(page)
        await assert_small_header(page)
        await assert_header_apart(page)
    finally:
        await page.set_viewport_size(viewport)


async def assert_focus_visible(target: Locator) -> None:
    """The element has the keyboard focus and shows it with a clear outline (WCAG 2.4.7)."""
    await expect(target).to_be_focused()
    outline = await target.evaluate(
        """element => {
            const style = getComputedStyle(element);
            return {style: style.outlineStyle, width: parseFloat(style.outlineWidth)};
        }"""
    )
    assert outline["style"] != "none" and outline["width"] >= 2, f"focus not shown: {outline}"


def assert_no_script_problems(page: Page) -> None:
    problems = _info(page).problems
    assert not problems, f"on {page.url}:\n" + "\n".join(problems)


async def check_page(page: Page, label: str) -> None:
    """The checks every visited page passes, and its screenshot (taken first, so a failing
    page can still be looked at)."""
    await page.wait_for_load_state("load")  # styles, images and htmx are in
    await save_screenshot(page, label)
    assert_no_script_problems(page)
    await assert_no_horizontal_scroll(page)
    viewport = page.viewport_size
    if viewport is not None and viewport["width"] > PHONE_WIDTH:
        await assert_header_apart(page)  # at a desktop's own width; 360 px just below
    await assert_fits_a_phone(page)  # at 360 px, with the header apart there too
    await assert_accessible(page, label)
