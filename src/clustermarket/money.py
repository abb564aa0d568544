"""Money is integer pence everywhere: the one formatter and the one parser."""

import re


def format_pence(pence: int | None) -> str:
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    pounds, p = divmod(abs(int(pence)), 100)
    return f"{sign}£{pounds:,}.{p:02d}"


class MoneyError(ValueError):
    """The text is not an amount of money; the message says how to write one."""


NOT_AN_AMOUNT = "Write an amount in pounds, like 4.50"
_AMOUNT = re.compile(r"(?P<pounds>\d+)?(?:\.(?P<pence>\d+))?")
MAX_PENCE = 100_000_00  # £100,000: anything above is a typing slip at a school stall


def parse_pounds(text: str, *, allow_zero: bool = True) -> int:
    """'4.50', '£4.50', '4' or '0.5' → pence. Never through float."""
    match = _AMOUNT.fullmatch(text.strip().replace("£", "").replace(",", ""))
    if not match or not (match["pounds"] or match["pence"]):
        raise MoneyError(NOT_AN_AMOUNT)
    if len(match["pence"] or "") > 2:
        raise MoneyError("Use at most two digits for the pence, like 4.50")
    pence = int(match["pounds"] or "0") * 100 + int(((match["pence"] or "") + "00")[:2])
    if pence == 0 and not allow_zero:
        raise MoneyError("The amount must be more than £0.00")
    if pence > MAX_PENCE:
        raise MoneyError("That amount is too large")
    return pence
