"""Demo pre-orders: one reservation (pay at the stall) at the Erpingham Busy Bees' stall on
the next market day (harryp collects it there)."""

from __future__ import annotations

from clustermarket.catalogue.tables import Product
from clustermarket.orders.services import place_order


async def load_demo_orders(next_day_id: int) -> None:
    products = {p["name"]: p["id"] for p in await Product.select(Product.id, Product.name)}
    basket = {
        "day": next_day_id,
        "items": {str(products["Bird feeder"]): 1, str(products["Lavender bag"]): 2},
    }
    await place_order(False, basket, "Jaya Patel", "jaya.patel@example.org")
