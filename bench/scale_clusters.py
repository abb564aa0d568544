"""Benchmark: do the pages stay flat with 300 clusters on one installation? (issue 15, item 5)

Loads the demo data into a fresh database, serves the app (uvicorn, one worker, on a free
127.0.0.1 port) with CLUSTER_ROUTING=host and times every page of the demo cluster: public
signed out, and signed in as a pupil, a teacher, the cluster admin and a platform admin
(/platform/clusters), with the SQL statements each sends, beside a bare Litestar route. Then
bulk-inserts 299 more clusters of 10 schools and 50 products each (their accounts, teams,
market days, stalls, sales, orders, ideas, projects and moderation log rows) and times the
same pages again, for the demo cluster and for one of the new clusters (on its own host).
Prints per page: demo time, the two scale times, their ratios, queries and server CPU.

    .venv/bin/python bench/scale_clusters.py                      # a fresh SQLite database
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_scale300 \\
        .venv/bin/python bench/scale_clusters.py                  # PostgreSQL: WIPED first
    .venv/bin/python bench/scale_clusters.py --smoke              # 5 clusters, a few pages

Options: --clusters N (300 in all, the demo's included); REPEAT (15 timed requests per page,
the median is shown). Uses bench/scale.py's database, server and timing helpers. Only ever
talks to 127.0.0.1 (cluster host names travel in the Host header).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale  # noqa: E402  (the one-cluster scale bench: same helpers)
from scale_clusters_data import PASSWORD, build_clusters  # noqa: E402
from signed_in import BARE_APP  # noqa: E402

DEMO_HOST = "aylsham.bench.test"

# (label, role, path); {day}, {product}, {team}, {stall} are filled in per cluster.
PAGES = [
    ("home", None, "/"),
    ("schools", None, "/schools"),
    ("product list", None, "/products"),
    ("product page", None, "/products/{product}"),
    ("project list", None, "/projects"),
    ("team page", None, "/teams/{team}"),
    ("market days", None, "/market-days"),
    ("market day (next)", None, "/market-days/{day}"),
    ("pre-order shop (next)", None, "/market-days/{day}/pre-order"),
    ("events", None, "/events"),
    ("dashboard (pupil)", "pupil", "/dashboard"),
    ("ideas board", "pupil", "/ideas"),
    ("stall screen", "pupil", "/stalls/{stall}"),
    ("dashboard (teacher)", "teacher", "/dashboard"),
    ("moderation queue", "teacher", "/moderation"),
    ("moderation log (teacher)", "teacher", "/moderation/log"),
    ("staff orders (teacher)", "teacher", "/staff/orders"),
    ("report teams (teacher)", "teacher", "/reports?report=teams"),
    ("dashboard (admin)", "admin", "/dashboard"),
    ("market days (admin)", "admin", "/admin/market-days"),
    ("cluster set-up (admin)", "admin", "/admin/cluster"),
    ("staff orders (admin)", "admin", "/staff/orders"),
    ("report schools (admin)", "admin", "/reports?report=schools"),
    ("CSV teams (admin)", "admin", "/reports/teams/csv"),
    ("platform clusters", "platform", "/platform/clusters"),
]
SMOKE_PAGES = {"home", "product list", "dashboard (pupil)", "report schools (admin)"}
SMOKE_PAGES.add("platform clusters")


def _people(slug: str | None) -> dict[str, tuple[str, str]]:
    """Who signs in: the demo's own people, or a new cluster's (the same password for all)."""
    if slug is None:
        return {**scale.ROLES, "platform": ("platform", PASSWORD)}
    return {role: (role, PASSWORD) for role in ("admin", "teacher", "pupil")}


async def _prepare_demo() -> None:
    """The demo cluster gets a host (CLUSTER_ROUTING=host) and a platform admin."""
    from clustermarket.accounts.services import create_user
    from clustermarket.accounts.tables import Role
    from clustermarket.schools.tables import Cluster

    first = await Cluster.select(Cluster.id).order_by(Cluster.id).first()
    await Cluster.update({Cluster.host: DEMO_HOST}).where(Cluster.id == first["id"])
    await create_user(
        username="platform",
        password=PASSWORD,
        role=Role.platform,
        first_name="Pat",
        last_name="Lee",
        cluster_id=first["id"],
    )


async def _cluster_ids(slug: str | None) -> dict[str, Any]:
    """The cluster's host and the rows its pages name: a product, a team, the next market
    day and the pupil's stall on it."""
    from clustermarket.catalogue.tables import Product
    from clustermarket.market.services import next_market_day
    from clustermarket.market.tables import Stall
    from clustermarket.schools.tables import Cluster
    from clustermarket.teams.tables import Team, TeamMember

    query = Cluster.select(Cluster.id, Cluster.host).order_by(Cluster.id)
    cluster = await (query.where(Cluster.slug == slug) if slug else query).first()
    in_cluster = Product.team.school.cluster == cluster["id"]
    product = (
        await Product.select(Product.id).where(in_cluster & (Product.is_public == True)).first()
    )  # noqa: E712
    team = (
        await Team.select(Team.slug)
        .where((Team.school.cluster == cluster["id"]) & (Team.kind == "enterprise"))
        .order_by(Team.id)
        .first()
    )
    day = await next_market_day(cluster["id"])
    pupil = "ameliab" if slug is None else "pupil"
    member = (
        await TeamMember.select(TeamMember.team)
        .where((TeamMember.user.username == pupil) & (TeamMember.user.cluster == cluster["id"]))
        .first()
    )
    stall = (
        await Stall.select(Stall.id)
        .where((Stall.team == member["team"]) & (Stall.market_day == day["id"]))
        .first()
    )
    return {
        "host": cluster["host"],
        "product": product["id"],
        "team": team["slug"],
        "day": day["id"],
        "stall": stall["id"],
    }


def _pages(ids: dict[str, Any], smoke: bool, platform: bool) -> list[tuple[str, str | None, str]]:
    return [
        (label, role, path.format(**ids))
        for label, role, path in PAGES
        if (not smoke or label in SMOKE_PAGES) and (platform or role != "platform")
    ]


def _time(pages: list, people: dict, host: str) -> dict:
    server = scale.Server()
    try:
        return scale._measure(server.base, pages, server, people, host, uncached=True)
    finally:
        server.stop()


def _bare(folder: Path) -> dict:
    (folder / "bare_app.py").write_text(BARE_APP)
    server = scale.Server("bare_app:app", folder)
    try:
        return scale._measure(server.base, [("bare Litestar route", None, "/")], server)
    finally:
        server.stop()


def _table(demo: dict, scale_demo: dict, scale_new: dict, bare: dict) -> str:
    lines = [
        "| page | demo ms | scale ms (demo cluster) | ratio | scale ms (new cluster) | ratio "
        "| CPU ms demo / scale / new | queries demo/scale/new |",
        "|---|---|---|---|---|---|---|---|",
    ]
    b = bare["bare Litestar route"]
    lines.append(f"| bare Litestar route | {b['ms']:.1f} | | | | | {b['cpu_ms']:.1f} | 0 |")
    for label, d in demo.items():
        s, n = scale_demo.get(label), scale_new.get(label)
        cells = [f"{d['ms']:.1f}"]
        for other in (s, n):
            cells += [f"{other['ms']:.1f}", f"{other['ms'] / d['ms']:.2f}"] if other else ["—", ""]
        cpu = " / ".join(f"{x['cpu_ms']:.1f}" if x else "—" for x in (d, s, n))
        queries = "/".join(str(x["queries"]) if x else "—" for x in (d, s, n))
        lines.append(f"| {label} | {' | '.join(cells)} | {cpu} | {queries} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="5 clusters and a few pages")
    parser.add_argument("--clusters", type=int, help="clusters in all (300; smoke: 5)")
    args = parser.parse_args()
    if args.smoke:
        scale.REPEAT = 2
    elif "REPEAT" not in os.environ:
        scale.REPEAT = 15  # CPU from /proc comes in 10 ms ticks: 0.7 ms per request over 15
    total = args.clusters or (5 if args.smoke else 300)
    with tempfile.TemporaryDirectory(prefix="scale-clusters-") as scratch:
        folder = Path(scratch)
        url = scale._prepare_environment(folder)
        os.environ["CLUSTER_ROUTING"] = "host"
        engine = "PostgreSQL" if url.startswith("postgres") else "SQLite"
        asyncio.run(scale._fresh_demo())
        asyncio.run(_prepare_demo())
        ids = asyncio.run(_cluster_ids(None))
        pages = _pages(ids, args.smoke, platform=True)
        print(
            f"# {engine}, CLUSTER_ROUTING=host, {scale.REPEAT} timed requests per page "
            "(median), one worker",
            flush=True,
        )
        bare = _bare(folder)
        demo = _time(pages, _people(None), ids["host"])
        started = time.perf_counter()
        with contextlib.redirect_stdout(sys.stderr):
            counts = asyncio.run(build_clusters(total - 1))
        built = time.perf_counter() - started
        print(f"built in {built:.1f} s: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
        scale_demo = _time(pages, _people(None), ids["host"])
        slug = f"bench-{total // 2}"
        new_ids = asyncio.run(_cluster_ids(slug))
        new_pages = _pages(new_ids, args.smoke, platform=False)
        scale_new = _time(new_pages, _people(slug), new_ids["host"])
        print(f"new cluster: {slug} at {new_ids['host']}")
        print(_table(demo, scale_demo, scale_new, bare))


if __name__ == "__main__":
    main()
