"""What the moderation queue and each item's pages read of an item: its columns (built once
per kind) and the query of one item (built once per kind, `frozen.Prepared`)."""

from __future__ import annotations

from typing import Any

from clustermarket.frozen import Prepared
from clustermarket.moderation.content import ContentKind
from clustermarket.moderation.queue_context import answer_columns, author_columns

# Column lists built once per kind (issue 17): Piccolo deep-copies a joined or aliased
# column each time one is made, which cost more than the queue's queries themselves.
_COLUMNS: dict[tuple[str, str], tuple[Any, ...]] = {}


def columns_of(kind: ContentKind, what: str) -> tuple[Any, ...]:
    """`kind`'s columns for `_load` ("item") or the queue ("queue"), made on first use."""
    key = (kind.name, what)
    if key not in _COLUMNS:
        columns = [*kind.table.all_columns(), *_context_columns(kind)]
        if what == "queue":
            columns += author_columns(kind) + answer_columns(kind)
        _COLUMNS[key] = tuple(columns)
    return _COLUMNS[key]


def _context_columns(kind: ContentKind) -> list[Any]:
    """What the queue shows beside an item: its moderating school, its team if any."""
    columns = [kind.school.as_alias("school_id"), kind.school.name.as_alias("school_name")]
    if kind.editable:
        columns.append(kind.team.name.as_alias("team_name"))
    if kind.receiving_school is not None:
        columns += [
            kind.receiving_school.as_alias("receiving_school_id"),
            kind.receiving_school.name.as_alias("receiving_school_name"),
        ]
    return columns


# One item of a kind, built once per kind (`frozen.Prepared`): every edit page and action
# loads its item, and building the joined select cost it about 0.5 ms.
_ITEMS: dict[tuple[str, bool], Prepared] = {}


def item_query(kind: ContentKind, of_cluster: bool) -> Prepared:
    key = (kind.name, of_cluster)
    if key not in _ITEMS:

        def build(content_id: Any, cluster_id: Any = None) -> Any:
            where = kind.table._meta.primary_key == content_id
            if of_cluster:
                where &= kind.row_in_cluster(cluster_id)
            return kind.table.select(*columns_of(kind, "item")).where(where).first()

        _ITEMS[key] = Prepared(build)
    return _ITEMS[key]
