"""CSV downloads are streamed a batch of rows at a time (the products report, written as
lines, in one body), and hold exactly the report's rows."""

from __future__ import annotations

import csv
import io
import uuid

from clustermarket.accounts.tables import Role
from clustermarket.market.tables import Sale
from clustermarket.reports.periods import period_from_query
from clustermarket.reports.services import REPORT_ROWS_PER_PAGE, REPORTS, csv_header, csv_rows
from clustermarket.timeutil import now, today_uk
from clustermarket.web.csv_stream import ROWS_PER_CHUNK, CsvLines, csv_download
from tests.conftest import make_user, sign_in
from tests.market.helpers import first_cluster, make_day, make_stall, make_team
from tests.web.test_pagination import products


async def test_a_large_products_report_is_one_csv_body_with_every_row(client) -> None:
    team = await make_team("aylsham-makers")
    made = await products(team, ROWS_PER_CHUNK + 120)
    stall = await make_stall(await make_day(), team, {p: 10 for p in made})
    await Sale.insert(
        *[
            Sale(
                client_id=str(uuid.uuid4()),
                ticket=str(uuid.uuid4()),
                stall=stall,
                product=product,
                quantity=1 + n % 3,
                unit_price_pence=100 + n,
                amount_pence=(100 + n) * (1 + n % 3),
                cost_pence=0,
                method="cash",
                recorded_at=now(),
            )
            for n, product in enumerate(made)
        ]
    )
    await make_user("admin", role=Role.admin, school=None)
    await sign_in(client, "admin")

    answer = await client.get("/reports/products/csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert "content-length" in answer.headers  # lines written whole: one body
    rows = list(csv.reader(io.StringIO(answer.text)))
    report = REPORTS["products"]
    assert rows[0] == csv_header(report)
    period = await period_from_query(None, None, None, today_uk())
    expected = await report.rows(None, period, await first_cluster())
    assert len(rows) - 1 == len(expected) == ROWS_PER_CHUNK + 120
    assert rows[1:] == list(csv_rows(report, expected))
    takings = rows[0].index("Takings (£)")
    standing = sum(s["amount_pence"] for s in await Sale.select(Sale.amount_pence))
    assert sum(round(float(r[takings]) * 100) for r in rows[1:]) == standing

    # The page shows the same rows a page at a time, with the true total.
    page = await client.get("/reports?report=products&page=2")
    size, total = REPORT_ROWS_PER_PAGE, ROWS_PER_CHUNK + 120
    assert f"{total} rows, {size + 1}–{2 * size} shown" in page.text
    assert f"Page 2 of {-(-total // size)}" in page.text


async def test_rows_are_streamed_a_chunk_at_a_time_and_lines_sent_whole() -> None:
    rows = [[f"=row {n}", n] for n in range(ROWS_PER_CHUNK + 2)]
    streamed = csv_download("a.csv", ["Name", "N"], rows)
    chunks = [chunk async for chunk in streamed.iterator]
    assert len([c for c in chunks if c]) == 2  # a full chunk, then the rest
    text = b"".join(chunks).decode()
    assert text.startswith("Name,N\r\n=row 0,0\r\n")  # cells are the caller's to make safe
    whole = csv_download("a.csv", ["Name", "N"], CsvLines(["'=row 0,0", "b,1"]))
    assert whole.content == b"Name,N\r\n'=row 0,0\r\nb,1\r\n"
    assert csv_download("a.csv", ["Name", "N"], CsvLines()).content == b"Name,N\r\n"
