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


def of_owners(type_column: str, id_column: str, ids: dict[str, list[int]]) -> tuple[str, list]:
    """A condition on children of several kinds of owner in one query (photos, tallies,
    flags of products and projects...): `(type = {} AND id IN ({}, …)) OR …` with Piccolo's
    placeholders, and its arguments; `ids` maps each owner type to its ids (none empty)."""
    sql = " OR ".join(
        f"({type_column} = {{}} AND {id_column} IN (" + ", ".join(["{}"] * len(of_type)) + "))"
        for of_type in ids.values()
    )
    return sql, [argument for owner, of_type in ids.items() for argument in (owner, *of_type)]


MAX_ROW_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL


def parse_row_id(text: str | None) -> int | None:
    """A row id typed into a form or query (ASCII digits, within range), else None."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ROW_ID else None
