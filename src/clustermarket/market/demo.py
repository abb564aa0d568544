"""The demo's market: stalls with stock on the next market day, and last month's market
with its sales, closing counts and expenses."""

from __future__ import annotations

import datetime as dt

from clustermarket.catalogue.tables import Product
from clustermarket.market.tables import MarketDay, MarketStatus
from clustermarket.timeutil import now, today_uk

# What each enterprise team brings to a market day: team slug → {product name: count}.
STALL_STOCK = {
    "aylsham-makers": {"Beeswax candle": 24, "Printed tote bag": 12},
    "erpingham-bees": {"Bird feeder": 15, "Lavender bag": 20, "Sunflower seed packet": 40},
}
# Last month's market: (team slug, username, product name, quantity, method) per sale.
PAST_SALES = [
    ("aylsham-makers", "ameliab", "Beeswax candle", 1, "cash"),
    ("aylsham-makers", "oliverg", "Beeswax candle", 2, "card"),
    ("aylsham-makers", "ameliab", "Printed tote bag", 1, "cash"),
    ("aylsham-makers", "isla", "Printed tote bag", 1, "card"),
    ("aylsham-makers", "ameliab", "Beeswax candle", 1, "cash"),
    ("erpingham-bees", "harryp", "Bird feeder", 3, "cash"),
    ("erpingham-bees", "freyas", "Lavender bag", 2, "cash"),
    ("erpingham-bees", "harryp", "Sunflower seed packet", 5, "card"),
    ("erpingham-bees", "freyas", "Lavender bag", 1, "card"),
]
# (team slug, kind, description, pence, on last month's market day?)
EXPENSES = [
    ("aylsham-makers", "materials", "Jars and labels", 400, True),
    ("aylsham-makers", "stall_fee", "Pitch at the farmers' market", 500, True),
    ("aylsham-makers", "startup", "Start-up loan from the PTA", 5000, False),
    ("erpingham-bees", "materials", "Cotton bags and string", 600, True),
    ("erpingham-bees", "stall_fee", "Pitch at the farmers' market", 500, True),
]


async def load_demo_market(cluster_id: int, teams: dict[str, int], users: dict[str, int]) -> None:
    """Stalls with stock on the next market day, and last month's market run through the
    stall screen's own services, so reports and profit and loss show real figures."""
    from clustermarket.accounts.services import load_session_user
    from clustermarket.market.sales import close_stall, open_stall, record_sale
    from clustermarket.market.services import stall_for_worker
    from clustermarket.market.stock import set_stock
    from clustermarket.market.tables import Expense, Sale, Stall
    from clustermarket.market.takings import stall_takings

    products = {p["name"]: p["id"] for p in await Product.select(Product.id, Product.name)}
    today = today_uk()
    past_date = first_saturday_of_next_month(today - dt.timedelta(days=62))
    next_day = await MarketDay.select(MarketDay.id).where(MarketDay.date > today).first()
    rows = await MarketDay.insert(
        MarketDay(
            cluster=cluster_id,
            date=past_date,
            location="Aylsham Market Place",
            opens=dt.time(9, 0),
            closes=dt.time(13, 0),
            status=MarketStatus.open,
        )
    ).returning(MarketDay.id)
    past_day = rows[0]["id"]
    admin = await load_session_user(users["admin"], 0)
    stalls: dict[tuple[int, str], dict] = {}
    for day_id in (next_day["id"], past_day):
        for slug, stock in STALL_STOCK.items():
            made = await Stall.insert(
                Stall(market_day=day_id, team=teams[slug], pitch="")
            ).returning(Stall.id)
            stall = await stall_for_worker(admin, made[0]["id"])
            await set_stock(stall, {products[name]: count for name, count in stock.items()})
            stalls[(day_id, slug)] = stall
    for slug in STALL_STOCK:
        await open_stall(stalls[(past_day, slug)], 2000)
    for i, (slug, username, name, quantity, method) in enumerate(PAST_SALES):
        seller = await load_session_user(users[username], 0)
        await record_sale(
            seller,
            stalls[(past_day, slug)]["id"],
            products[name],
            quantity,
            method,
            f"00000000-0000-4000-8000-{i:012d}",
        )
    for slug in STALL_STOCK:
        stall = await stall_for_worker(admin, stalls[(past_day, slug)]["id"])
        takings = await stall_takings(stall["id"])
        await close_stall(stall, 2000 + takings["cash"] - (50 if slug == "erpingham-bees" else 0))
    at_ten = dt.datetime.combine(past_date, dt.time(10, 0), tzinfo=dt.UTC)
    past_stalls = [stalls[(past_day, slug)]["id"] for slug in STALL_STOCK]
    await Sale.update({Sale.recorded_at: at_ten}).where(Sale.stall.is_in(past_stalls))
    await Stall.update({Stall.opened_at: at_ten}).where(Stall.market_day == past_day)
    await MarketDay.update({MarketDay.status: MarketStatus.closed}).where(MarketDay.id == past_day)
    await Expense.insert(
        *[
            Expense(
                team=teams[slug],
                market_day=past_day if on_day else None,
                kind=kind,
                description=text,
                amount_pence=pence,
                recorded_by=users["admin"],
                recorded_at=now(),
            )
            for slug, kind, text, pence, on_day in EXPENSES
        ]
    )


def first_saturday_of_next_month(today: dt.date) -> dt.date:
    first = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return first + dt.timedelta(days=(5 - first.weekday()) % 7)
