""" "My orders": a signed-in community buyer sees every order placed from the account."""

from __future__ import annotations

from litestar import Request
from litestar.params import FromQuery
from litestar.response import Template

from clustermarket.orders import buyers
from clustermarket.web.auth import requires_signed_in
from clustermarket.web.pagination import page_number
from clustermarket.web.routes import get


@get("/my/orders", guards=[requires_signed_in])
async def my_orders(request: Request, page: FromQuery[str] = "") -> Template:
    user = request.user
    buyer = buyers.is_buyer_account(user)
    orders = await buyers.orders_of(user, page_number(page)) if buyer else None
    return Template(
        "orders/mine.html",
        context={"page": orders, "orders": orders.items if orders else [], "buyer": buyer},
    )


ROUTES = [my_orders]
