"""Sales, expenses and pre-orders written straight into the database, so a report test can
compute what the report must say from the rows it made."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

from clustermarket.market.tables import Expense, Sale
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
