"""Pupils run their team's stall on an open market day: tap to sell, undo, count the tin."""

import datetime as dt

from clustermarket.market.tables import MarketStatus, Sale, Stall
from clustermarket.timeutil import now
from tests.conftest import post_form, sign_in
from tests.market.helpers import HTMX, left_of, new_sale_id, open_market, sale_ids_on, tap


def sell(client, market, product, method="cash", sale_id=None, quantity="1", htmx=True):
    return tap(client, market.stall, product, method, quantity, sale_id, htmx)


async def test_a_pupil_opens_the_stall_sells_undoes_and_counts_the_tin(client) -> None:
    market = await open_market(float_pence=None)
    await sign_in(client, "ameliab")

    page = await client.get(f"/stalls/{market.stall}")
    assert page.status_code == 200 and "Starting float" in page.text
    opened = await post_form(client, f"/stalls/{market.stall}/open", {"amount": "20.00"})
    assert opened.status_code == 200 and "Takings" in opened.text

    # One tap with htmx: what the tap changed comes back (tile, takings, last sales).
    page = await client.get(f"/stalls/{market.stall}")
    taps = sale_ids_on(page.text)
    panel = await sell(client, market, market.candle, "cash", taps[str(market.candle)])
    assert panel.status_code == 200
    assert 'id="stall-panel"' not in panel.text and 'hx-swap-oob="true"' in panel.text
    assert "Sold 1 × Beeswax candle for £4.50 (cash)." in panel.text
    assert 'aria-live="polite"' in page.text and "Takings <strong>£4.50</strong>" in panel.text
    assert "9 left" in panel.text
    # The next tap carries a new id made by the page.
    assert sale_ids_on(panel.text)[str(market.candle)] != taps[str(market.candle)]

    # A card sale as a plain form post (no JavaScript): the whole page comes back.
    page = await sell(client, market, market.tote, "card", htmx=False)
    assert page.status_code == 200 and "<html" in page.text
    assert "Takings <strong>£10.50</strong>" in page.text and "Card £6.00" in page.text

    # The customer hands over a £10 note for the candle... no, for the next candle.
    panel = await sell(client, market, market.candle, "cash")
    last = await Sale.select(Sale.id).order_by(Sale.id, ascending=False).first()
    change = await post_form(
        client,
        f"/stalls/{market.stall}/sales/{last['id']}/change",
        {"amount": "10"},
        headers=HTMX,
    )
    assert "Change due: <strong>£5.50</strong>" in change.text

    # Undo the last candle: the stock comes back, the sale stays on record as voided.
    undone = await post_form(
        client, f"/stalls/{market.stall}/sales/{last['id']}/void", {}, headers=HTMX
    )
    assert undone.status_code == 200 and "Undone: 1 × Beeswax candle." in undone.text
    assert await left_of(market.stall, market.candle) == 9
    voided = (
        await Sale.select(Sale.voided_at, Sale.voided_by.username.as_alias("by"))
        .where(Sale.id == last["id"])
        .first()
    )
    assert voided["voided_at"] is not None and voided["by"] == "ameliab"
    assert "Takings <strong>£10.50</strong>" in undone.text

    # Close: the tin should hold £20 float + £4.50 cash; they count £24.00.
    closed = await post_form(client, f"/stalls/{market.stall}/close", {"amount": "24.00"})
    assert closed.status_code == 200
    assert "Expected in the tin</dt><dd>£24.50" in closed.text
    assert "Counted</dt><dd>£24.00" in closed.text and "-£0.50 (short)" in closed.text
    # A closed stall sells nothing more.
    refused = await sell(client, market, market.candle)
    assert refused.status_code == 400 and "This stall is closed" in refused.text
    assert await left_of(market.stall, market.candle) == 9


async def test_a_retried_tap_records_one_sale_and_gets_the_same_answer(client) -> None:
    market = await open_market()
    await sign_in(client, "ameliab")
    sale_id = new_sale_id()
    first = await sell(client, market, market.candle, sale_id=sale_id)
    again = await sell(client, market, market.candle, sale_id=sale_id)
    plain = await sell(client, market, market.candle, sale_id=sale_id, htmx=False)
    for answer in (first, again, plain):
        assert answer.status_code == 200
        assert "Sold 1 × Beeswax candle for £4.50 (cash)." in answer.text
    assert await Sale.count() == 1
    assert await left_of(market.stall, market.candle) == 9


async def test_a_sold_out_product_cannot_be_sold(client) -> None:
    market = await open_market(candles=1)
    await sign_in(client, "ameliab")
    assert (await sell(client, market, market.candle)).status_code == 200
    refused = await sell(client, market, market.candle)
    assert refused.status_code == 409 and "Beeswax candle is sold out." in refused.text
    assert "Sold out" in refused.text
    two = await sell(client, market, market.tote, quantity="6")
    assert two.status_code == 409 and "Only 5 Printed tote bag left" in two.text
    assert await Sale.count() == 1 and await left_of(market.stall, market.candle) == 0


async def test_bad_input_is_refused_and_nothing_changes(client) -> None:
    from tests.market.helpers import make_product, make_team

    market = await open_market()
    other_team = await make_team("erpingham-bees", school="erpingham")
    feeder = await make_product(other_team, "Bird feeder", 300, 60)
    await sign_in(client, "ameliab")
    cases = [
        ({"quantity": "-1"}, "Sell between 1 and 20 at a time."),
        ({"quantity": "0"}, "Sell between 1 and 20 at a time."),
        ({"quantity": "1000000"}, "Sell between 1 and 20 at a time."),
        ({"quantity": "99999999999999999999"}, "far too big"),
        ({"quantity": "two"}, "The quantity must be a whole number."),
        ({"product_id": str(feeder)}, "That product is not sold at this stall."),
        ({"product_id": "99999999999"}, "far too big"),
        ({"method": "cheque"}, "Choose cash or card."),
        ({"sale_id": "not-a-uuid"}, "no valid sale id"),
    ]
    for change, message in cases:
        data = {
            "sale_id": new_sale_id(),
            "product_id": str(market.candle),
            "quantity": "1",
            "method": "cash",
            **change,
        }
        answer = await post_form(client, f"/stalls/{market.stall}/sales", data, headers=HTMX)
        assert answer.status_code == 400, (change, answer.text)
        assert message in answer.text, change
    assert await Sale.count() == 0
    assert await left_of(market.stall, market.candle) == 10


async def test_a_closed_or_planned_market_day_sells_nothing(client) -> None:
    market = await open_market(status=MarketStatus.closed)
    await sign_in(client, "ameliab")
    refused = await sell(client, market, market.candle)
    assert refused.status_code == 400 and "The market day is not open" in refused.text
    assert await Sale.count() == 0 and await left_of(market.stall, market.candle) == 10
    page = await client.get(f"/stalls/{market.stall}")
    assert 'name="method" value="cash"' not in page.text  # no buttons to tap


async def test_a_stale_or_repeated_undo_is_refused(client) -> None:
    market = await open_market()
    await sign_in(client, "ameliab")
    await sell(client, market, market.candle)
    await sell(client, market, market.tote)
    old, recent = await Sale.select(Sale.id).order_by(Sale.id)
    await Sale.update({Sale.recorded_at: now() - dt.timedelta(minutes=6)}).where(
        Sale.id == old["id"]
    )
    stale = await post_form(
        client, f"/stalls/{market.stall}/sales/{old['id']}/void", {}, headers=HTMX
    )
    assert stale.status_code == 409 and "more than 5 minutes old" in stale.text
    assert await left_of(market.stall, market.candle) == 9

    await post_form(client, f"/stalls/{market.stall}/sales/{recent['id']}/void", {}, headers=HTMX)
    twice = await post_form(
        client, f"/stalls/{market.stall}/sales/{recent['id']}/void", {}, headers=HTMX
    )
    assert twice.status_code == 409 and "already undone" in twice.text
    assert await left_of(market.stall, market.tote) == 5  # given back once, not twice
    assert await Sale.count().where(Sale.voided_at.is_null()) == 1


async def test_cash_float_and_change_refuse_nonsense(client) -> None:
    market = await open_market(float_pence=None)
    await sign_in(client, "ameliab")
    for amount, message in [
        ("lots", "type an amount in pounds"),
        ("-5", "from £0 to"),
        ("1.234", "from £0 to"),
        ("5000", "from £0 to"),
    ]:
        answer = await post_form(client, f"/stalls/{market.stall}/open", {"amount": amount})
        assert answer.status_code == 400 and message in answer.text, amount
    assert (await Stall.select(Stall.opened_at).first())["opened_at"] is None
    await post_form(client, f"/stalls/{market.stall}/open", {"amount": "£15.50"})
    assert (await Stall.select(Stall.float_pence).first())["float_pence"] == 1550
    again = await post_form(client, f"/stalls/{market.stall}/open", {"amount": "99"})
    assert again.status_code == 400 and "already open" in again.text
    await sell(client, market, market.tote)
    sale = await Sale.select(Sale.id).first()
    short = await post_form(
        client, f"/stalls/{market.stall}/sales/{sale['id']}/change", {"amount": "5"}, headers=HTMX
    )
    assert short.status_code == 400 and "£5.00 is less than £6.00" in short.text
