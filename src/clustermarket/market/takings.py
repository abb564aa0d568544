"""A stall's takings from the running totals on its row, and the tin's count against them."""

from __future__ import annotations

from typing import Any

from clustermarket.market.tables import PaymentMethod, Stall

_TAKEN = (
    Stall.taken_cash_pence,
    Stall.taken_card_pence,
    Stall.taken_online_pence,
    Stall.taken_tickets,
)


def takings_of(row: dict[str, Any]) -> dict[str, int]:
    """Takings per method and in total, and the number of sales (tickets), from the running
    totals on the stall row (kept by triggers on `sale`; voided lines left out)."""
    takings = {method.value: row[f"taken_{method.value}_pence"] for method in PaymentMethod}
    takings["total"] = sum(takings.values())
    takings["sales"] = row["taken_tickets"]
    return takings


async def stall_takings(stall_id: int) -> dict[str, int]:
    """Takings of the sales that stand (voided ones left out), per method and in total."""
    row = await Stall.select(*_TAKEN).where(Stall.id == stall_id).first()
    return takings_of(row) if row else takings_of(dict.fromkeys(_TAKEN_NAMES, 0))


_TAKEN_NAMES = [column._meta.name for column in _TAKEN]


def cash_summary(stall: dict[str, Any], takings: dict[str, int]) -> dict[str, int | None]:
    """What should be in the tin (float plus cash sales) against what was counted."""
    expected = (stall["float_pence"] or 0) + takings["cash"]
    counted = stall["counted_cash_pence"]
    return {
        "float": stall["float_pence"] or 0,
        "cash_sales": takings["cash"],
        "expected": expected,
        "counted": counted,
        "difference": None if counted is None else counted - expected,
    }
