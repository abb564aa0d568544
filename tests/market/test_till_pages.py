"""The till through HTTP: a plain form (no JavaScript) and the phone's JSON queue."""

import asyncio
import re
from collections import Counter

from clustermarket.market.tables import Sale, SaleKind
from tests.conftest import csrf_token, make_client, post_form, sign_in
from tests.market.helpers import left_of, new_sale_id, open_market

JSON = {"accept": "application/json"}


async def test_a_plain_form_sells_a_ticket_and_shows_the_change(client) -> None:
    market = await open_market()
    await sign_in(client, "ameliab")
    page = await client.get(f"/stalls/{market.stall}/till")
    assert page.status_code == 200
    assert "Aylsham Makers" in page.text and f'href="/stalls/{market.stall}"' in page.text
    assert 'class="site-header"' not in page.text  # the stall's own screen, no site menu
    ticket_id = re.search(r'name="ticket_id" value="([0-9a-f-]{36})"', page.text).group(1)
    form = {
        "ticket_id": ticket_id,
        f"qty_{market.candle}": "2",
        f"qty_{market.tote}": "1",
        "custom_amount": "1.50",
        "custom_label": "Donation",
        "tendered": "20",
        "method": "cash",
    }
    sold = await post_form(client, f"/stalls/{market.stall}/tickets", form)
    assert sold.status_code == 200
    assert "Change due <strong>£3.50</strong>" in sold.text
    assert "Sold 2 × Beeswax candle, 1 × Printed tote bag, 1 × Donation for £16.50" in sold.text
    assert 'data-takings="1650"' in sold.text and 'data-sales="1"' in sold.text
    # The browser sends the form again (a double tap, a refresh): nothing doubles.
    again = await post_form(client, f"/stalls/{market.stall}/tickets", form)
    assert again.status_code == 200 and 'data-takings="1650"' in again.text
    assert await Sale.count() == 3
    assert await Sale.count().where(Sale.kind == SaleKind.custom) == 1


async def test_a_refused_plain_ticket_keeps_what_was_typed(client) -> None:
    market = await open_market(candles=1)
    await sign_in(client, "ameliab")
    form = {"ticket_id": new_sale_id(), f"qty_{market.candle}": "3", "method": "card"}
    refused = await post_form(client, f"/stalls/{market.stall}/tickets", form)
    assert refused.status_code == 409
    assert "Only 1 Beeswax candle left: not enough for 3." in refused.text
    assert f'name="qty_{market.candle}" value="3"' in refused.text
    nonsense = await post_form(
        client,
        f"/stalls/{market.stall}/tickets",
        {"ticket_id": new_sale_id(), f"qty_{market.candle}": "lots", "method": "card"},
    )
    assert nonsense.status_code == 400 and "whole number" in nonsense.text
    assert await Sale.count() == 0


async def test_the_phone_gets_json_and_undoes_a_whole_ticket(client) -> None:
    market = await open_market()
    await sign_in(client, "ameliab")
    ticket = new_sale_id()
    sold = await post_form(
        client,
        f"/stalls/{market.stall}/tickets",
        {
            "ticket_id": ticket,
            f"qty_{market.candle}": "2",
            f"qty_{market.tote}": "1",
            "method": "card",
        },
        headers=JSON,
    )
    body = sold.json()
    assert body["ok"] and body["ticket"]["total_pence"] == 1500 and not body["repeated"]
    assert body["left"] == {str(market.candle): 8, str(market.tote): 4}
    assert body["takings"]["card"] == 1500
    undone = await post_form(
        client, f"/stalls/{market.stall}/tickets/{ticket}/void", {}, headers=JSON
    )
    assert undone.json()["message"] == "Undone: 2 × Beeswax candle, 1 × Printed tote bag."
    assert undone.json()["left"] == {str(market.candle): 10, str(market.tote): 5}
    again = await post_form(
        client, f"/stalls/{market.stall}/tickets/{ticket}/void", {}, headers=JSON
    )
    assert again.status_code == 409 and "already undone" in again.json()["error"]


async def test_another_teams_pupil_cannot_sell_or_see_the_till(client) -> None:
    market = await open_market()
    from tests.market.helpers import make_team

    await make_team("erpingham-bees", school="erpingham", members=("freya",))
    await sign_in(client, "freya")
    assert (await client.get(f"/stalls/{market.stall}/till")).status_code == 404
    sold = await post_form(
        client,
        f"/stalls/{market.stall}/tickets",
        {"ticket_id": new_sale_id(), f"qty_{market.candle}": "1", "method": "cash"},
        headers=JSON,
    )
    assert sold.status_code == 404
    assert await Sale.count() == 0


async def test_concurrent_tickets_through_the_app_sell_exactly_the_last_units() -> None:
    market = await open_market(candles=4, members=("ameliab", "oliverg", "isla"))
    phones = [make_client() for _ in range(3)]
    for phone, name in zip(phones, ("ameliab", "oliverg", "isla"), strict=True):
        await phone.__aenter__()
        await sign_in(phone, name)

    async def sell(phone):
        return await phone.post(
            f"/stalls/{market.stall}/tickets",
            data={
                "ticket_id": new_sale_id(),
                f"qty_{market.candle}": "1",
                "method": "cash",
                "_csrf_token": csrf_token(phone),
            },
            headers=JSON,
        )

    try:
        answers = await asyncio.gather(*[sell(phones[i % 3]) for i in range(24)])
    finally:
        for phone in phones:
            await phone.__aexit__(None, None, None)
    assert Counter(a.status_code for a in answers) == {200: 4, 409: 20}
    refused = next(a.json() for a in answers if a.status_code == 409)
    assert refused["error"] == "Beeswax candle is sold out." or "left" in refused["error"]
    assert refused["ok"] is False and "left" in refused
    assert await Sale.count() == 4
    assert await left_of(market.stall, market.candle) == 0


async def test_the_service_worker_and_manifest_are_served(client) -> None:
    market = await open_market()
    worker = await client.get("/stalls/sw.js")
    assert worker.status_code == 200 and worker.headers["content-type"].startswith(
        "text/javascript"
    )
    assert "caches" in worker.text
    await sign_in(client, "ameliab")
    manifest = await client.get(f"/stalls/{market.stall}/till.webmanifest")
    assert manifest.json()["start_url"] == f"/stalls/{market.stall}/till"
    assert "worker-src 'self'" in manifest.headers["content-security-policy"]
