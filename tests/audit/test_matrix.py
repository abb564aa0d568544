"""The authorisation matrix, from the app's own route list: every route asked as every
role (tests/audit/expected.py says what each should get), then every numeric id in its
path replaced by another school's row, a missing row, 0, -1, a huge number and a word.
Never a 500, never another school's data, and a refused unsafe request changes nothing."""

from __future__ import annotations

import pytest

from clustermarket.server import create_app
from tests.audit.counts import COUNTS
from tests.audit.expected import EXPECTED, LOGIN, MIRROR, NO, OK
from tests.audit.probe import missing_security_headers, outcome, send
from tests.audit.routes import (
    Route,
    app_routes,
    idor_variants,
    plausible_form,
    url,
)
from tests.audit.world import ROLES, World, snapshot

ROUTES = app_routes(create_app())
REFUSED_STATUSES = {400, 403, 404}

# Pages that show only a form and nothing of the row, whatever the id (posting it refuses).
FORM_ONLY = {("GET", "/flag/{kind_name}/{content_id}")}


def test_every_route_has_an_expected_answer_for_every_role() -> None:
    keys = {route.key for route in ROUTES}
    missing = [route.key for route in ROUTES if route.key not in EXPECTED]
    assert not missing, (
        "These routes have no expected answer in tests/audit/expected.py. Add a line for "
        'each, e.g. `("GET", "/teams/{team_id}/new-thing"): TEAM_A,` (role classes are '
        f"explained at the top of that file): {missing}"
    )
    incomplete = [key for key, roles in EXPECTED.items() if set(roles) != set(ROLES)]
    assert not incomplete, f"Give an answer for each of {sorted(ROLES)}: {incomplete}"
    COUNTS["cells"] = len(ROUTES) * len(ROLES)
    stale = [key for key in EXPECTED if key not in keys]
    assert not stale, f"No such routes any more; remove them from EXPECTED: {stale}"


def _expected(route: Route) -> dict[str, str]:
    if route.key not in EXPECTED:
        pytest.skip("no expected answer yet (the completeness test names it)")
    return EXPECTED[route.key]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
async def test_each_role_gets_its_expected_answer(world: World, route: Route) -> None:
    expected = _expected(route)
    ids = world.ids["A"]
    # Unsafe requests are sent only as the roles that must be refused: they change nothing.
    roles = [role for role in ROLES if not (route.unsafe and expected[role] == OK)]
    if not roles:
        return
    before = await snapshot() if route.unsafe else None
    got = {}
    for role in roles:
        answer = await send(world.clients[role], route, url(route, ids), plausible_form(route, ids))
        COUNTS["matrix"] += 1
        got[role] = outcome(answer)
        assert not missing_security_headers(answer), f"{role}: {answer.status_code}"
    assert got == {role: expected[role] for role in roles}
    if before is not None:
        assert await snapshot() == before, "a refused request changed the database"


IDOR_ROUTES = [route for route in ROUTES if route.numeric_params]


def _idor_expectation(route: Route, role: str, variant: str) -> set[str] | None:
    """What may come back; None: the request is allowed and would change things (not sent)."""
    expected = EXPECTED[route.key]
    if variant == "other school's row":
        mirrored = expected[MIRROR[role]]
        if mirrored == OK:  # cluster content: visible, or not found while it is pending
            return None if route.unsafe else {OK, NO}
        return {mirrored}
    if expected[role] == LOGIN:
        return {LOGIN}
    return {"refused", OK} if route.key in FORM_ONLY else {"refused"}


@pytest.mark.parametrize("route", IDOR_ROUTES, ids=lambda r: f"{r.method} {r.path}")
async def test_other_schools_ids_and_odd_ids_are_refused(world: World, route: Route) -> None:
    _expected(route)
    mine, theirs = world.ids["A"], world.ids["B"]
    before = await snapshot() if route.unsafe else None
    wrong: list[str] = []
    for role in ("pupil_a", "teacher_a"):
        for param, variant, value in idor_variants(route, theirs):
            allowed = _idor_expectation(route, role, variant)
            if allowed is None:
                continue
            answer = await send(
                world.clients[role],
                route,
                url(route, mine, override=(param, value)),
                plausible_form(route, mine),
            )
            COUNTS["idor"] += 1
            got = outcome(answer)
            if got == OK and answer.status_code in (400, 409) and variant == "other school's row":
                got = NO  # refused with a message on the page
            elif (
                got in (NO, OK)
                and answer.status_code in REFUSED_STATUSES
                and variant != ("other school's row")
            ):
                got = "refused"
            if got not in allowed:
                wrong.append(f"{role} {param}={value!r} ({variant}): {answer.status_code} {got}")
    assert not wrong, "\n".join(wrong)
    if before is not None:
        assert await snapshot() == before, "an IDOR request changed the database"


async def test_a_teacher_cannot_add_another_schools_pupil_to_a_team(world: World) -> None:
    route = next(r for r in ROUTES if r.key == ("POST", "/teams/{team_id}/members"))
    before = await snapshot()
    form = {**plausible_form(route, world.ids["A"]), "user": str(world.ids["B"]["pupil_id"])}
    answer = await send(world.clients["teacher_a"], route, url(route, world.ids["A"]), form)
    COUNTS["idor"] += 1
    assert await snapshot() == before
    assert answer.status_code in REFUSED_STATUSES


async def test_another_stalls_ticket_cannot_be_undone(world: World) -> None:
    """The ticket id is a word, not a number: the IDOR variants above do not reach it."""
    route = next(
        r for r in ROUTES if r.key == ("POST", "/stalls/{stall_id}/tickets/{ticket_id}/void")
    )
    before = await snapshot()
    for role in ("pupil_a", "teacher_a"):
        target = url(route, world.ids["A"], override=("ticket_id", world.ids["B"]["ticket_id"]))
        answer = await send(world.clients[role], route, target)
        COUNTS["idor"] += 1
        assert answer.status_code in {*REFUSED_STATUSES, 409}, (role, answer.status_code)
    assert await snapshot() == before
