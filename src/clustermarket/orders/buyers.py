"""Buyers who sign in (community accounts): their orders are linked to the account and listed
under "My orders"; a buyer without an account keeps the private receipt link only."""

from __future__ import annotations

from typing import Any

from clustermarket.accounts.services import CurrentUser
from clustermarket.accounts.tables import Role, User
from clustermarket.orders.services import _with_lines
from clustermarket.orders.tables import BuyerAccount


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


async def orders_of(user: CurrentUser) -> list[dict[str, Any]]:
    """Every order placed from this account, newest first, with its lines (two queries)."""
    orders = (
        await BuyerAccount.select(
            BuyerAccount.order.id.as_alias("id"),
            BuyerAccount.order.token.as_alias("token"),
            BuyerAccount.order.status.as_alias("status"),
            BuyerAccount.order.total_pence.as_alias("total_pence"),
            BuyerAccount.order.created_at.as_alias("created_at"),
            BuyerAccount.order.market_day.date.as_alias("day_date"),
            BuyerAccount.order.market_day.location.as_alias("day_location"),
        )
        .where(BuyerAccount.account == user.id)
        .order_by(BuyerAccount.order.created_at, ascending=False)
    )
    return await _with_lines(orders)
