"""Helpers for rows as Piccolo's select() returns them (lists of dicts)."""

from collections import defaultdict
from typing import Any


def group_rows(rows: list[dict[str, Any]], key: str) -> dict[Any, list[dict[str, Any]]]:
    """Rows of one query, grouped by a column: how a list page attaches children (photos,
    tallies, flags...) to its items without a query per item."""
    grouped: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row[key]].append(row)
    return dict(grouped)


MAX_ROW_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL


def parse_row_id(text: str | None) -> int | None:
    """A row id typed into a form or query (ASCII digits, within range), else None."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ROW_ID else None
