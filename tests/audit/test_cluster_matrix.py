"""Issue 15: the route × role matrix across two clusters on one installation.

The audit world (cluster A, Aylsham, on its own host) and a second cluster B (the demo's
Marshwick) with a row of the kinds its tests make, served with CLUSTER_ROUTING=host. As each
of cluster A's roles, on A's host: every route with each path id replaced by B's row of that
kind is refused (not found, sign in, or the route's own refusal) and never shows B's data;
every page, CSV, JSON answer and the iCalendar feed of A's rows shows none of B's names; and
no request with B's ids changes a row anywhere."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

from clustermarket.reports.services import REPORTS
from clustermarket.server import create_app
from clustermarket.settings import get_settings
from tests.audit.counts import COUNTS
from tests.audit.probe import LOGIN, NO, outcome, send
from tests.audit.routes import Route, app_routes, param_value, plausible_form, url
from tests.audit.second_cluster import A_URL, B_STRINGS, B_URL, add_second_cluster
from tests.audit.test_matrix import FORM_ONLY
from tests.audit.world import ROLES, World, close_world, sign_in_roles, snapshot

ROUTES = app_routes(create_app())
# Cluster A's roles (the world's other-school roles are in cluster A too, and add nothing).
A_ROLES = {role: user for role, user in ROLES.items() if role not in ("pupil_b", "teacher_b")}
# Installation-wide rows: the platform admin's to manage in any cluster, by design.
PLATFORM_WIDE = {"cluster_id", "job_id"}
# Searches and filters, beside every GET route with A's rows.
SEARCHES = [
    "/products?q=wood",
    "/products?q=hook",
    "/products?q=coaster",
    "/products?school=marshwick-high-school",
    "/projects?q=survey",
    "/projects?school=marshwick-high-school",
    "/ideas?q=eel",
    "/ideas?q=ladders",
    "/events.ics",
]


def _leaks(text: str) -> list[str]:
    low = text.lower()
    return [word for word in B_STRINGS if word.lower() in low]


@pytest.fixture(scope="module")
async def apart(world: World) -> AsyncIterator[dict[str, Any]]:
    """Cluster B beside the restored world, and A's roles signed in on A's host."""
    csvs = await _report_csvs(world.clients["admin"])  # cluster A alone, before B is made
    b_ids = await add_second_cluster()
    settings = get_settings()
    signed = await sign_in_roles(
        world.ids,
        lambda: create_app(replace(settings, cluster_routing="host")),
        base_url=A_URL,
        roles=A_ROLES,
    )
    yield {"a": world, "signed": signed, "b": b_ids, "csvs": csvs}
    await close_world(signed)


async def _report_csvs(client: Any) -> dict[str, str]:
    """Every report's CSV over all dates, as the cluster admin sees it."""
    every_day = "start=2000-01-01&end=2099-12-31"
    return {slug: (await client.get(f"/reports/{slug}/csv?{every_day}")).text for slug in REPORTS}


def _b_variants(route: Route, b_ids: dict[str, Any]) -> list[tuple[str, Any]]:
    """(parameter, B's value) for each path id of the route that B has a row of."""
    found = []
    for name in route.numeric_params:
        if name in PLATFORM_WIDE:
            continue
        try:
            found.append((name, param_value(route, name, b_ids)))
        except KeyError:
            COUNTS["cluster_missing"] += 1
    if "{name}" in route.path:  # the media file name
        found.append(("name", b_ids["photo_name"]))
    if "{slug}" in route.path and route.path.split("/")[1] in ("teams", "schools"):
        found.append(("slug", "marshwick-driftwood" if "teams" in route.path else "fenley"))
    return found


def _refused(route: Route, answer: Any) -> bool:
    """Not found, sign in, the route's own message (400, 409), its form alone (FORM_ONLY),
    or for an unsafe route a redirect with a message (the snapshot proves nothing changed)."""
    if outcome(answer) in (NO, LOGIN) or answer.status_code in (400, 409):
        return True
    if route.key in FORM_ONLY:
        return True
    return route.unsafe and answer.status_code in (302, 303)


def _installation_wide(role: str, route: Route) -> bool:
    """The platform admin's pages list every cluster, by design (issue 15)."""
    return role == "platform" and route.path.startswith("/platform")


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
async def test_cluster_bs_ids_are_not_found_on_cluster_a(apart: dict[str, Any], route) -> None:
    variants = _b_variants(route, apart["b"])
    if not variants:
        return
    a_ids = apart["a"].ids["A"]
    before = await snapshot() if route.unsafe else None
    wrong = []
    for role in A_ROLES:
        client = apart["signed"].clients[role]
        for param, value in variants:
            target = url(route, a_ids, override=(param, value))
            answer = await send(client, route, target, plausible_form(route, a_ids))
            COUNTS["cluster_ids"] += 1
            leaked = _leaks(answer.text)
            if leaked or not _refused(route, answer):
                wrong.append(f"{role} {target}: {answer.status_code} {outcome(answer)} {leaked}")
    assert not wrong, "\n".join(wrong)
    if before is not None:
        assert await snapshot() == before, "a request with cluster B's ids changed the database"


GETS = [route for route in ROUTES if not route.unsafe]


@pytest.mark.parametrize("route", GETS, ids=lambda r: f"{r.method} {r.path}")
async def test_cluster_a_pages_show_nothing_of_cluster_b(apart: dict[str, Any], route) -> None:
    a_ids = apart["a"].ids["A"]
    wrong = []
    for role in A_ROLES:
        answer = await send(apart["signed"].clients[role], route, url(route, a_ids))
        COUNTS["cluster_pages"] += 1
        assert answer.status_code < 500, (role, answer.status_code)
        if (leaked := _leaks(answer.text)) and not _installation_wide(role, route):
            wrong.append(f"{role} {answer.status_code}: {leaked}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("address", SEARCHES)
async def test_cluster_a_searches_find_nothing_of_cluster_b(apart: dict[str, Any], address):
    for role in A_ROLES:
        answer = await apart["signed"].clients[role].get(address)
        COUNTS["cluster_pages"] += 1
        assert answer.status_code < 500, (role, address)
        assert not _leaks(answer.text), (role, address, _leaks(answer.text))


async def test_cluster_a_report_totals_are_the_same_with_cluster_b_beside_it(apart) -> None:
    """B's sale, reservation and costs change none of A's report rows or totals."""
    after = await _report_csvs(apart["signed"].clients["admin"])
    COUNTS["cluster_pages"] += len(after)
    assert after == apart["csvs"]
    assert any(len(text.splitlines()) > 1 for text in after.values())  # A's rows are there


async def test_cluster_b_is_there_and_served_on_its_own_host(apart: dict[str, Any]) -> None:
    """The proof above means something: B's rows answer on B's host."""
    from clustermarket.clusters.demo import ADMIN_PASSWORD
    from tests.conftest import make_client, post_form

    b = apart["b"]
    async with make_client(B_URL, cluster_routing="host") as client:
        assert "Driftwood hook" in (await client.get("/products?q=driftwood")).text
        assert (await client.get(f"/products/{b['product_id']}")).status_code == 200
        assert (await client.get(f"/media/{b['photo_name']}")).status_code == 200
        assert "Marshwick Eel Festival" in (await client.get("/events.ics")).text
        await client.get("/login")
        await post_form(client, "/login", {"username": "admin", "password": ADMIN_PASSWORD})
        csvs = await _report_csvs(client)
        assert any("Marshwick Driftwood" in text for text in csvs.values())
