"""The till's common ticket (one product line, online): on PostgreSQL it is recorded by the
tap's one statement, with the user taken from the session; the same answers on both engines
as a ticket of several lines gets from `record_ticket`."""

from clustermarket.accounts.tables import User
from clustermarket.market.tables import Sale
from tests.conftest import post_form, sign_in
from tests.market.helpers import left_of, new_sale_id, open_market

JSON = {"accept": "application/json"}


def _ticket(market, quantity: int = 1, **more: str) -> dict[str, str]:
    return {"ticket_id": new_sale_id(), f"qty_{market.candle}": str(quantity), **more}


async def test_a_one_line_ticket_is_recorded_once_with_its_change(client) -> None:
    market = await open_market()
    await sign_in(client, "ameliab")
    form = _ticket(market, 2, method="cash", tendered="10")
    sold = await post_form(client, f"/stalls/{market.stall}/tickets", form, headers=JSON)
    body = sold.json()
    assert sold.status_code == 200 and body["ok"] and not body["repeated"]
    assert body["message"] == "Sold 2 × Beeswax candle for £9.00 (cash). Change due £1.00."
    assert body["ticket"]["id"] == form["ticket_id"]
    assert body["ticket"]["lines"][0]["name"] == "Beeswax candle"
    assert body["ticket"]["total_pence"] == 900 and body["ticket"]["change_pence"] == 100
    assert body["left"] == {str(market.candle): 8, str(market.tote): 5}
    assert body["takings"]["cash"] == 900 and body["takings"]["sales"] == 1
    # The queue sends it again (the answer was lost): nothing doubles, the same ticket back.
    again = await post_form(client, f"/stalls/{market.stall}/tickets", form, headers=JSON)
    assert again.json()["repeated"] and again.json()["ticket"]["id"] == form["ticket_id"]
    assert again.json()["ticket"]["total_pence"] == 900
    assert again.json()["left"] == {str(market.candle): 8, str(market.tote): 5}
    sale = await Sale.select(Sale.ticket, Sale.tendered_pence, Sale.cost_pence).first()
    assert sale == {"ticket": form["ticket_id"], "tendered_pence": 1000, "cost_pence": 360}
    assert await Sale.count() == 1 and await left_of(market.stall, market.candle) == 8


async def test_a_one_line_ticket_is_refused_as_a_longer_one_is(client) -> None:
    market = await open_market(candles=2)
    await sign_in(client, "ameliab")
    url = f"/stalls/{market.stall}/tickets"
    short = await post_form(client, url, _ticket(market, method="cash", tendered="4"), headers=JSON)
    assert short.status_code == 400
    assert short.json()["error"] == "£4.00 handed over is less than the total £4.50."
    assert short.json()["left"] == {str(market.candle): 2, str(market.tote): 5}
    too_many = await post_form(client, url, _ticket(market, 3, method="card"), headers=JSON)
    assert too_many.status_code == 409 and not too_many.json()["ok"]
    assert too_many.json()["error"] == "Only 2 Beeswax candle left: not enough for 3."
    other = {"ticket_id": new_sale_id(), "qty_999999": "1", "method": "card"}
    missing = await post_form(client, url, other, headers=JSON)
    assert missing.json()["error"] == "A product on this ticket is not sold at this stall."
    assert await Sale.count() == 0 and await left_of(market.stall, market.candle) == 2


async def test_a_phone_signed_out_everywhere_sells_no_ticket(client) -> None:
    """The till's POST takes the user from the session on PostgreSQL: the statement checks
    it for a one-line ticket, and a longer ticket checks it before anything else."""
    market = await open_market()
    await sign_in(client, "ameliab")
    url = f"/stalls/{market.stall}/tickets"
    assert (await post_form(client, url, _ticket(market, method="card"), headers=JSON)).json()["ok"]
    await User.update({User.session_epoch: User.session_epoch + 1}).where(
        User.username == "ameliab"
    )
    one = await post_form(client, url, _ticket(market, method="card"), headers=JSON)
    assert one.status_code in (401, 302, 303), one.status_code
    two = _ticket(market, method="card") | {f"qty_{market.tote}": "1"}
    refused = await post_form(client, url, two, headers=JSON)
    assert refused.status_code in (401, 302, 303), refused.status_code
    assert await Sale.count() == 1 and await left_of(market.stall, market.candle) == 9


async def test_the_tills_answer_goes_plain_with_the_security_headers(client) -> None:
    """About 530 bytes of JSON: under the 1 KB below which nothing is gzipped (the headers
    are larger than gzip would save), and guarded, checked and headed as every answer."""
    market = await open_market()
    await sign_in(client, "ameliab")
    url = f"/stalls/{market.stall}/tickets"
    sold = await post_form(
        client, url, _ticket(market, method="card"), headers=JSON | {"accept-encoding": "gzip"}
    )
    assert sold.status_code == 200 and sold.json()["ok"]
    assert "content-encoding" not in sold.headers
    assert int(sold.headers["content-length"]) < 1024
    assert sold.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in sold.headers["content-security-policy"]
    client.cookies.delete("cm_session")  # signed out: refused, the guards still run
    refused = await post_form(client, url, _ticket(market, method="card"), headers=JSON)
    assert refused.status_code in (401, 302, 303) and await Sale.count() == 1
