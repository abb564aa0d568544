"""Area A of issue 15: the public and team side keeps to the request's cluster.

Two clusters with data in both, CLUSTER_ROUTING=host: Aylsham (A, ours) and the demo's
Marshwick (B). As a visitor, a pupil, a teacher and A's cluster admin, on A's host: B's schools,
teams, products, projects, tallies, photos, market days and events never appear (their
distinctive names are looked for in the HTML and the iCalendar feed), B's ids and slugs in
paths and forms answer 404 / "not found", and writes never touch B's rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from clustermarket.accounts.tables import Role
from clustermarket.calendar.tables import Event, EventSchool, EventSignup
from clustermarket.catalogue.tables import ContentStatus, Product
from clustermarket.clusters.demo import PRODUCTS, load_second_cluster
from clustermarket.market.tables import MarketDay
from clustermarket.media.services import media_dir
from clustermarket.media.tables import Photo
from clustermarket.projects.tables import ImpactTally, Project
from clustermarket.schools.tables import Cluster, School
from clustermarket.teams.tables import Team, TeamMember
from clustermarket.timeutil import now, today_uk
from tests.clusters.conftest import AYLSHAM_HOST
from tests.conftest import make_client, make_team, make_user, post_form, sign_in

MARSHWICK_HOST = "marshwick.example.org"
ADMIN_PASSWORD = "aylsham-password-1"
# What only cluster B has: none of it may show on cluster A's pages.
# The names of cluster B's rows (the second audit cluster uses them too).
B_ROWS = {
    "product": "Driftwood hook",
    "project": "Reed-bed survey",
    "unit": "eels counted",
    "photo": "marshwick-photo-bbbbbbbbbb",
    "place": "Marsh Quay",
    "event": "Marshwick Eel Festival",
    "private": "Secret Saltings visit",
}
B_WORDS = [
    "Marshwick",
    "Fenley",
    "Saltings",
    "Driftwood",
    PRODUCTS[0][0],
    "Reed-bed survey",
    "eels counted",
    "Eel Festival",
    "Secret Saltings visit",
    "Marsh Quay",
]
ROLES = [None, "apupil", "ateacher", "admin"]  # None: a visitor


async def _publish(team_id: int, kind: str, title: str, user_id: int) -> int:
    stamp = now()
    if kind == "product":
        row = Product(
            team=team_id,
            name=title,
            description=f"{title}, made by hand.",
            price_pence=300,
            published_name=title,
            published_description=f"{title}, made by hand.",
            published_price_pence=300,
        )
    else:
        row = Project(
            team=team_id,
            title=title,
            summary=f"{title}: what we did.",
            published_title=title,
            published_summary=f"{title}: what we did.",
        )
    for name, value in {
        "status": ContentStatus.approved,
        "is_public": True,
        "created_by": user_id,
        "created_at": stamp,
        "updated_at": stamp,
        "submitted_at": stamp,
    }.items():
        setattr(row, name, value)
    [made] = await type(row).insert(row).returning(type(row).id)
    return made["id"]


async def _photo(team_id: int, owner_type: str, owner_id: int, slug: str, name: str) -> str:
    folder = media_dir() / slug
    folder.mkdir(parents=True, exist_ok=True)
    for file_name in (f"{name}.jpg", f"{name}-thumb.jpg"):
        (folder / file_name).write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    await Photo.insert(
        Photo(
            team=team_id,
            owner_type=owner_type,
            owner_id=owner_id,
            file_name=f"{name}.jpg",
            thumb_name=f"{name}-thumb.jpg",
            width=10,
            height=10,
            in_draft=True,
            published=True,
            created_at=now(),
        )
    )
    return f"{name}.jpg"


async def _event(cluster_id: int, title: str, school_id: int, public: bool = True) -> int:
    starts = now() + dt.timedelta(days=10)
    [row] = await Event.insert(
        Event(
            cluster=cluster_id,
            kind="eco_meetup",
            title=title,
            description=f"{title} for the schools.",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=3),
            place=f"{title} hall",
            is_public=public,
            created_at=now(),
        )
    ).returning(Event.id)
    await EventSchool.insert(EventSchool(event=row["id"], school=school_id))
    return row["id"]


async def _side(cluster_id: int, team_id: int, user_id: int, words: dict[str, str]) -> dict:
    """A cluster's product, eco project with a tally, photos, market day and events."""
    school = await Team.select(Team.school).where(Team.id == team_id).first()
    ids: dict[str, Any] = {"team": team_id, "school": school["school"], "cluster": cluster_id}
    ids["product"] = await _publish(team_id, "product", words["product"], user_id)
    ids["project"] = await _publish(team_id, "project", words["project"], user_id)
    await ImpactTally.insert(
        ImpactTally(
            project=ids["project"], quantity=40, unit=words["unit"], label="counted", published=True
        )
    )
    slug = (await Cluster.select(Cluster.slug).where(Cluster.id == cluster_id).first())["slug"]
    ids["photo"] = await _photo(team_id, "product", ids["product"], slug, words["photo"])
    await MarketDay.insert(
        MarketDay(
            cluster=cluster_id,
            date=today_uk() + dt.timedelta(days=5),
            location=words["place"],
            opens=dt.time(9),
            closes=dt.time(13),
        )
    )
    ids["event"] = await _event(cluster_id, words["event"], ids["school"])
    ids["private"] = await _event(cluster_id, words["private"], ids["school"], public=False)
    return ids


@pytest.fixture
async def apart() -> dict[str, Any]:
    """Cluster A (Aylsham, with a team, pupil, teacher and admin) and B (Marshwick)."""
    await Cluster.update({Cluster.host: AYLSHAM_HOST}).where(Cluster.slug == "aylsham")
    aylsham = (await Cluster.select(Cluster.id).where(Cluster.slug == "aylsham").first())["id"]
    await make_user("admin", role=Role.admin, school=None, password=ADMIN_PASSWORD)
    a_team = await make_team(
        teacher="ateacher", pupils=("apupil",), name="Aylsham Hedgehogs", kind="enterprise"
    )
    pupil = (await TeamMember.select(TeamMember.user).where(TeamMember.team == a_team["id"]))[0]
    a = await _side(
        aylsham,
        a_team["id"],
        pupil["user"],
        {
            "product": "Hedgehog house",
            "project": "Hedgerow planting",
            "unit": "hedges planted",
            "photo": "aylsham-photo-aaaaaaaaaaaa",
            "place": "Aylsham Market Place",
            "event": "Aylsham Apple Day",
            "private": "Aylsham transition morning",
        },
    )
    await load_second_cluster(host=MARSHWICK_HOST)
    marshwick = (await Cluster.select(Cluster.id).where(Cluster.slug == "marshwick").first())["id"]
    b_team = await Team.select(Team.id, Team.slug).where(Team.slug == "marshwick-driftwood").first()
    b_user = await TeamMember.select(TeamMember.user).where(TeamMember.team == b_team["id"]).first()
    b = await _side(
        marshwick,
        b_team["id"],
        b_user["user"],
        B_ROWS,
    )
    b["team_slug"] = b_team["slug"]
    b["school_slug"] = (await School.select(School.slug).where(School.id == b["school"]).first())[
        "slug"
    ]
    b["product_id"] = (
        await Product.select(Product.id).where(Product.team == b_team["id"]).first()
    )["id"]
    return {"a": a, "b": b}


def _clean(page, address: str) -> None:
    assert page.status_code == 200, (address, page.status_code)
    found = [word for word in B_WORDS if word.lower() in page.text.lower()]
    assert not found, (address, found)


async def _client_as(role: str | None):
    client = make_client(f"http://{AYLSHAM_HOST}", cluster_routing="host")
    await client.__aenter__()
    if role:
        await sign_in(client, role, ADMIN_PASSWORD if role == "admin" else "password-123")
    return client


async def _snapshot() -> list[Any]:
    """Every row of cluster B's side, to prove no write touched it."""
    return [
        await table.select().order_by(table._meta.primary_key)
        for table in (Event, EventSchool, EventSignup, Team, TeamMember, Product, Project, Photo)
    ]


@pytest.mark.parametrize("role", ROLES)
async def test_cluster_a_pages_never_show_cluster_b(apart, role) -> None:
    a = apart["a"]
    client = await _client_as(role)
    try:
        pages = [
            "/",
            "/schools",
            "/schools/aylsham-high",
            "/products",
            "/products?q=wood",
            "/products?q=coaster",
            "/projects",
            "/projects?q=survey",
            "/projects?kind=enterprise",
            "/teams/aylsham-hedgehogs",
            "/events",
            f"/events/{a['event']}",
            "/events.ics",
        ]
        if role:
            pages += ["/dashboard", f"/products/{a['product']}/edit"]
            pages += [f"/teams/{a['team']}/workspace", f"/projects/{a['project']}/edit"]
        if role in ("ateacher", "admin"):
            pages += ["/teams/new"]
        if role == "admin":
            pages += ["/admin/events", f"/admin/events/{a['event']}"]
        for address in pages:
            _clean(await client.get(address), address)
        home = await client.get("/")
        assert "Hedgehog house" in home.text and "Aylsham Market Place" in home.text
        feed = await client.get("/events.ics")
        assert "Aylsham Apple Day" in feed.text and "Aylsham Cluster events" in feed.text
        search = await client.get("/products?q=hedgehog")
        assert "Hedgehog house" in search.text
        assert (await client.get(f"/media/{a['photo']}")).status_code == 200
        school = await client.get("/schools/aylsham-high")
        assert "hedges planted" in school.text
    finally:
        await client.__aexit__(None, None, None)


@pytest.mark.parametrize("role", ROLES)
async def test_cluster_b_addresses_are_not_found_on_cluster_a(apart, role) -> None:
    b = apart["b"]
    client = await _client_as(role)
    try:
        missing = [
            f"/schools/{b['school_slug']}",
            f"/teams/{b['team_slug']}",
            f"/products/{b['product']}",
            f"/products/{b['product_id']}",
            f"/projects/{b['project']}",
            f"/media/{b['photo']}",
            f"/media/{b['photo'].replace('.jpg', '-thumb.jpg')}",
            f"/events/{b['event']}",
            f"/events/{b['private']}",
        ]
        if role:
            missing += [
                f"/teams/{b['team']}/workspace",
                f"/products/{b['product']}/edit",
                f"/projects/{b['project']}/edit",
                f"/teams/{b['team']}/products/new",
                f"/teams/{b['team']}/projects/new",
            ]
        if role == "admin":
            missing += [f"/admin/events/{b['event']}"]
        for address in missing:
            page = await client.get(address)
            assert page.status_code == 404, (address, page.status_code)
        # the school filter with B's slug is no filter at all: only A's rows
        _clean(await client.get(f"/products?school={b['school_slug']}"), "school filter")
        _clean(await client.get(f"/projects?school={b['school_slug']}"), "school filter")
    finally:
        await client.__aexit__(None, None, None)


@pytest.mark.parametrize("role", ["apupil", "ateacher", "admin"])
async def test_writes_on_cluster_a_never_touch_cluster_b(apart, role) -> None:
    a, b = apart["a"], apart["b"]
    before = await _snapshot()
    client = await _client_as(role)
    try:
        refused = {
            f"/teams/{b['team']}/members": {"user": "1", "role": "member"},
            f"/teams/{b['team']}/members/1/remove": {},
            f"/products/{b['product']}/edit": {"name": "Taken over", "price": "1.00"},
            f"/teams/{b['team']}/products/new": {"name": "Taken over", "price": "1.00"},
            f"/teams/{b['team']}/projects/new": {"title": "Taken over"},
            f"/projects/{b['project']}/edit": {"title": "Taken over"},
            f"/projects/{b['project']}/tallies": {"quantity": "1", "unit": "x", "label": "y"},
            f"/products/{b['product']}/photos/1/remove": {},
            f"/events/{b['event']}/signups": {"work": f"product:{a['product']}"},
            f"/events/{b['event']}/signups/1/withdraw": {},
        }
        if role == "admin":
            refused[f"/admin/events/{b['event']}"] = {
                "kind": "eco_meetup",
                "title": "Taken over",
                "date": "2030-01-01",
                "starts": "09:00",
                "ends": "10:00",
                "place": "Somewhere",
            }
            refused[f"/admin/events/{b['event']}/remove"] = {}
        for address, data in refused.items():
            answer = await post_form(client, address, data, follow_redirects=False)
            assert answer.status_code in (403, 404), (address, answer.status_code)
            if role == "admin" or address.startswith("/events/"):
                assert answer.status_code == 404, (address, answer.status_code)
        # A's sign-up offering B's work: refused as not found, never signed up
        answer = await post_form(
            client, f"/events/{a['event']}/signups", {"work": f"product:{b['product']}"}
        )
        assert answer.status_code == 400
        if role == "admin":
            # a form naming B's school: refused like an unknown school, nothing made
            answer = await post_form(
                client,
                "/teams/new",
                {"name": "Sneaky Team", "kind": "eco", "school": str(b["school"])},
            )
            assert answer.status_code == 400
            assert not await Team.exists().where(Team.name == "Sneaky Team")
            answer = await post_form(
                client,
                "/admin/events",
                {
                    "kind": "eco_meetup",
                    "title": "Sneaky event",
                    "date": "2030-01-01",
                    "starts": "09:00",
                    "ends": "10:00",
                    "place": "Somewhere",
                    "school": str(b["school"]),
                },
            )
            assert answer.status_code == 400 and "Choose the schools" in answer.text
            # A's own new event is A's, whatever the form says
            answer = await post_form(
                client,
                "/admin/events",
                {
                    "kind": "eco_meetup",
                    "title": "Pond dipping",
                    "date": "2030-01-01",
                    "starts": "09:00",
                    "ends": "10:00",
                    "place": "Aylsham",
                    "cluster": str(b["cluster"]),
                },
                follow_redirects=False,
            )
            assert answer.status_code in (302, 303)
            made = await Event.select(Event.cluster).where(Event.title == "Pond dipping").first()
            assert made["cluster"] == a["cluster"]
            await Event.delete().where(Event.title == "Pond dipping")
    finally:
        await client.__aexit__(None, None, None)
    assert await _snapshot() == before


async def test_each_host_sees_its_own_cluster(apart) -> None:
    """The same pages on B's host show B's rows and none of A's: the rule is per request."""
    async with make_client(f"http://{MARSHWICK_HOST}", cluster_routing="host") as client:
        home = await client.get("/")
        assert "Driftwood hook" in home.text and "Marsh Quay" in home.text
        assert "Hedgehog" not in home.text and "Aylsham Market Place" not in home.text
        feed = await client.get("/events.ics")
        assert "Marshwick Eel Festival" in feed.text and "Aylsham Apple Day" not in feed.text
        assert "Secret Saltings visit" not in feed.text  # private: never in the feed
        assert (await client.get(f"/media/{apart['b']['photo']}")).status_code == 200
        assert (await client.get(f"/media/{apart['a']['photo']}")).status_code == 404
        assert (await client.get("/teams/aylsham-hedgehogs")).status_code == 404
        assert (await client.get("/schools/aylsham-high")).status_code == 404
