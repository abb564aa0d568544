"""CSRF on every unsafe route of the app: no token, a wrong token, a token sent in the
header that does not match, and non-ASCII tokens and cookies: always 403, never a change."""

from __future__ import annotations

import pytest

from clustermarket.server import STRIPE_WEBHOOK_PATH, create_app
from tests.audit.counts import COUNTS
from tests.audit.expected import EXPECTED, OK
from tests.audit.probe import csrf_of, missing_security_headers
from tests.audit.routes import Route, app_routes, plausible_form, url
from tests.audit.world import World, snapshot

UNSAFE = [r for r in app_routes(create_app()) if r.unsafe and r.path != STRIPE_WEBHOOK_PATH]


def _client_for(world: World, route: Route):
    """A role that may use the route, so only the CSRF check stands in the way."""
    expected = EXPECTED.get(route.key, {})
    for role in ("anonymous", "pupil_a", "teacher_a", "admin"):
        if expected.get(role) == OK:
            return world.clients[role]
    return world.clients["admin"]


@pytest.mark.parametrize("route", UNSAFE, ids=lambda r: f"{r.method} {r.path}")
async def test_an_unsafe_request_without_the_right_token_is_refused(
    world: World, route: Route
) -> None:
    client = _client_for(world, route)
    ids = world.ids["A"]
    form = plausible_form(route, ids)
    target = url(route, ids)
    before = await snapshot()
    probes = {
        "no token": await client.request(route.method, target, data=form),
        "wrong token": await client.request(
            route.method, target, data={**form, "_csrf_token": "x" * 64}
        ),
        "wrong header": await client.request(
            route.method, target, data=form, headers={"x-csrftoken": csrf_of(client)[::-1]}
        ),
        "empty token": await client.request(route.method, target, data={**form, "_csrf_token": ""}),
    }
    COUNTS["csrf"] += len(probes)
    assert {name: r.status_code for name, r in probes.items()} == dict.fromkeys(probes, 403)
    assert all(not missing_security_headers(r) for r in probes.values())
    assert await snapshot() == before


@pytest.mark.parametrize("where", ["token", "cookie"])
@pytest.mark.parametrize("route", UNSAFE, ids=lambda r: f"{r.method} {r.path}")
async def test_a_non_ascii_token_or_cookie_is_refused(
    world: World, route: Route, where: str
) -> None:
    client = _client_for(world, route)
    target = url(route, world.ids["A"])
    form = plausible_form(route, world.ids["A"])
    if where == "token":
        answer = await client.request(
            route.method, target, data={**form, "_csrf_token": csrf_of(client)[:-1] + "é"}
        )
    else:  # the browser's cookie altered; the session cookie kept
        cookies = {**dict(client.cookies), "csrftoken": csrf_of(client)[:-1] + "é"}
        header = "; ".join(f"{name}={value}" for name, value in cookies.items())
        answer = await client.request(
            route.method,
            target,
            data={**form, "_csrf_token": csrf_of(client)},
            headers={"cookie": header.encode()},
        )
    COUNTS["csrf"] += 1
    assert answer.status_code == 403  # refused before any handler runs
