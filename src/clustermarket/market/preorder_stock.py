"""Stock held at a stall for pre-orders, given back, and handed over as a sale (orders/ calls
these; the market never calls orders)."""

from __future__ import annotations

from clustermarket.accounts.services import CurrentUser
from clustermarket.catalogue.tables import Product
from clustermarket.market import allowance
from clustermarket.market.tables import Sale, SaleKind, StallStock
from clustermarket.timeutil import now


async def take_stock(stall_id: int, product_id: int, quantity: int) -> bool:
    """Hold `quantity` of a product at a stall for a pre-order: one conditional UPDATE, never
    below zero and never past the team's pre-order allowance (market/allowance.py).
    Call inside `write_transaction()`; False means not enough left and nothing changed."""
    left = (
        await StallStock.update(
            {
                StallStock.left: StallStock.left - quantity,
                StallStock.preordered: StallStock.preordered + quantity,
            }
        )
        .where(
            (StallStock.stall == stall_id)
            & (StallStock.product == product_id)
            & (StallStock.left >= quantity)
            & allowance.room_for(quantity)
        )
        .returning(StallStock.left)
    )
    return bool(left)


async def give_back_stock(stall_id: int, product_id: int, quantity: int) -> None:
    """Return held stock; the caller guards with a status change so it happens once."""
    await StallStock.update(
        {
            StallStock.left: StallStock.left + quantity,
            StallStock.preordered: StallStock.preordered - quantity,
        }
    ).where((StallStock.stall == stall_id) & (StallStock.product == product_id))


async def record_collected_sale(
    user: CurrentUser,
    stall_id: int,
    product_id: int,
    quantity: int,
    unit_price_pence: int,
    method: str,
    client_id: str,
) -> None:
    """A pre-order line handed over at the stall: a sale whose stock was already held, at the
    price the buyer was charged. `client_id` is made from the line, so it is recorded once."""
    product = await Product.select(Product.unit_cost_pence).where(Product.id == product_id).first()
    await Sale.insert(
        Sale(
            client_id=client_id,
            ticket=client_id,
            kind=SaleKind.preorder,
            stall=stall_id,
            product=product_id,
            quantity=quantity,
            unit_price_pence=unit_price_pence,
            amount_pence=unit_price_pence * quantity,
            cost_pence=product["unit_cost_pence"] * quantity,
            method=method,
            recorded_by=user.id,
            recorded_at=now(),
        )
    )
