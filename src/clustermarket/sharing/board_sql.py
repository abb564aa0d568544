"""The ideas board's page as SQL written once (on PostgreSQL each part cut, see `_sql`).

The reader sees the cluster's live ideas and their own: as one condition (`is_public OR
author = me`) SQLite read every idea of the cluster and sorted them for a page of 30
(5.5 ms with 2,000 ideas). Split into the live ideas and the reader's own that are not
live (`UNION ALL`, disjoint), each part is ordered on its own and the two are merged:
the live part walks the `created_at` index (or `idea_most_discussed`) and stops after
the page; the reader's own part is a few rows found through `idea_author`. `IS TRUE`, not
`= true`: SQLite then cannot start from the `is_public` index (which narrows nothing) and
sort every live idea; the planner still chooses by its statistics (a cluster's schools'
and accounts' ideas, sorted, when that reads fewer rows, e.g. among many clusters)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from clustermarket.frozen import raw
from clustermarket.settings import get_settings
from clustermarket.sharing.tables import Idea

_COLUMNS = (
    "i.id AS id, i.author AS author, i.school AS school, i.tag AS tag, i.title AS title,"
    " i.body AS body, i.published_title AS published_title,"
    " i.published_body AS published_body, i.status AS status, i.is_public AS is_public,"
    " i.created_at AS created_at, i.public_comments AS public_comments,"
    " i.submitted_at AS submitted_at, i.photo_name AS photo_name,"
    " i.thumb_name AS thumb_name, i.photo_alt AS photo_alt,"
    " a.first_name AS author_first, a.last_name AS author_last, a.role AS author_role,"
    " s.name AS school_name"
    " FROM idea i LEFT JOIN app_user a ON i.author = a.id"
    " LEFT JOIN school s ON i.school = s.id"
)
# The cluster's schools and accounts (a handful of ids each, through their indexes), as
# `written_in` means it: an idea's school's cluster, or its author's.
_IN_CLUSTER = (
    " AND (i.school IN (SELECT id FROM school WHERE cluster = {})"
    " OR i.author IN (SELECT id FROM app_user WHERE cluster = {}))"
)


@lru_cache(maxsize=16)
def _filters(in_cluster: bool, school: bool, tag: bool) -> str:
    filters = (_IN_CLUSTER if in_cluster else "") + (" AND i.school = {}" if school else "")
    return filters + (" AND i.tag = {}" if tag else "")


@lru_cache(maxsize=32)
def _sql(in_cluster: bool, school: bool, tag: bool, discussed: bool, cut: bool = False) -> str:
    """The page's SQL. `cut` (PostgreSQL): each part is ordered and cut at the page's end on
    its own, then the two are merged. PostgreSQL carries no outer LIMIT into the parts of a
    `UNION ALL`: one ORDER BY over both read and joined every live idea of the cluster and
    sorted them (`EXPLAIN ANALYZE` on 2,000 ideas: 3.9 ms; cut, the live part walks its
    index backwards and stops: 0.5 ms). SQLite already merges the two parts in their
    index's order and stops; cut, it would sort the joined rows again (a page deep in the
    list: 0.85 → 3.1 ms), so it keeps the plain form."""
    filters = _filters(in_cluster, school, tag)
    order = "{0}created_at DESC, {0}id DESC"
    if discussed:
        order = "{0}public_comments DESC, " + order
    live = f"SELECT {_COLUMNS} WHERE i.is_public IS TRUE{filters}"
    own = f"SELECT {_COLUMNS} WHERE i.author = {{}} AND i.is_public IS FALSE{filters}"
    page = f" ORDER BY {order.format('')} LIMIT {{}} OFFSET {{}}"
    if not cut:
        return f"{live} UNION ALL {own}{page}"
    part = f" ORDER BY {order.format('i.')} LIMIT {{}})"
    return f"SELECT * FROM ({live}{part} live UNION ALL SELECT * FROM ({own}{part} own{page}"


@lru_cache(maxsize=8)
def _count_sql(in_cluster: bool, school: bool, tag: bool) -> str:
    filters = _filters(in_cluster, school, tag)
    live = f"(SELECT COUNT(*) FROM idea i WHERE i.is_public IS TRUE{filters})"
    if not (school or tag):  # the whole board: the kept counts of the cluster's rows
        live = _KEPT_LIVE.format(_KEPT_IN_CLUSTER if in_cluster else "")
    return (
        f"SELECT {live}"
        f" + (SELECT COUNT(*) FROM idea i WHERE i.author = {{}} AND i.is_public IS FALSE{filters})"
        " AS total"
    )


# The live ideas of the cluster, unfiltered: the counts triggers keep per school, and per
# author of ideas with no school (`IdeaLiveCount`), of the cluster's schools and accounts: a
# dozen rows, however many ideas (counting them read every live idea of the cluster: 0.46 ms
# on PostgreSQL for 2,000). An idea of a school is counted in its school's cluster only (the
# app writes an idea's school as its author's).
_KEPT_LIVE = "(SELECT COALESCE(SUM(ideas), 0) FROM idea_live_count{})"
_KEPT_IN_CLUSTER = (
    " WHERE school_key IN (SELECT id FROM school WHERE cluster = {})"
    " OR author_key IN (SELECT id FROM app_user WHERE cluster = {})"
)


def _scope_args(cluster_id: int | None, school_id: int | None, tag: str | None) -> list[Any]:
    args: list[Any] = [cluster_id, cluster_id] if cluster_id is not None else []
    return args + ([school_id] if school_id else []) + ([tag] if tag else [])


class _Total:
    """The board's total, run like a Piccolo count (`paginate_frozen`)."""

    def __init__(self, query: Any) -> None:
        self.query = query

    async def run(self) -> int:
        return int((await self.query.run())[0]["total"])


def board_total(
    actor_id: int, cluster_id: int | None, school_id: int | None, tag: str | None
) -> _Total:
    """How many ideas the board shows the reader: the live ones and their own (without
    materialising every idea id of the cluster: 1.8 → 0.35 ms on 2,000 ideas)."""
    args = _scope_args(cluster_id, school_id, tag)
    sql = _count_sql(cluster_id is not None, bool(school_id), bool(tag))
    return _Total(raw(Idea, sql, *args, actor_id, *args))


def board_page(
    actor_id: int,
    cluster_id: int | None,
    school_id: int | None,
    tag: str | None,
    discussed: bool,
    size: int,
    offset: int,
) -> Any:
    """One page of the board (a query to `.run()`), in `Idea.select`'s columns and the
    board's order: newest first, or most discussed (live comments) then newest."""
    args = _scope_args(cluster_id, school_id, tag)
    cut = get_settings().is_postgres
    sql = _sql(cluster_id is not None, bool(school_id), bool(tag), discussed, cut)
    if not cut:
        return raw(Idea, sql, *args, actor_id, *args, size, offset)
    end = offset + size  # each part's rows up to the page's end
    return raw(Idea, sql, *args, end, actor_id, *args, end, size, offset)
