"""The products CSV is written as lines from tuples (`reports/products_csv.py`): an admin
downloads the same bytes as the report's rows written by Python's csv writer
(`services.csv_rows`), whatever the names and words hold (quotes, commas, line breaks,
formula starts, accents) and whatever the figures (losses, no units, custom amounts, a team
without profit, shares that round to nothing), over a day and over whole school years."""

from __future__ import annotations

import datetime as dt

from clustermarket.accounts.tables import Role
from clustermarket.reports.margins import product_margins
from clustermarket.reports.periods import Period
from clustermarket.reports.products_csv import csv_cell
from clustermarket.reports.services import REPORTS, csv_header, csv_rows
from clustermarket.teams.tables import Team
from clustermarket.timeutil import today_uk
from clustermarket.web.csv_stream import spreadsheet_safe
from tests.conftest import make_user, sign_in
from tests.market.helpers import first_cluster, make_day, make_product, make_stall, make_team
from tests.reports.helpers import sold
from tests.reports.test_products_flat import _written

AWKWARD = [
    "Candle, large",
    'The "Best" Jam',
    "=SUM(A1:A9)",
    "-minus",
    "+plus",
    "@handle",
    "Line\nbreak",
    "Carriage\rreturn",
    "Crème brûlée ✓",
    " leading space",
    "'quoted'",
    '"',
    ",",
    "=",
]


def test_a_cell_is_written_as_the_csv_writer_writes_it_made_safe() -> None:
    for text in [*AWKWARD, "", "plain", "a\r\nb", "é=", "\x00x"]:
        assert f"{csv_cell(text)},1\r\n" == _written([spreadsheet_safe(text), 1], []), text


async def _awkward_sales() -> dict[str, int]:
    """Teams with awkward names and products, losses, halves and custom amounts."""
    teams = {}
    for slug, name in [
        ("quoted", '=Team "Quote", Ltd'),
        ("plain", "Plain team"),
        ("broken", "-Line\nbreak team"),
        ("accents", "Café Ünïcode ☕"),
        ("loss", "@Loss makers"),
        ("even", "Even, Stevens"),
    ]:
        teams[slug] = await make_team(slug)
        await Team.update({Team.name: name}).where(Team.id == teams[slug])
    day = await make_day()
    for n, name in enumerate(AWKWARD):
        team = teams["quoted"] if n % 2 else teams["accents"]
        product = await make_product(team, name, 100 + 37 * n, 40 + 11 * n)
        stall = await make_stall(day, team, {product: 50})
        await sold(stall, product, 1 + n % 4, 100 + 37 * n, 40 + 11 * n)
        await sold(stall, product, 2, 90 + 37 * n, 40 + 11 * n)  # a second price
        await sold(stall, None, 1, 5 + n, 0, label=name)  # custom amounts in awkward words
    plain = await make_product(teams["plain"], "Soap", 250, 0)
    half = await make_product(teams["plain"], "Half", 3, 0)
    tiny = await make_product(teams["plain"], "Tiny loss", 100, 0)
    back = await make_product(teams["plain"], "Returned", 100, 0)
    twin = await make_product(teams["plain"], "Soap", 250, 0)  # one name, one price: two rows
    stall = await make_stall(day, teams["plain"], {p: 9 for p in (plain, half, tiny, back, twin)})
    await sold(stall, twin, 1, 250, 10)
    await sold(stall, plain, 800, 250, 0)  # profit 200,000p: shares of a penny round away
    await sold(stall, half, 1, 3, 2)
    await sold(stall, half, 1, 3, 3)  # a unit cost of 2.5p, written 0.03
    await sold(stall, tiny, 1, 100, 101)  # loses 1p: a share of -0.0005%, written 0.0
    await sold(stall, back, 1, 90, 50)
    await sold(stall, back, -1, 90, 20)  # no units left, a cost: unit cost 0
    await sold(stall, back, -2, 100, 30)  # fewer than no units
    await sold(stall, None, 1, 0, 0, label="")  # no words at all
    dear = await make_product(teams["loss"], "Dear", 100, 0)
    stall = await make_stall(day, teams["loss"], {dear: 9})
    await sold(stall, dear, 3, 100, 150)  # the team lost: no shares
    await sold(stall, None, 1, 10, 0, label="Tip")
    cheap = await make_product(teams["even"], "Even", 100, 0)
    stall = await make_stall(day, teams["even"], {cheap: 9})
    await sold(stall, cheap, 1, 100, 50)
    await sold(stall, cheap, 1, 150, 200)  # the team broke even: no shares
    return teams


async def test_the_csv_holds_the_bytes_the_csv_writer_writes(client) -> None:
    await _awkward_sales()
    cluster = await first_cluster()
    report = REPORTS["products"]
    await make_user("admin", role=Role.admin, school=None)
    await sign_in(client, "admin")
    today = today_uk().isoformat()
    school = (await Team.select(Team.school).first())["school"]
    for start, end, school_id in [
        (today, today, None),  # the day's totals
        ("2000-01-01", "2100-12-31", None),  # whole school years
        ("2000-01-01", "2100-12-31", school),
    ]:
        period = Period("custom", dt.date.fromisoformat(start), dt.date.fromisoformat(end), "")
        query = f"from={start}&to={end}" + (f"&school={school_id}" if school_id else "")
        answer = await client.get(f"/reports/products/csv?{query}")
        assert answer.status_code == 200
        rows = await product_margins(school_id, period, cluster)
        assert len(rows) > 30
        assert answer.content == _written(csv_header(report), csv_rows(report, rows)).encode()
    text = answer.text
    assert '"\'=Team ""Quote"", Ltd","The ""Best"" Jam",1.37,' in text
    assert "Café Ünïcode ☕,'=SUM(A1:A9),1.74," in text
    assert "Plain team,Tiny loss,1.00,1.01,-0.01,1,1.00,-0.01,0.0\r\n" in text
    assert "Plain team,Half,0.03,0.03,0.00,2,0.06,0.01,0.0\r\n" in text
    assert "Plain team,Returned,0.90,0.00,0.90,0,0.00,-0.30,0.0\r\n" in text
    assert "Plain team,Returned,1.00,0.30,0.70,-2,-2.00,-1.40,-0.1\r\n" in text
    assert "'@Loss makers,Custom amount: Tip,,,,1,0.10,0.10,\r\n" in text
