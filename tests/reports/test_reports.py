"""Teachers read their school's takings, the admin everyone's; the CSV agrees with the sales."""

import csv
import io

from clustermarket.accounts.tables import Role
from clustermarket.market.tables import Sale
from tests.conftest import make_user, post_form, sign_in
from tests.market.helpers import (
    make_product,
    make_stall,
    make_teacher,
    make_team,
    open_market,
    tap,
)


async def sell(client, stall, product, quantity="1", method="cash"):
    answer = await tap(client, stall, product, method, quantity)
    assert answer.status_code == 200, answer.text


async def two_schools_sold(client):
    """Aylsham Makers sells £19.50 (one sale undone); Erpingham Bees sells £9.00."""
    market = await open_market()
    bees = await make_team("erpingham-bees", school="erpingham", members=("harryp",))
    feeder = await make_product(bees, "Bird feeder", 300, 60)
    bees_stall = await make_stall(market.day, bees, {feeder: 10})
    await sign_in(client, "ameliab")
    await sell(client, market.stall, market.candle, "3")
    await sell(client, market.stall, market.tote, "1", "card")
    await sell(client, market.stall, market.tote)
    last = await Sale.select(Sale.id).order_by(Sale.id, ascending=False).first()
    await post_form(client, f"/stalls/{market.stall}/sales/{last['id']}/void", {})
    client.cookies.clear()
    await sign_in(client, "harryp")
    await sell(client, bees_stall, feeder, "3", "card")
    client.cookies.clear()
    return market


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


async def test_admin_reports_and_csv_agree_with_the_recorded_sales(client) -> None:
    await two_schools_sold(client)
    await make_user("admin", role=Role.admin, school=None)
    await sign_in(client, "admin")

    page = await client.get("/reports?report=teams")
    assert page.status_code == 200
    assert "Aylsham Makers" in page.text and "Erpingham Bees" in page.text
    assert "£19.50" in page.text and "£9.00" in page.text and "<svg" in page.text

    answer = await client.get("/reports/teams/csv")
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    rows = csv_rows(answer.text)
    assert rows[0] == ["Market day", "Team", "School", "Units sold", "Takings (£)"]
    by_team = {r[1]: (r[3], r[4]) for r in rows[1:]}
    assert by_team == {"Aylsham Makers": ("4", "19.50"), "Erpingham Bees": ("3", "9.00")}
    # The CSV adds up to what the sales table holds for the sales that stand.
    standing = await Sale.select(Sale.amount_pence).where(Sale.voided_at.is_null())
    assert sum(round(float(r[4]) * 100) for r in rows[1:]) == sum(
        s["amount_pence"] for s in standing
    )

    schools = csv_rows((await client.get("/reports/schools/csv")).text)
    assert {r[1]: r[3] for r in schools[1:]} == {
        "Aylsham High School": "19.50",
        "Erpingham Primary School": "9.00",
    }
    products = csv_rows((await client.get("/reports/products/csv?range=market")).text)
    assert {r[1]: r[5] for r in products[1:]} == {
        "Beeswax candle": "3",
        "Printed tote bag": "1",
        "Bird feeder": "3",
    }
    methods = csv_rows((await client.get("/reports/methods/csv")).text)
    assert {r[1]: (r[2], r[3]) for r in methods[1:]} == {
        "cash": ("1", "13.50"),
        "card": ("2", "15.00"),
    }
    assert (await client.get("/reports/nonsense/csv")).status_code == 404


async def test_a_teacher_sees_only_their_school(client) -> None:
    await two_schools_sold(client)
    await make_teacher("pshah", school="erpingham")
    await sign_in(client, "pshah")
    page = await client.get("/reports?report=teams&school=1")
    assert "Erpingham Bees" in page.text and "Aylsham Makers" not in page.text
    rows = csv_rows((await client.get("/reports/products/csv")).text)
    assert [r[1] for r in rows[1:]] == ["Bird feeder"]


async def test_pupils_cannot_open_reports(client) -> None:
    await make_user("ameliab")
    await sign_in(client, "ameliab")
    assert (await client.get("/reports")).status_code == 403
    assert (await client.get("/reports/teams/csv")).status_code == 403
