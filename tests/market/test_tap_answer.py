"""An htmx sale tap is answered with only what it changed (issue 17, target 4): the tapped
product's tile, the takings, the last sales and the message, as out-of-band swaps of the
same parts the stall page draws; the numbers stay right tap after tap, undo and sold out."""

import json
import re

import pytest

from clustermarket.market import tap as tap_statement
from clustermarket.market.tables import Sale
from clustermarket.settings import get_settings
from tests.conftest import post_form, sign_in
from tests.market.helpers import HTMX, left_of, new_sale_id, open_market, tap

_OOB = re.compile(r'<\w+(?: id="([^"]+)")?[^>]*? hx-swap-oob="([^"]+)"')
_ADDED = re.compile(r'<ul hx-swap-oob="afterbegin:#recent-sales ul">(.*?)</ul>', re.S)


def swaps(answer: str) -> dict[str, str]:
    """What the answer swaps (an element id, or a selector) → how (htmx's hx-swap-oob)."""
    found = {}
    for element_id, how in _OOB.findall(answer):
        style, _, selector = how.partition(":")
        found[element_id or selector] = style if selector else how
    return found


def added(answer: str) -> list[str]:
    """The sale lines the answer adds on top of the last sales."""
    found = _ADDED.search(answer)
    return re.findall(r"<span>(.*?)</span>", found.group(1)) if found else []


def tile(html: str, product: int) -> str:
    """A product's tile as drawn, without what differs per drawing (its next sale id, the
    CSRF token) or the out-of-band mark."""
    found = re.search(rf'<li id="tap-{product}".*?</li>', html, re.S)
    assert found, f"no tile for product {product}"
    drawn = found.group(0).replace(' hx-swap-oob="true"', "")
    return re.sub(r'name="(sale_id|_csrf_token)" value="[^"]*"', r'name="\1" value=""', drawn)


def part(html: str, name: str) -> str:
    """The contents of the answer's part `name` (message, takings, recent)."""
    found = re.search(rf'<div id="{name}" hx-swap-oob="innerHTML">(.*?)</div>(?:\n|$)', html, re.S)
    assert found, f"no {name} in the answer"
    return found.group(1)


async def test_an_htmx_tap_answers_with_its_tile_and_the_totals_not_the_panel(client) -> None:
    market = await open_market()
    await sign_in(client, "ameliab")
    page = await client.get(f"/stalls/{market.stall}")

    answer = await tap(client, market.stall, market.candle, htmx=True)
    assert answer.status_code == 200
    assert answer.headers["hx-reswap"] == "none"  # nothing but the out-of-band parts
    assert answer.headers["content-type"] == "text/html; charset=utf-8"  # named, not guessed
    assert swaps(answer.text) == {
        "stall-message": "innerHTML",
        "stall-takings": "innerHTML",
        f"tap-{market.candle}": "true",
        "#recent-sales ul": "afterbegin",
    }
    assert 'id="stall-panel"' not in answer.text and f'id="tap-{market.tote}"' not in answer.text
    assert "Sold 1 × Beeswax candle for £4.50 (cash)." in part(answer.text, "stall-message")
    assert "Takings <strong>£4.50</strong>" in part(answer.text, "stall-takings")
    assert "9 left" in tile(answer.text, market.candle)

    # Every part it swaps is on the page; the page's tap forms swap nothing themselves, and
    # the live regions stay in place (their contents change), so the sale is announced.
    for target in swaps(answer.text):
        assert f'id="{target.split()[0].lstrip("#")}"' in page.text, target
    assert re.search(
        r'<div id="recent-sales">\s*<section [^>]*>\s*<h2 [^>]*>Last sales</h2>\s*'
        r'<ul class="recent-sales">\s*</ul>',
        page.text,
    )  # drawn empty
    assert page.text.count('hx-swap="none"') == 2  # one form per product
    assert [line.split(" · ")[:3] for line in added(answer.text)] == [
        ["1 × Beeswax candle", "£4.50", "cash"]
    ]
    assert re.search(r'id="stall-message" class="stall-message" role="status"', page.text)
    assert re.search(r'id="stall-takings" class="takings" aria-live="polite"', page.text)

    # The answer's tile is the page's own tile, as the page now draws it.
    after = await client.get(f"/stalls/{market.stall}")
    assert tile(answer.text, market.candle) == tile(after.text, market.candle)
    assert tile(after.text, market.tote) == tile(page.text, market.tote)


async def test_the_numbers_stay_right_over_taps_an_undo_and_a_sold_out_product(client) -> None:
    market = await open_market(candles=2, totes=5)
    await sign_in(client, "ameliab")

    one = await tap(client, market.stall, market.candle, "cash", htmx=True)
    assert "1 left" in tile(one.text, market.candle)
    assert "Cash £4.50 · Card £0.00 · 1 sale</p>" in part(one.text, "stall-takings")
    two = await tap(client, market.stall, market.tote, "card", htmx=True)
    assert "4 left" in tile(two.text, market.tote)
    assert "Takings <strong>£10.50</strong>" in part(two.text, "stall-takings")
    last = await tap(client, market.stall, market.candle, "card", htmx=True)
    candle = tile(last.text, market.candle)
    assert "Sold out" in candle and 'class="tap sold-out"' in candle
    assert 'name="method"' not in candle  # no button to sell another
    takings = part(last.text, "stall-takings")
    assert "Takings <strong>£15.00</strong>" in takings and "Card £10.50 · 3 sales" in takings
    assert "Cash tin should hold £24.50 (float £20.00)" in takings

    # Sold out elsewhere in the meantime: refused, the message and the tile say so.
    refused = await tap(client, market.stall, market.candle, "cash", htmx=True)
    assert refused.status_code == 409
    assert "Beeswax candle is sold out." in part(refused.text, "stall-message")
    assert "Sold out" in tile(refused.text, market.candle)
    assert "Takings <strong>£15.00</strong>" in part(refused.text, "stall-takings")
    assert added(refused.text) == [] and "recent-sales" not in refused.text

    # Undo the tote: the whole panel comes back (in place of the panel).
    tote_sale = await Sale.select(Sale.id).where(Sale.product == market.tote).first()
    undone = await post_form(
        client, f"/stalls/{market.stall}/sales/{tote_sale['id']}/void", {}, headers=HTMX
    )
    assert undone.status_code == 200 and undone.headers["hx-reswap"] == "outerHTML"
    assert undone.headers["content-type"] == "text/html; charset=utf-8"
    assert undone.text.lstrip().startswith('<div id="stall-panel"')
    assert "Takings <strong>£9.00</strong>" in undone.text and "5 left" in undone.text

    # The next tap counts the undo: the takings from the stall's totals, not this phone's.
    again = await tap(client, market.stall, market.tote, "cash", htmx=True)
    assert "4 left" in tile(again.text, market.tote)
    takings = part(again.text, "stall-takings")
    assert "Takings <strong>£15.00</strong>" in takings
    assert "Cash £10.50 · Card £4.50 · 3 sales" in takings
    assert "Cash tin should hold £30.50" in takings
    lines = added(again.text)
    assert len(lines) == 1 and lines[0].startswith("1 × Printed tote bag · £6.00 · cash")
    line = _ADDED.search(again.text).group(1)
    assert "Undo" in line and "Change due" in line  # the newest sale is a cash sale
    assert "Printed tote bag · £6.00 · card" not in again.text  # the others stay as drawn

    # The full page says the same, with the undone sale among the last sales.
    page = await client.get(f"/stalls/{market.stall}")
    assert takings.strip() in page.text
    lines = re.findall(r"<span>(.*?)</span>", page.text.split('id="recent-sales"')[1])
    assert [line.split(" · ")[0:3] for line in lines] == [
        ["1 × Printed tote bag", "£6.00", "cash"],
        ["1 × Beeswax candle", "£4.50", "card"],
        ["1 × Printed tote bag", "£6.00", "card"],
        ["1 × Beeswax candle", "£4.50", "cash"],
    ]
    assert lines[2].endswith("· undone")
    assert await left_of(market.stall, market.tote) == 4
    assert await left_of(market.stall, market.candle) == 0


async def test_a_repeated_tap_is_answered_as_the_first(client) -> None:
    market = await open_market()
    await sign_in(client, "ameliab")
    sale_id = new_sale_id()
    first = await tap(client, market.stall, market.tote, "card", sale_id=sale_id, htmx=True)
    again = await tap(client, market.stall, market.tote, "card", sale_id=sale_id, htmx=True)
    for answer in (first, again):
        assert answer.status_code == 200 and answer.headers["hx-reswap"] == "none"
        assert "Sold 1 × Printed tote bag for £6.00 (card)." in part(answer.text, "stall-message")
        assert "Takings <strong>£6.00</strong>" in part(answer.text, "stall-takings")
        assert "4 left" in tile(answer.text, market.tote)
    assert await Sale.count() == 1
    # The first answer may never have reached the phone: the repeat sends the whole list,
    # so the sale shows once however many answers arrived.
    assert len(added(first.text)) == 1 and added(again.text) == []
    assert swaps(again.text)["recent-sales"] == "innerHTML"
    assert part(again.text, "recent-sales").count("Printed tote bag · £6.00 · card") == 1


async def test_a_tap_on_a_closed_stall_gets_the_whole_panel_without_buttons(client) -> None:
    market = await open_market()
    await sign_in(client, "ameliab")
    await tap(client, market.stall, market.candle, htmx=True)
    await post_form(client, f"/stalls/{market.stall}/close", {"amount": "24.50"})
    refused = await tap(client, market.stall, market.tote, htmx=True)
    assert refused.status_code == 400 and refused.headers["hx-reswap"] == "outerHTML"
    assert refused.text.lstrip().startswith('<div id="stall-panel"')
    assert "This stall is closed" in refused.text and 'name="method"' not in refused.text
    assert "Expected in the tin</dt><dd>£24.50" in refused.text
    assert await Sale.count() == 1


@pytest.mark.skipif(not get_settings().is_postgres, reason="PostgreSQL's one-statement tap")
async def test_a_tap_reads_only_its_product_and_the_whole_panel_only_when_it_answers_so(
    client, monkeypatch
) -> None:
    """The tap's statement reads the tapped product alone and no last sales (the answer shows
    nothing else); a repeat (all last sales) or a refusal that draws the whole panel reads
    the stall screen again, every product and the last sales, as before."""
    market = await open_market(candles=2)
    await sign_in(client, "ameliab")
    reads: list[tuple[list[int], int | None]] = []  # each statement: products, last sales
    run_tap = tap_statement.run_tap

    async def reading(*args):
        rows = await run_tap(*args)
        products, recent = (json.loads(rows[0][key] or "null") for key in ("products", "recent"))
        reads.append((sorted(p["id"] for p in products or []), recent and len(recent)))
        return rows

    monkeypatch.setattr(tap_statement, "run_tap", reading)
    both = sorted([market.candle, market.tote])

    sold = await tap(client, market.stall, market.candle, htmx=True)
    assert reads == [([market.candle], None)]
    assert "1 left" in tile(sold.text, market.candle) and len(added(sold.text)) == 1
    sale_id = new_sale_id()
    await tap(client, market.stall, market.tote, "card", sale_id=sale_id, htmx=True)

    reads.clear()  # the same tap again: the answer lists every last sale, read again
    again = await tap(client, market.stall, market.tote, "card", sale_id=sale_id, htmx=True)
    assert reads == [([market.tote], None), (both, 2)]
    assert again.headers["hx-reswap"] == "none" and f'id="tap-{market.candle}"' not in again.text
    recent = part(again.text, "recent-sales")
    assert "Printed tote bag · £6.00 · card" in recent and "Beeswax candle · £4.50" in recent

    await tap(client, market.stall, market.candle, htmx=True)
    reads.clear()  # refused, sold out: its tile and the takings, from the one statement
    refused = await tap(client, market.stall, market.candle, htmx=True)
    assert refused.status_code == 409 and reads == [([market.candle], None)]
    assert "Sold out" in tile(refused.text, market.candle)
    assert "Takings <strong>£15.00</strong>" in part(refused.text, "stall-takings")

    await post_form(client, f"/stalls/{market.stall}/close", {"amount": "29.00"})
    reads.clear()  # refused, closed: the whole panel, every product and the last sales
    closed = await tap(client, market.stall, market.tote, htmx=True)
    assert closed.status_code == 400 and reads == [([market.tote], None), (both, 3)]
    assert closed.text.lstrip().startswith('<div id="stall-panel"')
    assert f'id="tap-{market.candle}"' in closed.text and f'id="tap-{market.tote}"' in closed.text
    assert closed.text.count("· £4.50 · cash") == 2 and "This stall is closed" in closed.text
