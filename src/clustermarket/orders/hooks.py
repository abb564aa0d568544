"""The orders domain's answers to the market's questions (`market/hooks.py`)."""

from __future__ import annotations

from clustermarket.market.hooks import hooks
from clustermarket.orders.cancelling import expire_reservations_of_day
from clustermarket.orders.collection import is_pre_order_sale, orders_to_collect


def connect() -> None:
    """Plug orders into the market; calling it again changes nothing."""
    hooks.is_pre_order_sale = is_pre_order_sale
    hooks.orders_to_collect = orders_to_collect
    if expire_reservations_of_day not in hooks.day_closed:
        hooks.day_closed.append(expire_reservations_of_day)
