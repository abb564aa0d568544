"""Buyers who sign in (community accounts): their orders are linked to the account and listed
under "My orders"; a buyer without an account keeps the private receipt link only."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from clustermarket.accounts.services import CurrentUser
from clustermarket.accounts.tables import Role, User
from clustermarket.orders.reading import with_lines
from clustermarket.orders.tables import BuyerAccount
from clustermarket.web.pagination import Page, paginate_frozen


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
    the true total (three queries, built once per account and page)."""
    page = await paginate_frozen(
        lambda size, offset: _rows_of(user.id, size, offset),
        _count_of(user.id),
        number,
        path="/my/orders",
    )
    await with_lines(page.items)
    return page


@lru_cache(maxsize=256)
def _count_of(account: int) -> Any:
    return BuyerAccount.count().where(BuyerAccount.account == account).freeze()


@lru_cache(maxsize=256)
def _rows_of(account: int, size: int, offset: int) -> Any:
    order = BuyerAccount.order
    return (
        BuyerAccount.select(
            order.id.as_alias("id"),
            order.token.as_alias("token"),
            order.status.as_alias("status"),
            order.total_pence.as_alias("total_pence"),
            order.created_at.as_alias("created_at"),
            order.market_day.date.as_alias("day_date"),
            order.market_day.location.as_alias("day_location"),
        )
        .where(BuyerAccount.account == account)
        .order_by(order.created_at, ascending=False)
        .order_by(BuyerAccount.id, ascending=False)
        .limit(size)
        .offset(offset)
        .freeze()
    )
