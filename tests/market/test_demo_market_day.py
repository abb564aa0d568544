"""The demo market day run end to end: the admin opens it, a pupil runs the stall, the
teacher's report and CSV show what was sold."""

import csv
import io
import re

from clustermarket.demo import load_demo_data
from clustermarket.market.services import next_market_day
from clustermarket.market.tables import Sale
from clustermarket.schools.tables import Cluster
from tests.conftest import post_form, sign_in
from tests.market.helpers import HTMX, sale_ids_on, tap


async def test_the_demo_market_day_end_to_end(client) -> None:
    await load_demo_data()
    aylsham = await Cluster.select(Cluster.id).where(Cluster.slug == "aylsham").first()
    day = await next_market_day(aylsham["id"])

    await sign_in(client, "admin", "cluster-admin-demo")
    await post_form(client, f"/admin/market-days/{day['id']}/status", {"status": "open"})
    manage = await client.get(f"/admin/market-days/{day['id']}")
    stall = int(re.findall(r'href="/stalls/(\d+)">stall screen</a>', manage.text)[0])

    client.cookies.clear()
    await sign_in(client, "ameliab", "apple-otter-12")
    dashboard = await client.get("/dashboard")
    assert "Aylsham Makers: stall, money and profit" in dashboard.text
    await post_form(client, f"/stalls/{stall}/open", {"amount": "25"})
    screen = await client.get(f"/stalls/{stall}")
    taps = sale_ids_on(screen.text)
    candle, tote = sorted(taps, key=int)
    await tap(client, stall, candle, sale_id=taps[candle], htmx=True)
    await tap(client, stall, candle, sale_id=taps[candle], htmx=True)  # the phone retried
    await tap(client, stall, tote, "card", htmx=True)
    panel = await tap(client, stall, candle, quantity="2", htmx=True)
    assert "Takings <strong>£19.50</strong>" in panel.text
    last = await Sale.select(Sale.id).order_by(Sale.id, ascending=False).first()
    undone = await post_form(client, f"/stalls/{stall}/sales/{last['id']}/void", {}, headers=HTMX)
    assert "Takings <strong>£10.50</strong>" in undone.text
    closed = await post_form(client, f"/stalls/{stall}/close", {"amount": "29.50"})
    assert "Expected in the tin</dt><dd>£29.50" in closed.text and "(spot on)" in closed.text

    client.cookies.clear()
    public = await client.get(f"/market-days/{day['id']}")
    assert "23 left" in public.text and "11 left" in public.text
    assert "Amelia" not in public.text

    await sign_in(client, "staylor", "teacher-demo-1")
    rows = list(
        csv.reader(io.StringIO((await client.get(f"/reports/products/csv?day={day['id']}")).text))
    )
    assert [(r[0], r[1], r[5], r[6]) for r in rows[1:]] == [  # team, product, units, takings
        ("Aylsham Makers", "Beeswax candle", "1", "4.50"),
        ("Aylsham Makers", "Printed tote bag", "1", "6.00"),
    ]
    page = await client.get(f"/reports?report=methods&day={day['id']}")
    assert "£4.50" in page.text and "£6.00" in page.text and "Erpingham" not in page.text
