"""One page of a moderation tab, with the true total (issue 17, targets 3 and 5).

The tabs listed every item they held on one page: the admin's "Live" tab showed every live
product, project, idea, comment, pitch feedback and forum post of the cluster (18 in the
demo, over 10,000 at scale), each a card with its photos and a form, rendered on every view.
Now a tab shows `QUEUE_PAGE_SIZE` items and a pager, and what it costs does not grow with
the cluster:

1. one statement picks the page and counts the tab: the tab's items of every kind (each
   kind's own select, the same rules as before: `queue._queue_where`), only their kind, id
   and time, ordered across kinds and cut to the page in SQL (a count of its own only for
   a page past the end);
2. for each kind on the page, its queue select (`queue.frozen_queue_query`) kept to the
   page's ids, then one statement for their photos, tallies and flags (`queue.dressed`).

Each statement's SQL is made once per tab and school (or the admin's cluster) and kept with
its values written in (`frozen.py`); a page's ids and its offset are whole numbers, written
into the SQL as they are.

Order: "Waiting" and "Flagged" are work to do, oldest first (first sent, first seen), as
before. "Live" and "Hidden" are records to look back through: newest first, so the first
page holds what went live (or was hidden) last. An item's time is when it was sent, else
when it was last changed, else when it was made (as the tab sorted them before).
"""

from __future__ import annotations

from typing import Any

from piccolo.querystring import QueryString

from clustermarket.accounts.services import CurrentUser
from clustermarket.db_connections import fetch_tuples
from clustermarket.frozen import written_in
from clustermarket.moderation.content import PROJECT, ContentKind
from clustermarket.moderation.items import columns_of
from clustermarket.moderation.queue import (
    SAID_TO_US,
    _queue_where,
    dressed,
    frozen_queue_query,
    queue_scope_key,
)
from clustermarket.sqlite_types import raw_out
from clustermarket.web.pagination import Page, clamp, page_of

# Ten cards a page: each is an item to read, its photos and its forms; a teacher's class
# sending work after a lesson is three pages, approved ten at a time ("Approve selected").
QUEUE_PAGE_SIZE = 10

# The SQL of a tab's items of every kind (kind's position, id, time), per kinds and scope;
# and of its total, per kinds and scope.
_ITEMS_SQL: dict[tuple[Any, ...], str] = {}
_TOTAL_SQL: dict[tuple[Any, ...], str] = {}
_REACH = "/*reach*/0"  # in a branch's LIMIT: the page's offset and size, written in per view


def _stamps(kind: ContentKind) -> str:
    """The SQL for an item's time: sent, else last changed (kinds edited after sending),
    else made. The same expression is indexed with the status (`<table>_queue_time`)."""
    names = ["submitted_at", "updated_at", "created_at"]
    columns = {column._meta.db_column_name for column in kind.table._meta.columns}
    return "COALESCE(" + ", ".join(name for name in names if name in columns) + ")"


def _branches(
    actor: CurrentUser, kinds: list[ContentKind], scope: tuple[Any, ...]
) -> tuple[list[str], list[QueryString]]:
    """Each kind's select of the tab's items (its own rules), and the SQL around it that
    gives (k: the kind's position in `kinds`, id, at) with `{}` for that select."""
    branches, selects = [], []
    for position, kind in enumerate(kinds):
        table = kind.table
        columns = [
            column
            for column in table._meta.columns
            if column._meta.db_column_name in ("id", "submitted_at", "updated_at", "created_at")
        ]
        selects.append(
            table.select(*columns).where(_queue_where(actor, kind, scope, None)).querystrings[0]
        )
        branches.append(
            f"SELECT {position} AS k, id, {_stamps(kind)} AS at FROM ({{}}) AS s{position}"
        )
    return branches, selects


def _compiled(sql: str, selects: list[QueryString]) -> str:
    engine_type = PROJECT.table._meta.db.engine_type
    written = written_in(QueryString(sql, *selects), engine_type)
    compiled, arguments = written.compile_string(engine_type)
    if arguments:  # the tab's values are ids, statuses and flags: each has a spelling
        raise TypeError(f"a moderation tab's value is not written into SQL: {arguments!r}")
    return compiled


def _items_sql(
    actor: CurrentUser, kinds: list[ContentKind], scope: tuple[Any, ...], way: str
) -> str:
    """The tab's first items of each kind, in the tab's order, as (k, id, at): one UNION ALL
    branch a kind, each its kind's rules, ordered and cut in the branch (`_REACH`: the
    page's offset and size) so that it reads its rows in order from the kind's index of
    status and time (`<table>_queue_time`) and stops at the page, whatever the tab holds."""
    key = (tuple(kind.name for kind in kinds), way, *scope)
    if key not in _ITEMS_SQL:
        branches, selects = _branches(actor, kinds, scope)
        cut = [
            f"SELECT * FROM ({branch} ORDER BY at {way}, id {way} LIMIT {_REACH}) AS b{k}"
            for k, branch in enumerate(branches)
        ]
        _ITEMS_SQL[key] = _compiled(" UNION ALL ".join(cut), selects)
    return _ITEMS_SQL[key]


def _total_sql(actor: CurrentUser, kinds: list[ContentKind], scope: tuple[Any, ...]) -> str:
    """The SQL of the tab's true total. The unfiltered Live and Hidden tabs (the admin's:
    every item of the cluster, over 20,000 live at scale; a teacher's: every item of their
    school, 2,000 at scale) sum the counts the triggers keep per kind, status and owner
    (`QueueItemCount`, `_kept_sum`). Every other tab (Waiting, a class's, the flagged) is a
    few hundred items at most: counted."""
    key = (tuple(kind.name for kind in kinds), *scope)
    if key not in _TOTAL_SQL:
        statuses, flagged, class_id, school, admin, cluster_id = scope
        whole = not flagged and class_id is None
        if admin and whole and cluster_id is not None:
            _TOTAL_SQL[key] = _cluster_total(kinds, statuses, int(cluster_id))
        elif not admin and whole and school is not None and set(statuses) <= set(SAID_TO_US):
            _TOTAL_SQL[key] = _school_total(kinds, statuses, int(school))
        else:
            branches, selects = _branches(actor, kinds, scope)
            union = " UNION ALL ".join(branches)
            _TOTAL_SQL[key] = "SELECT COUNT(*) FROM (" + _compiled(union, selects) + ") AS c"
    return _TOTAL_SQL[key]


def _listed(statuses: Any) -> str:
    return ", ".join(f"'{getattr(status, 'value', status)}'" for status in statuses)


def _kept_sum(kinds: list[ContentKind], statuses: Any, owners: str) -> str:
    """The kept counts of these kinds and statuses whose owner matches `owners` (SQL over
    `school_key`, `team_key` and `author_key`). The counts file an item under its team, else
    its school, else its author, as `ContentKind.school` reaches a team's item through it."""
    names = ", ".join(f"'{kind.name}'" for kind in kinds)
    return (
        "SELECT COALESCE(SUM(items), 0) FROM queue_item_count"
        f" WHERE kind_key IN ({names}) AND status IN ({_listed(statuses)}) AND ({owners})"
    )


def _cluster_total(kinds: list[ContentKind], statuses: Any, cluster_id: int) -> str:
    """The admin's tab: the cluster's schools', teams' and adults' counts. The list takes an
    item of the cluster's schools or of its accounts: the same items, as a pupil's or
    teacher's school is in their account's cluster."""
    schools = f"SELECT id FROM school WHERE cluster = {cluster_id}"
    return _kept_sum(
        kinds,
        statuses,
        f"school_key IN ({schools})"
        f" OR team_key IN (SELECT id FROM team WHERE school IN ({schools}))"
        f" OR author_key IN (SELECT id FROM app_user WHERE cluster = {cluster_id})",
    )


def _school_total(kinds: list[ContentKind], statuses: Any, school: int) -> str:
    """A teacher's Live or Hidden tab (`queue.queue_scope`, statuses within `SAID_TO_US`):
    their school's items, from its own and its teams' kept counts; and the comments and
    feedback said to their pupils from elsewhere, counted from each kind's index of the
    school it was said to (a few, not the school's thousands)."""
    parts = [
        _kept_sum(
            kinds,
            statuses,
            f"school_key = {school} OR team_key IN (SELECT id FROM team WHERE school = {school})",
        )
    ]
    for kind in kinds:
        if kind.receiving_school is None:
            continue
        to = kind.receiving_school._meta.db_column_name
        by = kind.school._meta.db_column_name
        status = kind.status._meta.db_column_name
        parts.append(
            f"SELECT COUNT(*) FROM {kind.table._meta.tablename} WHERE {to} = {school}"
            f" AND {status} IN ({_listed(statuses)}) AND ({by} IS NULL OR {by} <> {school})"
        )
    return "SELECT " + " + ".join(f"({part})" for part in parts)


def page_sql(items_sql: str, total_sql: str, way: str, size: int, offset: int) -> str:
    """The statement of a page: its (k, id, the tab's total) rows, the total in the same
    statement."""
    items = items_sql.replace(_REACH, str(offset + size))
    return (
        f"SELECT k, id, ({total_sql}) FROM ({items}) AS q"
        f" ORDER BY at {way}, k {way}, id {way} LIMIT {size} OFFSET {offset}"
    )


async def queue_page(
    actor: CurrentUser,
    kinds: list[ContentKind],
    statuses: list[str],
    number: int,
    *,
    flagged: bool = False,
    class_id: int | None = None,
    newest_first: bool = False,
    size: int = QUEUE_PAGE_SIZE,
    path: str = "",
    params: dict[str, Any] | None = None,
) -> Page:
    """Page `number` of the tab (its items as `queue.queue_items` gives them, dressed), with
    the tab's true total; a number past the end shows the last page."""
    scope = queue_scope_key(actor, statuses, flagged, class_id)
    way = "DESC" if newest_first else "ASC"
    items_sql = _items_sql(actor, kinds, scope, way)
    total_sql = _total_sql(actor, kinds, scope)

    async def picked_at(at: int) -> list[Any]:
        sql = page_sql(items_sql, total_sql, way, size, (at - 1) * size)
        return await fetch_tuples(PROJECT.table, sql, values_written=True)

    number = max(1, number)
    picked = await picked_at(number)
    total = int(picked[0][2]) if picked else 0
    if not picked and number > 1:  # past the end: the last page (a count, then that page)
        [(total,)] = await fetch_tuples(PROJECT.table, total_sql, values_written=True)
        total = int(total)
        if total:
            number = clamp(number, total, size)
            picked = await picked_at(number)
    items = await _items_of(actor, kinds, scope, picked)
    return page_of(items, total, number, size, path, params)


async def _items_of(
    actor: CurrentUser, kinds: list[ContentKind], scope: tuple[Any, ...], picked: list[Any]
) -> list[dict[str, Any]]:
    """The picked (k, id) items, dressed, in the page's order: the rows of every kind on the
    page in one statement (`_rows_sql`)."""
    ids: dict[int, list[int]] = {}
    for position, item_id, _total in picked:
        ids.setdefault(position, []).append(int(item_id))
    found = await _rows_of(actor, kinds, scope, ids)
    items = {(item["kind"], item["id"]): item for item in await dressed(actor, kinds, found)}
    return [items[(kinds[position].name, int(item_id))] for position, item_id, _ in picked]


# Per tab (kinds and scope) and the kinds on a page: the SQL of their rows in one statement,
# and for each kind where its values stand in a row and how SQLite's raw values become
# Python's (see `_rows_sql`).
_ROWS_SQL: dict[tuple[Any, ...], tuple[str, dict[int, tuple[Any, ...]]]] = {}
_IDS = "/*ids{}*/0"


def _rows_sql(
    actor: CurrentUser, kinds: list[ContentKind], scope: tuple[Any, ...], on_page: tuple[int, ...]
) -> tuple[str, dict[int, tuple[Any, ...]]]:
    """One UNION ALL branch per kind on the page: the kind's queue select (`queue`'s, its
    values written in) kept to the page's ids, its columns under the names of every kind's
    (NULL where a kind has none: no two kinds give one name different types). Five selects
    a page became one (issue 17, target 3). SQLite gives a column its declared type's
    conversion only from the first branch, so a kind's booleans and times that the first
    kind does not have come raw (0/1, text) and are converted here, as its converters do."""
    key = (tuple(kind.name for kind in kinds), *scope, on_page)
    if key not in _ROWS_SQL:
        engine_type = PROJECT.table._meta.db.engine_type
        names: dict[str, Any] = {}
        selects = []
        for position in on_page:
            base = frozen_queue_query(actor, kinds[position], scope).query
            sql, arguments = base.querystrings[0].compile_string(engine_type)
            if arguments:
                raise TypeError(f"a moderation tab's value is not written into SQL: {arguments!r}")
            columns = _output_columns(kinds[position])
            names.update(columns)
            selects.append((position, sql, columns))
        order = list(names)
        branches, layout = [], {}
        for position, sql, columns in selects:
            listed = ", ".join(
                f'q{position}."{name}"' if name in columns else _null(name, names[name])
                for name in order
            )
            branches.append(
                f"SELECT {position} AS k, {listed} FROM ({sql}) AS q{position}"
                f" WHERE q{position}.id IN ({_IDS.format(position)})"
            )
            layout[position] = tuple(
                (
                    name,
                    order.index(name),
                    raw_out(column.column_type) if engine_type == "sqlite" else None,
                )
                for name, column in columns.items()
            )
        _ROWS_SQL[key] = (" UNION ALL ".join(branches), layout)
    return _ROWS_SQL[key]


def _null(name: str, column: Any) -> str:
    """A kind's empty place for another's column: typed, as PostgreSQL pairs a UNION's
    branches in turn (two untyped NULLs make text, which then meets another's integer)."""
    return f'CAST(NULL AS {column.column_type}) AS "{name}"'


def _output_columns(kind: ContentKind) -> dict[str, Any]:
    """The output names of `kind`'s queue select, in order, with their columns."""
    columns = {}
    select = kind.table.select(*columns_of(kind, "queue"))
    for column in select.columns_delegate.selected_columns:
        name = getattr(column, "_alias", None) or column._meta.get_default_alias()
        columns[name] = column
    return columns


async def _rows_of(
    actor: CurrentUser, kinds: list[ContentKind], scope: tuple[Any, ...], ids: dict[int, list[int]]
) -> dict[str, list[dict[str, Any]]]:
    """The queue rows of the page's items, by kind name, as `queue.queue_items` reads them."""
    if not ids:
        return {}
    sql, layout = _rows_sql(actor, kinds, scope, tuple(sorted(ids)))
    for position, of_kind in ids.items():
        sql = sql.replace(_IDS.format(position), ", ".join(str(item_id) for item_id in of_kind))
    found: dict[str, list[dict[str, Any]]] = {}
    for position, *values in await fetch_tuples(PROJECT.table, sql, values_written=True):
        row = {}
        for name, at, convert in layout[position]:
            value = values[at]
            row[name] = value if convert is None or value is None else convert(value)
        found.setdefault(kinds[position].name, []).append(row)
    return found
