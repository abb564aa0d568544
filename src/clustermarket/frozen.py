"""Queries frozen with their values written into the SQL, for statements made once per key
whose every value the key fixes (a school's, a cluster's moderation queue: its statuses, its
ids), so the statement sent has no parameters.

Why (issue 17, target 5): PostgreSQL plans a prepared statement with parameters afresh on
each run (a *custom* plan) while it judges a plan made without their values (the *generic*
plan) dearer. For the queue's selects `status = $1` is that case: a generic plan reckons with
an average status, a custom one knows 'pending' is a handful of rows. At 10,000 products
that planning was most of what the admin's queue grew by (asyncpg's bind step: about 1 ms
for the waits statement and 0.3 ms for each kind's select, on every view). A statement
without parameters is planned once per connection and kept. SQLite compiles either kind the
same way and keeps it in the driver's statement cache.

The same goes for a page of a report or of the orders, whose statement is made per range and
page: with its values written in, each page's statement is planned once per connection.

Only values whose SQL spelling is certain are written in: whole numbers, booleans, None, text
(quoted, quotes doubled) and dates (ISO, as both engines store and compare them); a statement
with any other value (a moment, a fraction) keeps its parameters, as `freeze()` does. The
rows are handled as before (Piccolo's `FrozenQuery.run`, `fetch_tuples`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import Enum
from functools import lru_cache
from typing import Any

from piccolo.query.base import FrozenQuery, Query
from piccolo.query.methods.raw import Raw
from piccolo.query.proxy import Proxy
from piccolo.querystring import QueryString


def sql_literal(value: Any, engine_type: str) -> str:
    """`value` as an SQL literal for `engine_type` ("postgres" or "sqlite")."""
    if isinstance(value, Enum):
        value = value.value
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        if engine_type == "sqlite":
            return "1" if value else "0"
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, str):
        if "\x00" in value:
            raise TypeError("text with a NUL character is not written into SQL")
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return f"'{value.isoformat()}'"
    raise TypeError(f"{type(value).__name__} is not written into SQL: {value!r}")


def written_in(querystring: QueryString, engine_type: str) -> QueryString:
    """`querystring` frozen with its values written in (no parameters), or with its
    parameters if a value has no certain spelling."""
    _, fragments, values = querystring.bundle(start_index=1, bundled=[], combined_args=[])
    try:
        sql = "".join(
            fragment.prefix
            + ("" if fragment.no_arg else sql_literal(values[fragment.index - 1], engine_type))
            for fragment in fragments
        )
    except TypeError:
        querystring.freeze(engine_type)
    else:
        querystring._frozen_compiled_strings = (sql, [])
    return querystring


def as_written(sql: str, arguments: Any) -> QueryString:
    """A statement sent as it is, with these arguments: what `freeze()` keeps, so Piccolo
    compiles nothing when it runs (through the engine's one entry point, counted as a query
    and inside the open transaction, if any)."""
    querystring = QueryString(sql)
    querystring._frozen_compiled_strings = (sql, arguments)
    return querystring


@lru_cache(maxsize=512)
def _written_sql(template: str, values: tuple[Any, ...], engine_type: str) -> tuple[str, list]:
    return written_in(QueryString(template, *values), engine_type).compile_string(engine_type)


def with_values(template: str, values: tuple[Any, ...], engine_type: str) -> QueryString:
    """A raw statement (Piccolo's `{}` placeholders) with its values written in, its SQL
    made once for each template and values asked for again (a page of a list, a range)."""
    return as_written(*_written_sql(template, values, engine_type))


@lru_cache(maxsize=256)
def _compiled_raw(template: str, arity: int, engine_type: str) -> str:
    return QueryString(template, *([None] * arity)).compile_string(engine_type)[0]


def raw(table: Any, template: str, *values: Any) -> Raw:
    """`table.raw(template, *values)` with its SQL compiled once for each template and number
    of values (an `IN (...)` list of each length): the pages that run a raw select on every
    view (the session's user, a list's photos) no longer parse and number its placeholders
    each time (about 0.05 ms a statement). The values are sent as parameters, as before."""
    sql = _compiled_raw(template, len(values), table._meta.db.engine_type)
    return Raw(table, frozen_querystrings=[as_written(sql, list(values))])


def freeze_with_values(query: Query) -> FrozenQuery:
    """`query.freeze()`, its statements' values written in (no parameters sent)."""
    frozen = query.freeze()
    for querystring in frozen.query.querystrings:
        written_in(querystring, query.engine_type)
    return frozen


class _Slot:
    """Where a value of `Prepared.run` goes in the built query (its position)."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index


class Prepared:
    """A Piccolo query built once and run with new values (issue 17, target 3: "query objects
    and column lists built once"). Building a select with joined columns cost a page up to
    0.4 ms a query in Python (the columns' paths copied, the joins worked out) before the
    database saw it; the SQL here is made on first use and each run only puts its values in.

        _TEAM = Prepared(lambda team_id: Team.select(Team.name).where(Team.id == team_id).first())
        team = await _TEAM.run(5)

    `build` takes the values as stand-ins and must use each only as a plain value compared
    with a column (`==`, `>=`, …): not in `is_in` (a list of stand-ins, one a value, is fine:
    one `Prepared` for each length), not in Python logic, since the SQL is made once. A run
    with None for a value its SQL holds is built afresh (Piccolo writes `== None` as
    `IS NULL`); a value the SQL leaves out (a filter a shape has not) may be anything.
    Piccolo still turns the rows into dicts (`first()`, `output()` as built)."""

    def __init__(self, build: Callable[..., Query]) -> None:
        self.build = build
        self._query: Query | None = None
        self._proxy: type[Proxy] | None = None
        self._compiled: list[tuple[str, list[Any]]] = []
        self._used: set[int] = set()  # the values the SQL holds (a shape may leave some out)

    def _made(self, arity: int) -> Query:
        if self._query is None:
            built = self.build(*(_Slot(index) for index in range(arity)))
            if isinstance(built, Proxy):  # `first()`: a wrapper that keeps the first row
                self._proxy, built = type(built), built.query
            engine_type = built.engine_type
            self._compiled = [qs.compile_string(engine_type) for qs in built.querystrings]
            self._used = {
                a.index for _, arguments in self._compiled for a in arguments if type(a) is _Slot
            }
            self._query = built
        return self._query

    async def run(self, *values: Any) -> Any:
        query = self._made(len(values))
        if any(values[index] is None for index in self._used):  # `== None` is `IS NULL`
            return await self.build(*values)
        strings = [
            as_written(sql, [values[a.index] if type(a) is _Slot else a for a in arguments])
            for sql, arguments in self._compiled
        ]
        ready = query.__class__(table=query.table, frozen_querystrings=strings)
        for delegate in ("limit_delegate", "output_delegate"):  # as `Query.freeze` keeps them
            if hasattr(query, delegate):
                setattr(ready, delegate, getattr(query, delegate).copy())
        if self._proxy is not None:
            return await self._proxy(ready).run()
        return await ready.run()
