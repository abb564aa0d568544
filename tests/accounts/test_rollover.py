"""The school year turns over at Erpingham: three classes move up, Year 6 leaves, Harry moves
to Aylsham High (his old project stays with his old team; High teachers moderate his new
work), and Jack, who was not handed over, is erased after the date the admin set."""

from __future__ import annotations

from clustermarket.accounts import cards, classes
from clustermarket.accounts.tables import Role, SchoolClass, User
from clustermarket.moderation.content import IDEA, PROJECT
from clustermarket.moderation.queue import moderation_items
from clustermarket.moderation.services import approve, send_new, submit_for_approval
from clustermarket.moderation.tables import ModerationLog
from clustermarket.projects.services import create_project
from clustermarket.sharing.tables import Idea
from clustermarket.timeutil import today_uk
from tests.conftest import as_user, make_team, make_user, post_form, school_id, sign_in

ERPINGHAM = [
    ("Year 3 Robins", 3, "Evie Clark"),
    ("Year 4 Wrens", 4, "Max Reed"),
    ("Year 5 Owls", 5, "Freya Scott"),
    ("Year 6 Kestrels", 6, "Harry Price\nJack Bell"),
]


async def erpingham_classes() -> dict[str, int]:
    await make_user("pshah", role=Role.teacher, school="erpingham", first_name="Priya")
    actor = await as_user("pshah")
    school = await school_id("erpingham")
    ids = {}
    for name, year, names in ERPINGHAM:
        made = await classes.create_class(actor, school, name, year, "password")
        await cards.add_class_list(actor, made["id"], names)
        ids[name] = made["id"]
    return ids


async def test_the_summer_rollover_end_to_end(client) -> None:
    await erpingham_classes()
    await make_user("admin", role=Role.admin, school=None, first_name="Ada")
    await make_user("staylor", role=Role.teacher, school="aylsham-high", first_name="Sarah")
    # Harry's team at Erpingham, with a project he wrote that his teacher approved.
    team = await make_team(school="erpingham", teacher="pshah", pupils=("harryp",), name="Eco Erp")
    harry = await as_user("harryp")
    project_id = await create_project(
        harry, team, {"title": "Bug hotel", "summary": "We built one.", "body": "With sticks."}
    )
    await submit_for_approval(harry, PROJECT, project_id)
    await approve(await as_user("pshah"), PROJECT, project_id)

    # The teacher sees the preview first: every change, nothing changed yet.
    await sign_in(client, "pshah")
    page = await client.get("/classes/rollover")
    assert "Year 3 Robins (Year 3) becomes Year 4 Robins (Year 4), 1 pupil" in page.text
    assert "Year 5 Owls (Year 5) becomes Year 6 Owls (Year 6), 1 pupil" in page.text
    assert "Year 6 Kestrels: 2 pupils leave the school: Harry P., Jack B." in page.text
    assert await SchoolClass.count() == 4

    # Without the tick nothing happens; with it, the classes move up.
    await post_form(client, "/classes/rollover", {"school": ""})
    assert await SchoolClass.exists().where(SchoolClass.name == "Year 3 Robins")
    await post_form(client, "/classes/rollover", {"confirm": "yes"})
    names = {r["name"]: r["year_group"] for r in await SchoolClass.select()}
    assert names == {"Year 4 Robins": 4, "Year 5 Wrens": 5, "Year 6 Owls": 6}
    years = {
        r["username"]: r["year_group"] for r in await User.select().where(User.role == "pupil")
    }
    assert years == {"eviec": 4, "maxr": 5, "freyas": 6, "harryp": 6, "jackb": 6}
    leavers = await User.select(User.username, User.active, User.left_on, User.erase_after).where(
        User.left_on.is_not_null()
    )
    assert {r["username"] for r in leavers} == {"harryp", "jackb"}
    assert all(not r["active"] and r["erase_after"] > today_uk() for r in leavers)
    # Twice in one school year is refused.
    again = await post_form(client, "/classes/rollover", {"confirm": "yes"}, follow_redirects=True)
    assert "already moved up this school year" in again.text
    assert await SchoolClass.exists().where(SchoolClass.name == "Year 4 Robins")

    # Harry is handed over to Aylsham High.
    harry_id = (await User.select(User.id).where(User.username == "harryp").first())["id"]
    await post_form(client, "/classes/rollover/hand-over", {"pupil": str(harry_id)})
    moved = (
        await User.select(User.school, User.active, User.year_group)
        .where(User.id == harry_id)
        .first()
    )
    assert moved == {"school": await school_id("aylsham-high"), "active": True, "year_group": 7}
    # His project still shows under his old team at Erpingham.
    team_page = await client.get(f"/teams/{team['slug']}")
    assert "Bug hotel" in team_page.text
    # His new idea waits for Aylsham High's teacher, not Erpingham's.
    harry = await as_user("harryp")
    idea_id = await send_new(
        harry, IDEA, {Idea.title: "Swap shop", Idea.body: "Old books.", Idea.tag: "eco"}
    )
    high_queue = await moderation_items(await as_user("staylor"), IDEA, ["pending"])
    erp_queue = await moderation_items(await as_user("pshah"), IDEA, ["pending"])
    assert [i["id"] for i in high_queue] == [idea_id] and erp_queue == []

    # Jack was not handed over: once the admin's date has passed, he is erased.
    page = await client.get("/classes/rollover")
    assert "Due for erasure" not in page.text
    await post_form(client, "/logout", {})
    await sign_in(client, "admin")
    erpingham = await school_id("erpingham")
    await post_form(
        client,
        "/classes/rollover/erase-date",
        {"school": str(erpingham), "erase_after": today_uk().isoformat()},
    )
    page = await client.get(f"/classes/rollover?school={erpingham}")
    assert "Due for erasure" in page.text and "Jack Bell (jackb)" in page.text
    await post_form(client, "/classes/rollover/erase", {"school": str(erpingham), "confirm": "yes"})
    assert not await User.exists().where(User.username == "jackb")
    assert await User.exists().where(User.username == "harryp")

    actions = {r["action"] for r in await ModerationLog.select(ModerationLog.action)}
    assert {
        "school.rollover",
        "class.move_up",
        "class.leave",
        "account.leave",
        "account.hand_over",
        "school.leavers_erase_date",
        "account.erase",
        "school.erase_leavers",
    } <= actions


async def test_a_teacher_cannot_roll_over_another_school(client) -> None:
    await erpingham_classes()
    await make_user("staylor", role=Role.teacher, school="aylsham-high")
    await sign_in(client, "staylor")
    await post_form(
        client, "/classes/rollover", {"school": str(await school_id("erpingham")), "confirm": "yes"}
    )
    # The form's school is ignored for teachers: only their own (empty) school was touched.
    assert await SchoolClass.exists().where(SchoolClass.name == "Year 3 Robins")
