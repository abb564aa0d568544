"""Buyers who sign in (community accounts): their orders are linked to the account and listed
under "My orders"; a buyer without an account keeps the private receipt link only."""

from __future__ import annotations

from clustermarket.accounts.services import CurrentUser
from clustermarket.accounts.tables import Role, User
from clustermarket.orders import lists
from clustermarket.orders.tables import BuyerAccount
from clustermarket.web.pagination import Page


def is_buyer_account(user: CurrentUser | None) -> bool:
    return user is not None and user.role == Role.community


async def link_to_account(order_id: int, user: CurrentUser | None) -> None:
    if is_buyer_account(user):
        await BuyerAccount.insert(BuyerAccount(order=order_id, account=user.id))


async def buyer_details(user: CurrentUser | None) -> dict[str, str]:
    """Name and e-mail to fill in at checkout for a signed-in buyer (they may change them)."""
    if not is_buyer_account(user):
        return {}
    row = await User.select(User.email).where(User.id == user.id).first()
    return {"name": f"{user.first_name} {user.last_name}".strip(), "email": row["email"] or ""}


async def orders_of(user: CurrentUser, number: int = 1) -> Page:
    """A page of the orders placed from this account, newest first, with their lines and
    the true total: one query, empty or full (orders/lists.py)."""
    return await lists.buyer_page(user.id, number, "/my/orders")
