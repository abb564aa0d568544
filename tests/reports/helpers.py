"""Sales, expenses and pre-orders written straight into the database, so a report test can
compute what the report must say from the rows it made."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

from clustermarket.market.tables import Expense, Sale, SaleYearTotal
from clustermarket.orders.tables import Order, OrderLine
from clustermarket.timeutil import now
from tests.market.helpers import make_day


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


async def day_on(date: dt.date) -> int:
    return await make_day(date=date)


async def sold(
    stall: int,
    product: int | None,
    quantity: int,
    price: int,
    unit_cost: int,
    *,
    method: str = "cash",
    voided: bool = False,
    label: str = "",
) -> dict:
    """One sale line of its own ticket; returns the row as stored."""
    sale = Sale(
        client_id=str(uuid.uuid4()),
        ticket=str(uuid.uuid4()),
        stall=stall,
        product=product,
        kind="product" if product else "custom",
        label=label,
        quantity=quantity,
        unit_price_pence=price,
        amount_pence=quantity * price,
        cost_pence=quantity * unit_cost,
        method=method,
        recorded_at=now(),
        voided_at=now() if voided else None,
    )
    await Sale.insert(sale)
    return sale.to_dict()


async def expense(team: int, amount: int, day: int | None, kind: str = "materials") -> None:
    await Expense.insert(
        Expense(team=team, market_day=day, kind=kind, amount_pence=amount, recorded_at=now())
    )


async def pre_order(day: int, stall: int, product: int, quantity: int, status: str) -> int:
    rows = await Order.insert(
        Order(
            market_day=day,
            token=uuid.uuid4().hex,
            buyer_name="Pat Buyer",
            buyer_email="pat@example.org",
            status=status,
            total_pence=quantity * 100,
            created_at=now(),
            updated_at=now(),
        )
    ).returning(Order.id)
    await OrderLine.insert(
        OrderLine(
            order=rows[0]["id"],
            stall=stall,
            product=product,
            product_name="Thing",
            quantity=quantity,
            unit_price_pence=100,
        )
    )
    return rows[0]["id"]


def school_year_of(date: dt.date) -> int:
    """1 September 2026 to 31 August 2027 is school year 2026."""
    return date.year if date.month >= 9 else date.year - 1


async def fresh_year_totals() -> dict[tuple, tuple]:
    """Every standing sale summed per cluster, school year, team, product (0: custom amount),
    words and unit price: what `sale_year_total` must hold."""
    rows = await Sale.select(
        Sale.stall.market_day.cluster.as_alias("cluster"),
        Sale.stall.market_day.date.as_alias("date"),
        Sale.stall.team.as_alias("team"),
        Sale.product,
        Sale.label,
        Sale.unit_price_pence,
        Sale.quantity,
        Sale.amount_pence,
        Sale.cost_pence,
    ).where(Sale.voided_at.is_null())
    sums: dict[tuple, list[int]] = {}
    for r in rows:
        key = (
            r["cluster"],
            school_year_of(r["date"]),
            r["team"],
            r["product"] or 0,
            r["label"],
            r["unit_price_pence"],
        )
        total = sums.setdefault(key, [0, 0, 0, 0])
        for i, value in enumerate((1, r["quantity"], r["amount_pence"], r["cost_pence"])):
            total[i] += value
    return {key: tuple(figures) for key, figures in sums.items()}


async def kept_year_totals() -> dict[tuple, tuple]:
    """`sale_year_total` the same way; a row at no line must count nothing."""
    kept = {}
    for r in await SaleYearTotal.select():
        key = tuple(
            r[c] for c in ("cluster", "school_year", "team", "product", "label", "unit_price_pence")
        )
        figures = tuple(r[c] for c in ("lines", "quantity", "amount_pence", "cost_pence"))
        if r["lines"] == 0:
            assert figures == (0, 0, 0, 0), r
            continue
        kept[key] = figures
    return kept
