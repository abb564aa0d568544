"""A Hypothesis fuzz of every form in the app's route list: random and hostile strings and
numbers (NUL, right-to-left marks, emoji, very long, negative, sNaN, huge) in each field,
posted as a role that may use the form (which a sensible form first shows is let
through: the allowed side of the matrix for unsafe routes). Never a 500, and nothing of
the other school that was already saved changes. Example counts come from the Hypothesis
profile (conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clustermarket.accounts.tables import User
from clustermarket.catalogue.tables import Product
from clustermarket.market.tables import Sale, Stall, StallStock
from clustermarket.media.tables import Photo
from clustermarket.orders.tables import Order
from clustermarket.projects.tables import ImpactTally, Project
from clustermarket.server import create_app
from clustermarket.sharing.tables import Comment, Idea, PitchEntry
from clustermarket.teams.tables import Team, TeamMember
from tests.audit.counts import COUNTS
from tests.audit.expected import EXPECTED, LOGIN, NO, OK
from tests.audit.probe import csrf_of, outcome, send
from tests.audit.routes import Route, app_routes, plausible_form, url
from tests.audit.world import World

FORMS = [r for r in app_routes(create_app()) if r.unsafe and any(k != "file" for _, k in r.fields)]
# Who posts each form: the first role that may use it.
POSTERS = ("pupil_a", "teacher_a", "admin", "anonymous", "community", "platform")

HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202eevil\u202c",
    "\u200f\u200e",
    "😀" * 40,
    "x" * 5000,
    "-1",
    "0",
    "-0",
    "1e999",
    "NaN",
    "sNaN",
    "-sNaN",
    "Infinity",
    "-Infinity",
    "99999999999999999999999",
    "١٢٣",
    "½",
    "1,000",
    "£1.50",
    "1.005",
    "0x10",
    " 7 ",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "%00",
    "\r\nSet-Cookie: x=1",
    "{{ 7*7 }}",
    "𝟙𝟚",
    "\ud7ff",
    "true",
    "null",
    "[]",
    "2030-02-30",
    "25:61",
    "T",
]
VALUES = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=200),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)


def _poster(route: Route) -> str:
    expected = EXPECTED.get(route.key, {})
    return next((role for role in POSTERS if expected.get(role) == OK), "admin")


def _ids(world: World) -> dict[str, Any]:
    """Side A's rows, but account forms aim at a pupil and a teacher who are not the roles
    posting (deactivating oneself would end the run's own sessions)."""
    return {
        **world.ids["A"],
        "pupil_id": world.ids["spare_pupil"],
        "user_id": world.ids["spare_teacher"],
    }


async def other_school_rows(world: World) -> dict[str, list[dict[str, Any]]]:
    """Everything school B had saved (new rows elsewhere may legitimately appear)."""
    b = world.ids["B"]
    teams = Team.select(Team.id).where(Team.school == b["school_id"])
    stalls = Stall.select(Stall.id).where(Stall.team.is_in(teams))
    projects = Project.select(Project.id).where(Project.team.is_in(teams))
    queries = {
        "team": Team.select().where(Team.school == b["school_id"]),
        "member": TeamMember.select().where(TeamMember.team.is_in(teams)),
        "user": User.select().where(User.school == b["school_id"]),
        "product": Product.select().where(Product.team.is_in(teams)),
        "project": Project.select().where(Project.id.is_in(projects)),
        "tally": ImpactTally.select().where(ImpactTally.project.is_in(projects)),
        "photo": Photo.select().where(Photo.team.is_in(teams)),
        "stall": Stall.select().where(Stall.id.is_in(stalls)),
        "stock": StallStock.select().where(StallStock.stall.is_in(stalls)),
        "sale": Sale.select().where(Sale.stall.is_in(stalls)),
        "order": Order.select().where(Order.id == b["order_id"]),
        "idea": Idea.select().where(Idea.school == b["school_id"]),
        "comment": Comment.select().where(Comment.school == b["school_id"]),
        "entry": PitchEntry.select().where(PitchEntry.team.is_in(teams)),
    }
    return {
        name: await query.order_by(query.table._meta.primary_key) for name, query in queries.items()
    }


@pytest.mark.parametrize("route", FORMS, ids=lambda r: f"{r.method} {r.path}")
async def test_fuzzed_forms_never_break_the_server(world: World, route: Route) -> None:
    client = world.clients[_poster(route)]
    ids = _ids(world)
    target = url(route, ids)
    fields = [name for name, kind in route.fields if kind != "file"]
    before = await other_school_rows(world)
    if not csrf_of(client):
        await client.get("/")
    # First a sensible form: the role that may use the form is let through.
    first = await send(world.clients[_poster(route)], route, target, plausible_form(route, ids))
    COUNTS["matrix"] += 1
    assert outcome(first) not in (LOGIN, NO), (first.status_code, first.text[:300])

    # Hypothesis draws the forms (its runner is synchronous); they are then posted in turn.
    forms: list[dict[str, str]] = []

    @given(st.fixed_dictionaries({}, optional={name: VALUES for name in fields}))
    def draw(form: dict[str, str]) -> None:
        forms.append(form)

    draw()
    for form in forms:
        answer = await client.request(
            route.method,
            target,
            data={**form, "_csrf_token": csrf_of(client)},
            follow_redirects=False,
        )
        COUNTS["fuzz"] += 1
        assert answer.status_code < 500, (form, answer.text[:500])
    assert await other_school_rows(world) == before, "the other school's saved rows changed"
