"""At the end of the day the team prints its stall summary and sees what sold best."""

from clustermarket.market.services import stall_for_worker
from clustermarket.market.tickets import TicketRequest, record_ticket, void_ticket
from tests.conftest import as_user, post_form, sign_in
from tests.market.helpers import new_sale_id, open_market


async def test_the_summary_adds_up_the_tickets_the_tin_and_the_flags(client) -> None:
    market = await open_market(candles=3, totes=5)
    pupil = await as_user("ameliab")

    async def sell(method, lines, **extra):
        ticket = TicketRequest(ticket_id=new_sale_id(), method=method, lines=lines, **extra)
        await record_ticket(pupil, market.stall, ticket)
        return ticket.ticket_id

    await sell(
        "cash", {market.candle: 2, market.tote: 1}, custom_pence=200, custom_label="Donation"
    )
    await sell("card", {market.tote: 2})
    undone = await sell("card", {market.tote: 1})
    await void_ticket(pupil, await stall_for_worker(pupil, market.stall), undone)
    await sell("cash", {market.candle: 3}, offline=True)  # only 1 left: flagged
    await sign_in(client, "ameliab")
    await post_form(client, f"/stalls/{market.stall}/close", {"amount": "48.00"})

    page = await client.get(f"/stalls/{market.stall}/summary")
    assert page.status_code == 200
    text = " ".join(page.text.split())
    # Cash: 2 candles + 1 tote + £2 donation = £17.00, then 3 offline candles £13.50.
    assert '<th scope="row">Cash</th><td>£30.50</td>' in text
    assert '<th scope="row">Card</th><td>£12.00</td>' in text
    assert "Total (3 sales)</th><td><strong>£42.50</strong>" in text
    assert '<th scope="row">Beeswax candle</th><td>5</td><td>£22.50</td>' in text
    assert '<th scope="row">Printed tote bag</th><td>3</td><td>£18.00</td>' in text
    assert '<th scope="row">Custom amount: Donation</th><td>1</td><td>£2.00</td>' in text
    assert "1 ticket undone" in text
    # Float £20 + cash £30.50 = £50.50 expected; £48.00 counted.
    assert "<dt>Expected in the tin</dt><dd>£50.50</dd>" in text
    assert "<dd>-£2.50 (short)</dd>" in text
    assert "3 × Beeswax candle · £13.50 · cash" in text
    assert "<li>Beeswax candle: 5 sold, £22.50</li><li>Printed tote bag: 3 sold" in text
