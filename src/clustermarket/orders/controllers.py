"""Pre-order pages for buyers: the basket and checkout (the receipt and confirming a
reservation are in `receipt_controllers.py`, the staff's side in `staff_controllers.py`), and
every route of the orders app. Thin handlers: parse, call a service, render."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request
from litestar.exceptions import HTTPException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import ClientRedirect, HTMXRequest
from litestar.response import Redirect, Template

from clustermarket.accounts.services import NotFound
from clustermarket.market import services as market
from clustermarket.market.controllers import Form
from clustermarket.orders import (
    buyers,
    cancelling,
    members,
    reading,
    reservations,
    services,
    shop,
    windows,
)
from clustermarket.orders.buyer_controllers import ROUTES as BUYER_ROUTES
from clustermarket.orders.errors import OrderError
from clustermarket.orders.receipt_controllers import ROUTES as RECEIPT_ROUTES
from clustermarket.orders.staff_controllers import ROUTES as STAFF_ROUTES
from clustermarket.orders.window_controllers import ROUTES as WINDOW_ROUTES
from clustermarket.settings import Settings
from clustermarket.web.clusters import current_cluster
from clustermarket.web.htmx import page_or_fragment
from clustermarket.web.page_cache import PUBLIC_PAGE
from clustermarket.web.pagination import page_number
from clustermarket.web.public_data import kept
from clustermarket.web.routes import get, post

BASKET = "basket"
ORDERS_PER_HOUR = 20  # per address: pre-orders hold stock, so nobody may hoard a stall's stock


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _basket(request: Request) -> dict[str, Any] | None:
    """The visitor's basket, if it was filled in this cluster (under path routing one browser
    session is shared by the clusters: another cluster's basket is not seen here)."""
    basket = (request.session or {}).get(BASKET)
    if not isinstance(basket, dict):
        return None
    return (
        basket
        if basket.get("cluster", current_cluster(request).id) == current_cluster(request).id
        else None
    )


def _keep_basket(request: Request, basket: dict[str, Any] | None) -> None:
    session = dict(request.session or {})
    if basket is None:
        session.pop(BASKET, None)
    else:
        session[BASKET] = {**basket, "cluster": current_cluster(request).id}
    request.set_session(session)


async def _order_allowed(request: Request) -> bool:
    """Count this address's orders in the shared rate-limit store (Redis with several workers)."""
    store = request.app.stores.get("rate_limit")
    key = f"pre-orders:{request.client.host if request.client else 'unknown'}"
    count = int(await store.get(key) or 0) + 1
    remaining = await store.expires_in(key)
    await store.set(key, str(count), expires_in=remaining if remaining and remaining > 0 else 3600)
    return count <= ORDERS_PER_HOUR


async def _day(request: Request, day_id: int) -> dict[str, Any]:
    """The market day of the request's cluster (another's: 404), kept between views of its
    shop as public data is (`web/public_data.py`)."""
    cluster_id = current_cluster(request).id
    return await kept(
        request,
        ("market-day-row", cluster_id, day_id),
        lambda: market.market_day(day_id, cluster_id),
    )


def _see_other(path: str) -> Redirect:
    return Redirect(path=path, status_code=303)


@dataclass
class BuyerForm:
    name: str = ""
    email: str = ""


class BasketController(Controller):
    """Signed-out visitors (and anyone else) pre-order from one market day at a time."""

    async def _choose(
        self,
        request: HTMXRequest,
        day_id: int,
        error: str = "",
        status: int = 200,
        check: shop.QuantityCheck | None = None,
        number: int = 1,
        day: dict[str, Any] | None = None,
    ) -> Template:
        """The market's shop (a page of it): the page, or to htmx its grid and basket bar.
        `day`: the day, if the caller has read it already (the shop's page)."""
        cluster_id = current_cluster(request).id
        if day is None:
            day = await _day(request, day_id)  # or 404

        async def shown() -> tuple[Any, Any]:  # the same for every visitor: kept
            return await shop.shop_page(day_id, number), await windows.window_of(day_id)

        public, window = await kept(request, ("shop", cluster_id, day_id, number), shown)
        basket = _basket(request)
        page = shop.for_basket(public, day_id, basket)
        products = page.items
        shut = windows.why_shut(window)
        error = error or shop.mark_fields(products, check, "in_basket")
        return page_or_fragment(
            request,
            "orders/pre_order.html",
            "orders/_shop.html",
            {
                "day": day,
                "products": products,
                "page": page,
                "error": error,
                "online": _settings(request).stripe_enabled,
                "max_per_line": services.MAX_PER_LINE,
                "basket": await shop.basket_summary(basket),
                "other_day": bool(basket) and basket.get("day") != day_id,
                "shut": shut,
            },
            status,
        )

    @get("/market-days/{day_id:int}/pre-order", opt=PUBLIC_PAGE)
    async def choose(
        self, request: HTMXRequest, day_id: FromPath[int], page: FromQuery[str] = ""
    ) -> Template:
        if _settings(request).stripe_enabled:
            await cancelling.expire_overdue_checkouts(_settings(request))
        # another cluster's day: 404 like one that is not there
        day = await _day(request, day_id)
        try:
            services.check_orderable(day)
        except OrderError as error:
            return await self._choose(request, day_id, str(error), error.status_code, day=day)
        return await self._choose(request, day_id, number=page_number(page), day=day)

    @post("/basket")
    async def fill(self, request: HTMXRequest) -> Template | Redirect | ClientRedirect:
        """From the shop (− / +, typed quantities, "Check out"), a product page ("Add") or the
        basket page (changes it; with htmx only the basket's lines come back). Lines that can
        be honoured change; the others keep their quantity and get a message."""
        form = {k: str(v) for k, v in dict(await request.form()).items()}
        try:
            day_id = int(form.get("day_id", "").strip())
        except ValueError:
            raise NotFound() from None
        from_basket = form.get("from") == "basket"
        number = page_number(form.get("page"))  # the shop's page the form was sent from
        try:
            await services.orderable_day(day_id, current_cluster(request).id)  # else 404
            await windows.check_open(day_id)
            check = await shop.check_quantities(day_id, form, _basket(request))
        except OrderError as error:
            if from_basket:
                return await self._basket_page(request, str(error), error.status_code)
            return await self._choose(request, day_id, str(error), error.status_code, number=number)
        basket = shop.basket_of(day_id, check)
        _keep_basket(request, basket)
        status = 400 if check.errors else 200
        if from_basket:
            if basket is None and not check.errors:
                return _see_other("/basket")  # every line set to 0: the basket is emptied
            if request.htmx or check.errors:
                return await self._basket_page(
                    request, status=status, basket=basket, fragment=bool(request.htmx), check=check
                )
            return _see_other("/basket")
        if check.errors:
            return await self._choose(request, day_id, status=status, check=check, number=number)
        if "step" in form or "update" in form:  # still shopping
            if request.htmx:
                return await self._choose(request, day_id, number=number)
            card = form.get("step", "").partition(":")[0]
            on_page = f"?page={number}" if number > 1 else ""
            return _see_other(f"/market-days/{day_id}/pre-order{on_page}#product-{card}")
        if basket is None:
            return await self._choose(
                request,
                day_id,
                "Choose at least one product (a quantity of 1 or more).",
                400,
                number=number,
            )
        return ClientRedirect("/basket") if request.htmx else _see_other("/basket")

    async def _basket_page(
        self,
        request: HTMXRequest,
        error: str = "",
        status: int = 200,
        buyer: BuyerForm | None = None,
        basket: dict[str, Any] | None = None,
        fragment: bool = False,
        check: shop.QuantityCheck | None = None,
    ) -> Template:
        lines = await services.basket_lines(basket or _basket(request))
        error = error or shop.mark_fields(lines["lines"], check, "quantity")
        cluster_id = current_cluster(request).id
        day = await market.market_day(lines["day"], cluster_id) if lines["day"] else None
        percent = await members.discount_for(request.scope.get("user"), lines["day"])
        member = members.member_total(lines["lines"], percent) if percent else None
        fragment = fragment or (bool(request.htmx) and bool(error) and bool(lines["lines"]))
        name = "orders/_basket_lines.html" if fragment else "orders/basket.html"
        return Template(
            name,
            status_code=status,
            context={
                **lines,
                "count": sum(x["quantity"] for x in lines["lines"]),
                "member": member,
                "day": day,
                "error": error,
                "buyer": buyer
                or BuyerForm(**await buyers.buyer_details(request.scope.get("user"))),
                "online": _settings(request).stripe_enabled,
            },
        )

    async def _typed_changes(self, request: HTMXRequest, buyer: BuyerForm) -> Template | None:
        """Quantities typed on the basket page and sent with "Reserve" / "Pay" but never
        applied: nothing is ordered that the page did not show. They are applied (where they
        can be) and the basket is shown again with its new total."""
        form = {k: str(v) for k, v in dict(await request.form()).items() if k.startswith("qty_")}
        basket = _basket(request)
        if not form or not basket:
            return None
        try:
            check = await shop.check_quantities(int(basket["day"]), form, basket)
        except OrderError as error:
            return await self._basket_page(request, str(error), error.status_code, buyer)
        if not check.errors and check.items == basket.get("items"):
            return None
        new_basket = shop.basket_of(int(basket["day"]), check)
        _keep_basket(request, new_basket)
        message = (
            "" if check.errors else "Your basket changed: check the new total, then order again."
        )
        return await self._basket_page(request, message, 409, buyer, basket=new_basket, check=check)

    @get("/basket")
    async def show(self, request: Request) -> Template:
        return await self._basket_page(request)

    @post("/basket/checkout")
    async def checkout(
        self, request: HTMXRequest, data: Annotated[BuyerForm, Form]
    ) -> Template | Redirect | ClientRedirect:
        """Place the order. With htmx the browser is sent on by script (to the receipt, or
        straight to Stripe's payment page: no extra tap); without it, a redirect or a page
        with the payment link."""
        settings = _settings(request)
        changed = await self._typed_changes(request, data)
        if changed:
            return changed
        if not await _order_allowed(request):
            raise HTTPException(status_code=429, detail="Too many pre-orders from here.")
        basket = _basket(request) or {}
        day_id = int(basket["day"]) if basket.get("items") else None
        try:
            services.check_buyer(data.name, data.email)
            if day_id:  # the window and the cap of orders (windows.py)
                await windows.take_place(day_id)
        except OrderError as error:
            return await self._basket_page(request, str(error), error.status_code, data)
        try:
            order = await reservations.place(
                settings,
                basket,
                data.name,
                data.email,
                request.client.host if request.client else "unknown",
                # the co-op member price, computed on the server (members.py)
                await members.discount_for(request.scope.get("user"), day_id),
            )
        except OrderError as error:
            if day_id:
                await windows.give_back_place(day_id)
            return await self._basket_page(request, str(error), error.status_code, data)
        _keep_basket(request, None)
        await buyers.link_to_account(order["id"], request.scope.get("user"))
        receipt = f"/orders/{order['token']}"
        if not order["online"]:
            return ClientRedirect(receipt) if request.htmx else _see_other(receipt)
        try:
            url = await services.start_checkout(settings, order)
        except OrderError as error:
            if request.htmx:
                return ClientRedirect(receipt)
            return Template(
                "orders/receipt.html",
                status_code=503,
                context={
                    "order": await reading.order_by_token(order["token"]),
                    "error": str(error),
                },
            )
        if request.htmx:
            return ClientRedirect(url)
        # A page with a link, not a redirect: the CSP's form-action 'self' would block a
        # redirect from this form post to Stripe's origin.
        return Template("orders/pay.html", context={"order": order, "checkout_url": url})


ROUTES = [
    BasketController,
    *RECEIPT_ROUTES,
    *STAFF_ROUTES,
    *WINDOW_ROUTES,
    *BUYER_ROUTES,
]
