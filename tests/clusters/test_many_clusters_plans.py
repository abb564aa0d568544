"""With many clusters on PostgreSQL, a cluster's ideas board and its admin's "waiting" badge
read their own cluster's rows, not every account, school and team of the installation (the
300-cluster bench found both joining every row: 10-15 ms a page, growing with each cluster).

Checked in the plan PostgreSQL runs (`EXPLAIN ANALYZE`): the rows read from the accounts,
schools and teams tables stay near the cluster's own, with 120 other clusters beside it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from piccolo.querystring import QueryString

from clustermarket.accounts.services import CurrentUser
from clustermarket.accounts.tables import Role, User
from clustermarket.catalogue.tables import ContentStatus, Product
from clustermarket.moderation.content import PRODUCT
from clustermarket.moderation.queue import _waiting_query
from clustermarket.schools.tables import Cluster, School
from clustermarket.settings import get_settings
from clustermarket.sharing.ideas import _visible
from clustermarket.sharing.tables import Idea
from clustermarket.teams.services import in_cluster
from clustermarket.teams.tables import Team
from clustermarket.timeutil import now
from piccolo_conf import DB
from tests.conftest import seeded_cluster

on_postgres = pytest.mark.skipif(not get_settings().is_postgres, reason="PostgreSQL's planner")
on_sqlite = pytest.mark.skipif(get_settings().is_postgres, reason="SQLite's planner")
OTHERS = 120
JOINED = {"app_user", "school", "team"}


async def _insert(table: Any, rows: list[Any]) -> None:
    for start in range(0, len(rows), 500):  # within PostgreSQL's 32,767 arguments
        await table.insert(*rows[start : start + 500])


async def _other_clusters() -> None:
    """120 clusters of one school, one team, 20 accounts, 10 products and 2 ideas each."""
    stamp = now()
    await Cluster.insert(*[Cluster(name=f"Far {n}", slug=f"far-{n}") for n in range(OTHERS)])
    clusters = [r["id"] for r in await Cluster.select(Cluster.id).where(Cluster.slug.like("far-%"))]
    await School.insert(
        *[School(cluster=c, name=f"Far {c}", slug=f"far-s-{c}", phase="high") for c in clusters]
    )
    schools = await School.select(School.id, School.cluster).where(School.slug.like("far-s-%"))
    await Team.insert(
        *[Team(school=s["id"], name=f"T{s['id']}", slug=f"far-t-{s['id']}") for s in schools]
    )
    teams = {t["school"]: t["id"] for t in await Team.select(Team.id, Team.school)}
    await _insert(
        User,
        [
            User(cluster=s["cluster"], school=s["id"], username=f"u{n}", role=Role.pupil)
            for s in schools
            for n in range(20)
        ],
    )
    authors = {
        u["school"]: u["id"]
        for u in await User.select(User.id, User.school).where(User.username == "u0")
    }
    live = {"status": ContentStatus.approved, "is_public": True, "created_at": stamp}
    await _insert(
        Product,
        [
            Product(team=teams[s["id"]], name=f"P{n}", price_pence=100, updated_at=stamp, **live)
            for s in schools
            for n in range(10)
        ],
    )
    await Idea.insert(
        *[
            Idea(author=authors[s["id"]], school=s["id"], title=f"I{n}", body="Hm", **live)
            for s in schools
            for n in range(2)
        ]
    )
    await DB.run_ddl("ANALYZE")


def _rows_read(plan: dict[str, Any]) -> dict[str, float]:
    """Rows each table's scans read (kept and filtered out), over all their loops."""
    read: dict[str, float] = {}
    table = plan.get("Relation Name")
    if table:
        rows = plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)
        read[table] = read.get(table, 0) + rows * plan.get("Actual Loops", 1)
    for child in plan.get("Plans", []):
        for name, rows in _rows_read(child).items():
            read[name] = read.get(name, 0) + rows
    return read


async def _explain(sql: str) -> dict[str, float]:
    [row] = await DB.run_ddl(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
    plan = row["QUERY PLAN"]
    return _rows_read((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"])


@on_postgres
async def test_the_ideas_board_and_the_waiting_badge_read_their_own_clusters_rows() -> None:
    await _other_clusters()
    accounts = await User.count()
    assert accounts >= OTHERS * 20
    cluster = await seeded_cluster()
    admin = CurrentUser(1, "admin", Role.admin, "A", "B", None, None, 0, cluster)

    board = await _explain(str(Idea.count().where(_visible(Idea, admin))))
    badge = await _explain(str(_waiting_query(admin)))
    for name, read in (("ideas board", board), ("waiting badge", badge)):
        joined = {table: rows for table, rows in read.items() if table in JOINED}
        # the seeded cluster has a few dozen accounts and ten schools; the others 2,400+
        assert all(rows < 400 for rows in joined.values()), (name, read)


@on_sqlite
async def test_a_clusters_public_products_are_found_from_its_teams_on_sqlite() -> None:
    """SQLite started the product list's count from every public product of the installation
    (the `is_public` index), looking each one's school up: 10-12 ms with 300 clusters."""
    await _other_clusters()
    cluster = await seeded_cluster()
    count = Product.count().where(PRODUCT.public_where() & in_cluster(Product.team, cluster))
    plan = await DB.run_querystring(QueryString(f"EXPLAIN QUERY PLAN {count}"))
    steps = " / ".join(row["detail"] for row in plan)
    assert "product_team" in steps and "product_is_public" not in steps, steps
