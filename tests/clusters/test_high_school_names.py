"""Each cluster's transition days and Year 6 hand-over name its own high school (issue 15):
Broadland's pages say Reepham High and never Aylsham; a cluster without a high school says so
and refuses the hand-over with a message."""

from __future__ import annotations

import datetime as dt

from clustermarket.accounts.tables import Role, User
from clustermarket.clusters.services import create_cluster
from clustermarket.timeutil import today_uk
from tests.clusters.conftest import BROADLAND_HOST
from tests.conftest import make_client, make_team, make_user, post_form, school_id, sign_in

NO_HIGH_HOST = "horstead.example.org"


async def _year_6_leaver(username: str, school: str) -> int:
    """A Year 6 pupil whose class has just left (the summer rollover's state)."""
    pupil = await make_user(username, school=school, first_name=username.title())
    await User.update(
        {
            User.year_group: 6,
            User.left_on: today_uk(),
            User.erase_after: today_uk() + dt.timedelta(days=90),
        }
    ).where(User.id == pupil)
    return pupil


async def _pages(host: str, username: str, password: str, paths: list[str]) -> dict[str, str]:
    async with make_client(f"http://{host}", cluster_routing="host") as client:
        await sign_in(client, username, password)
        pages = {}
        for path in paths:
            page = await client.get(path)
            assert page.status_code == 200, (path, page.status_code)
            pages[path] = page.text
        return pages


async def _hand_over(host: str, admin: tuple[str, str], school: int, pupil: int) -> str:
    """The admin ticks the leaver and hands them over: the page they land on."""
    async with make_client(f"http://{host}", cluster_routing="host") as client:
        await sign_in(client, *admin)
        answer = await post_form(
            client,
            "/classes/rollover/hand-over",
            {"school": str(school), "pupil": str(pupil)},
            follow_redirects=True,
        )
        assert answer.status_code == 200
        return answer.text


async def test_broadlands_transition_dashboard_and_rollover_name_reepham_high(
    two_clusters,
) -> None:
    await make_team(
        school="reepham-high", teacher="rteacher", pupils=("rpupil",), name="Reepham Growers"
    )
    await make_user("cteacher", role=Role.teacher, school="cawston-primary")
    pupil = await make_user("cpupil", school="cawston-primary", first_name="Cara")
    await User.update({User.year_group: 6}).where(User.id == pupil)
    leaver = await _year_6_leaver("cleaver", "cawston-primary")
    cawston = await school_id("cawston-primary")

    seen = {
        "rteacher": await _pages(BROADLAND_HOST, "rteacher", "password-123", ["/transition"]),
        "cteacher": await _pages(BROADLAND_HOST, "cteacher", "password-123", ["/transition"]),
        "cpupil": await _pages(
            BROADLAND_HOST, "cpupil", "password-123", ["/transition", "/dashboard"]
        ),
        "admin": await _pages(
            BROADLAND_HOST,
            "admin",
            "broadland-password-1",
            ["/transition", "/dashboard", f"/classes/rollover?school={cawston}"],
        ),
    }
    for who, pages in seen.items():
        for path, text in pages.items():
            assert "Aylsham" not in text, (who, path, text.count("Aylsham"))
    assert "one of Reepham High's teams" in seen["rteacher"]["/transition"]
    assert "Cara P., Cawston Primary" in seen["rteacher"]["/transition"]
    assert "Reepham High's teachers invite" in seen["cteacher"]["/transition"]
    assert "<h1>Reepham High teams you follow</h1>" in seen["cpupil"]["/transition"]
    assert "Reepham High teams I follow</a>" in seen["cpupil"]["/dashboard"]
    rollover = seen["admin"][f"/classes/rollover?school={cawston}"]
    assert "Hand the ticked pupils over to Reepham High</button>" in rollover

    done = await _hand_over(BROADLAND_HOST, ("admin", "broadland-password-1"), cawston, leaver)
    assert "1 pupil(s) handed over to Reepham High." in done
    moved = await User.select(User.school, User.year_group).where(User.id == leaver).first()
    assert moved == {"school": await school_id("reepham-high"), "year_group": 7}


async def test_a_cluster_without_a_high_school_says_so_and_refuses_the_hand_over(
    two_clusters,
) -> None:
    await create_cluster(
        name="Horstead Cluster",
        slug="horstead",
        host=NO_HIGH_HOST,
        admin_username="hadmin",
        admin_first_name="Hal",
        admin_last_name="Horst",
        admin_password="horstead-password-1",
        schools=[("Horstead Primary", "primary")],
    )
    await make_user("hteacher", role=Role.teacher, school="horstead-primary")
    await make_user("hpupil", school="horstead-primary")
    leaver = await _year_6_leaver("hleaver", "horstead-primary")
    horstead = await school_id("horstead-primary")
    no_high = "Horstead Cluster has no high school, so"

    teacher = await _pages(NO_HIGH_HOST, "hteacher", "password-123", ["/transition"])
    assert no_high in teacher["/transition"] and "teams yet" not in teacher["/transition"]
    pupil = await _pages(NO_HIGH_HOST, "hpupil", "password-123", ["/transition", "/dashboard"])
    assert no_high in pupil["/transition"] and "do not follow" not in pupil["/transition"]
    assert 'href="/transition"' not in pupil["/dashboard"]  # no teams to follow: no link
    admin = await _pages(
        NO_HIGH_HOST, "hadmin", "horstead-password-1", [f"/classes/rollover?school={horstead}"]
    )
    rollover = admin[f"/classes/rollover?school={horstead}"]
    assert no_high in rollover and "Hand the ticked" not in rollover
    for page in (*teacher.values(), *pupil.values(), rollover):
        assert "Aylsham" not in page and "Reepham" not in page

    refused = await _hand_over(NO_HIGH_HOST, ("hadmin", "horstead-password-1"), horstead, leaver)
    assert "This cluster has no high school to hand leavers over to." in refused
    stays = await User.select(User.school, User.year_group).where(User.id == leaver).first()
    assert stays == {"school": horstead, "year_group": 6}


async def test_the_privacy_pages_description_names_the_requests_cluster(two_clusters) -> None:
    async with make_client(f"http://{BROADLAND_HOST}", cluster_routing="host") as visitor:
        page = await visitor.get("/privacy")
        assert page.status_code == 200
        assert "the schools of Broadland Cluster use personal data" in page.text


async def test_the_privacy_notices_name_the_requests_trust_and_high_school(two_clusters) -> None:
    """The notices once said "the Aylsham Cluster co-operative trust" and "Aylsham High" on
    every cluster's pages."""
    async with make_client(f"http://{BROADLAND_HOST}", cluster_routing="host") as visitor:
        grown_up = (await visitor.get("/privacy")).text
        young = (await visitor.get("/privacy/young")).text
    assert "run by the Broadland Cluster co-operative trust" in grown_up
    assert "Year 6 pupils moving to Reepham High" in grown_up
    assert "If you move up to <strong>Reepham High" in young
    for text in (grown_up, young):
        assert "Aylsham" not in text and "{cluster}" not in text and "{high_school}" not in text
    async with make_client() as aylsham:
        assert "Aylsham Cluster co-operative trust" in (await aylsham.get("/privacy")).text
