"""Issue 15, area C: sharing, forum, co-op, moderation, accounts admin and transition keep each
cluster's rows apart. With CLUSTER_ROUTING=host and data in both clusters, everybody of the
Aylsham cluster (a visitor, a pupil, a teacher, its admin) never sees Broadland's rows, gets
404 for Broadland's ids in paths and forms, and never changes Broadland's rows."""

from __future__ import annotations

from typing import Any

import pytest

from clustermarket.accounts.services import CurrentUser, load_session_user
from clustermarket.accounts.tables import Role, SchoolClass, User
from clustermarket.coop.services import apply_as_group
from clustermarket.coop.tables import Ballot, BallotOption, CommunityGroup, GroupStatus
from clustermarket.forum import services as forum
from clustermarket.forum.tables import ForumPost
from clustermarket.moderation.content import IDEA
from clustermarket.moderation.log import log_action
from clustermarket.moderation.services import send_new
from clustermarket.sharing.tables import Idea, PitchRound
from clustermarket.timeutil import now
from tests.clusters.conftest import AYLSHAM_HOST
from tests.conftest import make_client, make_user, post_form, school_id, sign_in

B_WORDS = (
    "Broadland Beehive Plan",
    "Broadland Pending Pond",
    "Broadland Bake Sale Thread",
    "Broadland Pending Grownup Post",
    "Broadland Choir",
    "Broadland Bin Question",
    "Broadland Pitch Round",
    "Broadland Badgers",
    "Broadland Log Entry",
    "Reepham",
    "Cawston",
    "Brenda",
)


async def _actor(user_id: int) -> CurrentUser:
    row = await User.select(User.session_epoch).where(User.id == user_id).first()
    actor = await load_session_user(user_id, row["session_epoch"])
    assert actor is not None
    return actor


@pytest.fixture
async def apart(two_clusters) -> dict[str, Any]:
    """Broadland's rows of every kind this area has, and Aylsham's people."""
    broadland = two_clusters["broadland"]
    b_admin = await User.select(User.id).where(
        (User.username == "admin") & (User.cluster == broadland)
    )
    b_admin = await _actor(b_admin[0]["id"])
    b_teacher = await _actor(
        await make_user("bteacher", Role.teacher, "reepham-high", first_name="Brenda")
    )
    b_pupil = await make_user("bpupil", Role.pupil, "reepham-high", first_name="Brenda")
    await User.update({User.year_group: 6}).where(User.id == b_pupil)
    b_pupil_actor = await _actor(b_pupil)
    live_idea = await send_new(
        b_teacher,
        IDEA,
        {Idea.tag: "eco", Idea.title: "Broadland Beehive Plan", Idea.body: "Bees."},
    )
    pending_idea = await send_new(
        b_pupil_actor,
        IDEA,
        {Idea.tag: "eco", Idea.title: "Broadland Pending Pond", Idea.body: "A pond."},
    )
    thread = await forum.start_thread(b_teacher, "Broadland Bake Sale Thread", "Cakes on Friday.")
    await forum.start_thread(b_admin, "Broadland Pending Grownup Post", "Hello.")
    pending_post = await ForumPost.select(ForumPost.id).where(ForumPost.author == b_admin.id)
    await ForumPost.update({ForumPost.status: "pending", ForumPost.is_public: False}).where(
        ForumPost.id == pending_post[0]["id"]
    )
    group = await apply_as_group(
        "Broadland Choir", "Bo", "bo@example.org", "Songs.", cluster_id=broadland
    )
    [ballot] = await Ballot.insert(
        Ballot(
            question="Broadland Bin Question",
            opens_at=now(),
            closes_at=now().replace(year=now().year + 1),
            created_by=b_admin.id,
            created_at=now(),
            cluster=broadland,
        )
    ).returning(Ballot.id)
    [option] = await BallotOption.insert(
        BallotOption(ballot=ballot["id"], label="Yes", position=0)
    ).returning(BallotOption.id)
    [pitch_round] = await PitchRound.insert(
        PitchRound(
            title="Broadland Pitch Round",
            closes_at=now().replace(year=now().year + 1),
            created_by=b_admin.id,
            created_at=now(),
        )
    ).returning(PitchRound.id)
    [b_class] = await SchoolClass.insert(
        SchoolClass(
            school=await school_id("reepham-high"), name="Broadland Badgers", code="badgers123"
        )
    ).returning(SchoolClass.id)
    await log_action(
        actor_id=b_admin.id,
        action="note",
        subject_type="user",
        subject_id=b_pupil,
        subject_label="Broadland Log Entry",
        school_id=None,
    )
    await make_user("apupil", Role.pupil, "aylsham-high", first_name="Amy")
    await make_user("ateacher", Role.teacher, "aylsham-high", first_name="Alan")
    return {
        "live_idea": live_idea,
        "pending_idea": pending_idea,
        "thread": thread,
        "pending_post": pending_post[0]["id"],
        "group": group,
        "ballot": ballot["id"],
        "option": option["id"],
        "round": pitch_round["id"],
        "class": b_class["id"],
        "pupil": b_pupil,
        "teacher": b_teacher.id,
    }


def _aylsham():
    return make_client(f"http://{AYLSHAM_HOST}", cluster_routing="host")


def _none_of_broadland(text: str, where: str) -> None:
    for words in B_WORDS:
        assert words not in text, f"{words!r} shown on {where}"


PAGES = {
    None: ["/coop", "/coop/apply"],
    "apupil": ["/ideas", "/forum", "/coop", "/pitch", "/transition", "/notifications"],
    "ateacher": ["/ideas", "/forum", "/moderation", "/moderation/log", "/pupils", "/classes"],
    "admin": [
        "/ideas",
        "/ideas?school={reepham}",
        "/forum",
        "/coop",
        "/admin/coop",
        "/admin/coop/ballots",
        "/pitch",
        "/moderation",
        "/moderation?tab=flagged",
        "/moderation/log",
        "/pupils",
        "/pupils/new",
        "/classes",
        "/classes/rollover",
        "/admin/staff",
        "/transition",
    ],
}

PASSWORDS = {"admin": "aylsham-password-1"}


@pytest.mark.parametrize("who", list(PAGES))
async def test_aylsham_pages_show_nothing_of_broadland(apart, who) -> None:
    reepham = await school_id("reepham-high")
    async with _aylsham() as client:
        if who:
            await sign_in(client, who, PASSWORDS.get(who, "password-123"))
        for page in PAGES[who]:
            response = await client.get(page.format(reepham=reepham))
            assert response.status_code == 200, (page, response.status_code)
            _none_of_broadland(response.text, page)


def _id_pages(ids: dict[str, Any]) -> list[str]:
    return [
        f"/ideas/{ids['live_idea']}",
        f"/ideas/{ids['pending_idea']}",
        f"/forum/{ids['thread']}",
        f"/forum/posts/{ids['pending_post']}",
        f"/coop/votes/{ids['ballot']}",
        f"/pitch/rounds/{ids['round']}",
    ]


def _admin_id_pages(ids: dict[str, Any]) -> list[str]:
    reepham = ids["reepham"]
    return [
        *_id_pages(ids),
        f"/classes/{ids['class']}",
        f"/classes/{ids['class']}/print",
        f"/pupils/{ids['pupil']}/data/",
        f"/pupils/{ids['pupil']}/data/export",
        f"/pupils/{ids['pupil']}/new-password",
        f"/pupils?school={reepham}",
        f"/pupils/new?school={reepham}",
        f"/classes?school={reepham}",
        f"/classes/rollover?school={reepham}",
    ]


async def test_broadland_ids_are_not_found_in_aylsham(apart) -> None:
    ids = {**apart, "reepham": await school_id("reepham-high")}
    async with _aylsham() as visitor:  # a Broadland class's sign-in link, on Aylsham's host
        for page in (
            "/sign-in/reepham-high/badgers123/",
            f"/sign-in/reepham-high/badgers123/{ids['pupil']}",
        ):
            assert (await visitor.get(page)).status_code == 404, page
        await SchoolClass.update({SchoolClass.sign_in_kind: "picture"}).where(
            SchoolClass.id == ids["class"]
        )
        assert (await visitor.get("/sign-in/reepham-high/badgers123/")).status_code == 404
    async with _aylsham() as pupil:
        await sign_in(pupil, "apupil")
        for page in _id_pages(ids):
            assert (await pupil.get(page)).status_code == 404, page
    async with _aylsham() as admin:
        await sign_in(admin, "admin", "aylsham-password-1")
        for page in _admin_id_pages(ids):
            assert (await admin.get(page)).status_code == 404, page


async def test_aylsham_cannot_change_broadland_rows(apart) -> None:
    ids = apart
    async with _aylsham() as admin:
        await sign_in(admin, "admin", "aylsham-password-1")
        writes = [
            (f"/ideas/{ids['live_idea']}/reactions/like", {}),
            (f"/ideas/{ids['live_idea']}/comments", {"body": "Nice one from Aylsham."}),
            (f"/flag/idea/{ids['live_idea']}", {"reason": "Not nice."}),
            (f"/moderation/idea/{ids['pending_idea']}/approve", {}),
            (f"/moderation/forum/{ids['pending_post']}/approve", {}),
            (f"/forum/{ids['thread']}/replies", {"body": "A reply from Aylsham."}),
            (f"/admin/coop/groups/{ids['group']}/approve", {}),
            (f"/admin/coop/contacts/{ids['group']}/link", {}),
            (f"/admin/coop/ballots/{ids['ballot']}/close", {}),
            (f"/coop/votes/{ids['ballot']}", {"option": str(ids["option"])}),
            (f"/pitch/rounds/{ids['round']}/entries", {"item": "product:1"}),
            (f"/pupils/{ids['pupil']}/active", {"value": "off"}),
            (f"/pupils/{ids['pupil']}/reset", {}),
            (f"/pupils/{ids['pupil']}/data/erase", {"confirm": "bpupil"}),
            (f"/admin/staff/{ids['teacher']}/active", {"value": "off"}),
            (f"/admin/staff/{ids['teacher']}/reset", {}),
            (f"/classes/{ids['class']}/code", {}),
            (f"/classes/{ids['class']}/cards", {}),
            (f"/classes/{ids['class']}/members", {"pupil": str(ids["pupil"])}),
            (f"/pupils/{ids['pupil']}/unlock", {}),
            (f"/pupils/{ids['pupil']}/photo-consent", {"value": "on"}),
            (f"/classes/{ids['class']}/kind", {"sign_in_kind": "picture"}),
        ]
        for url, form in writes:
            response = await post_form(admin, url, form, follow_redirects=False)
            assert response.status_code == 404, (url, response.status_code)
        # a Broadland school in a form is not found either
        made = await post_form(
            admin,
            "/pupils/new",
            {"school": str(await school_id("reepham-high")), "class_list": "Ann Ash, 5"},
        )
        assert made.status_code == 404
    # nothing of Broadland's changed
    idea = await Idea.select(Idea.status).where(Idea.id == ids["pending_idea"]).first()
    assert idea["status"] == "pending"
    post = await ForumPost.select(ForumPost.status).where(ForumPost.id == ids["pending_post"])
    assert post[0]["status"] == "pending"
    group = await CommunityGroup.select(CommunityGroup.status).where(
        CommunityGroup.id == ids["group"]
    )
    assert group[0]["status"] == GroupStatus.pending
    ballot = await Ballot.select(Ballot.closed_early).where(Ballot.id == ids["ballot"])
    assert ballot[0]["closed_early"] is False
    pupil = await User.select(User.active).where(User.id == ids["pupil"]).first()
    teacher = await User.select(User.active).where(User.id == ids["teacher"]).first()
    assert pupil["active"] and teacher["active"]
    assert await ForumPost.count().where(ForumPost.thread == ids["thread"]) == 1
    assert await Idea.count().where(Idea.title == "Broadland Beehive Plan") == 1
    b_class = await SchoolClass.select(SchoolClass.code).where(SchoolClass.id == ids["class"])
    assert b_class[0]["code"] == "badgers123"


async def test_a_group_name_is_taken_per_cluster(apart) -> None:
    async with _aylsham() as visitor:
        await visitor.get("/coop/apply")
        sent = await post_form(
            visitor,
            "/coop/apply",
            {
                "name": "Broadland Choir",
                "contact_name": "Al",
                "contact_email": "al@example.org",
                "offers": "Songs for the summer market.",
            },
        )
    assert sent.status_code == 200, sent.text
    assert await CommunityGroup.count().where(CommunityGroup.name == "Broadland Choir") == 2


async def test_the_digest_and_badge_count_only_the_clusters_items(apart, two_clusters) -> None:
    from clustermarket.moderation.digest import waiting_for
    from clustermarket.moderation.queue import waiting_count

    admins = {
        r["cluster"]: r["id"]
        for r in await User.select(User.id, User.cluster).where(User.username == "admin")
    }
    aylsham = await _actor(admins[two_clusters["aylsham"]])
    broadland = await _actor(admins[two_clusters["broadland"]])
    b_teacher = await _actor(apart["teacher"])
    assert (await waiting_for(aylsham))["total"] == 0 and await waiting_count(aylsham) == 0
    # Broadland's admin: the adults' forum posts (the teacher's, their own); its teacher: the
    # pupil's idea
    assert (await waiting_for(broadland))["counts"] == {"idea": 1, "forum": 2}
    assert (await waiting_for(b_teacher))["counts"] == {"idea": 1}
    assert await waiting_count(broadland) == 3
