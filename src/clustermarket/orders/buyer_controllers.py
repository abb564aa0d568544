""" "My orders": a signed-in community buyer sees every order placed from the account."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from clustermarket.orders import buyers
from clustermarket.web.auth import requires_signed_in


@get("/my/orders", guards=[requires_signed_in])
async def my_orders(request: Request) -> Template:
    user = request.user
    orders = await buyers.orders_of(user) if buyers.is_buyer_account(user) else []
    return Template(
        "orders/mine.html",
        context={"orders": orders, "buyer": buyers.is_buyer_account(user)},
    )


ROUTES = [my_orders]
