"""One way to page a list a user can grow: the true total, page N of M, plain links.

A list page reads `?page=` as text: anything that is not a page number (a word, 0, a huge
number) shows page 1, and a number past the end shows the last page, never an error.
Two queries per page whatever the number of rows: the count, then the page's rows."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from piccolo.query import Select

from clustermarket.rows import parse_row_id

PAGE_SIZE = 30


def page_number(raw: str | None) -> int:
    """The page asked for; 1 for anything that is not a sensible page number."""
    return parse_row_id(raw or "") or 1


@dataclass
class Page:
    items: list[dict[str, Any]]
    total: int
    number: int
    size: int
    path: str = ""
    params: dict[str, str] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def first_shown(self) -> int:
        return self.offset + 1 if self.items else 0

    @property
    def last_shown(self) -> int:
        return self.offset + len(self.items)

    @property
    def previous_url(self) -> str | None:
        return self.url(self.number - 1) if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.url(self.number + 1) if self.number < self.pages else None

    def url(self, number: int) -> str:
        """This list's address at page `number`, keeping its filters (search, school…)."""
        query = {k: v for k, v in self.params.items() if v not in ("", None) and k != "page"}
        if number > 1:
            query["page"] = str(number)
        return f"{self.path}?{urlencode(query)}" if query else self.path


def clamp(number: int, total: int, size: int) -> int:
    return min(number, max(1, -(-total // size)))


async def paginate(
    rows: Select | Callable[[int, int], Awaitable[list[dict[str, Any]]]],
    total: int,
    number: int,
    *,
    size: int = PAGE_SIZE,
    path: str = "",
    params: dict[str, Any] | None = None,
) -> Page:
    """Run `rows` (ordered, not yet limited) for page `number` of `total` rows; or, for a
    page written as SQL, `rows(size, offset)` gives the page's rows."""
    number = clamp(number, total, size)
    offset = (number - 1) * size
    if not total:
        items = []
    elif callable(rows):
        items = await rows(size, offset)
    else:
        items = await rows.limit(size).offset(offset)
    return page_of(items, total, number, size, path, params)


async def paginate_frozen(
    rows: Callable[[int, int], Any],
    count: Any,
    number: int,
    *,
    size: int = PAGE_SIZE,
    path: str = "",
    params: dict[str, Any] | None = None,
) -> Page:
    """As `paginate`, for queries built once and frozen (Piccolo keeps their SQL: building a
    joined select costs more than the database's answer): `count` a frozen count, `rows(size,
    offset)` the frozen query of one page (e.g. from an LRU cache)."""
    total = await count.run()
    number = clamp(number, total, size)
    items = await rows(size, (number - 1) * size).run() if total else []
    return page_of(items, total, number, size, path, params)


def page_of(
    items: list[dict[str, Any]],
    total: int,
    number: int,
    size: int,
    path: str,
    params: dict[str, Any] | None,
) -> Page:
    """A page of `items` (already read) of `total`, its links keeping `params`."""
    return Page(
        items=items,
        total=total,
        number=number,
        size=size,
        path=path,
        params={k: str(v) for k, v in (params or {}).items() if v is not None},
    )
