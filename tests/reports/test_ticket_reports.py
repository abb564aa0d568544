"""Reports and CSV count a ticket as one sale and show a custom amount as such."""

import csv
import io

from clustermarket.accounts.tables import Role
from clustermarket.market.tickets import TicketRequest, record_ticket
from tests.conftest import as_user, make_user, sign_in
from tests.market.helpers import new_sale_id, open_market


async def test_a_ticket_with_a_donation_in_the_reports_and_csv(client) -> None:
    market = await open_market()
    pupil = await as_user("ameliab")
    await record_ticket(
        pupil,
        market.stall,
        TicketRequest(
            ticket_id=new_sale_id(),
            method="cash",
            lines={market.candle: 2, market.tote: 1},
            custom_pence=250,
            custom_label="Donation",
        ),
    )
    await make_user("admin", role=Role.admin, school=None)
    await sign_in(client, "admin")
    products = list(csv.reader(io.StringIO((await client.get("/reports/products/csv")).text)))
    assert {r[1]: (r[5], r[6]) for r in products[1:]} == {
        "Beeswax candle": ("2", "9.00"),
        "Printed tote bag": ("1", "6.00"),
        "Custom amount: Donation": ("1", "2.50"),
    }
    methods = list(csv.reader(io.StringIO((await client.get("/reports/methods/csv")).text)))
    assert {r[1]: (r[2], r[3]) for r in methods[1:]} == {"cash": ("1", "17.50")}
    # Units sold count goods: the donation is in the takings, not in the units.
    for slug, key in (("teams", 2), ("schools", 1)):
        rows = list(csv.reader(io.StringIO((await client.get(f"/reports/{slug}/csv")).text)))
        header = rows[0]
        units = [int(r[header.index("Units sold")]) for r in rows[1:]]
        takings = [r[-1] for r in rows[1:]]
        assert units == [3] and takings == ["17.50"], (slug, key, rows)
