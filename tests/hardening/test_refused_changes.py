"""A change that is refused (someone else's row, or not allowed) answers 404 or 4xx with its
reason, never the redirect of a success, and changes nothing."""

from clustermarket.accounts.tables import Role, User
from clustermarket.coop.tables import CommunityGroup, GroupStatus
from clustermarket.media.tables import Photo
from clustermarket.projects.tables import ImpactTally
from clustermarket.sharing.tables import Reaction
from clustermarket.teams.tables import TeamMember
from clustermarket.timeutil import now
from tests.conftest import make_client, make_team, make_user, png_bytes, post_form, sign_in
from tests.publishing.test_moderation_journey import pupil_drafts_product, upload
from tests.publishing.test_projects_and_public_site import new_project
from tests.sharing.helpers import post_idea, two_schools


async def test_adding_a_pupil_of_another_school_is_refused_with_a_reason(client) -> None:
    team = await make_team(pupils=())
    outsider = await make_user("noahw", school="bure-valley")
    await sign_in(client, "staylor")
    response = await post_form(
        client,
        f"/teams/{team['id']}/members",
        {"user": str(outsider), "role": "member"},
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert "Choose a pupil or teacher of this school." in response.text
    assert not await TeamMember.exists().where(TeamMember.user == outsider)


async def test_removing_another_teams_member_through_this_team_is_not_found(client) -> None:
    ours = await make_team(pupils=("ameliab",))
    theirs = await make_team(pupils=("harryp",), name="Litter Pickers")
    their_member = (
        await TeamMember.select(TeamMember.id)
        .where((TeamMember.team == theirs["id"]) & (TeamMember.role == "member"))
        .first()
    )
    await sign_in(client, "staylor")
    response = await post_form(
        client,
        f"/teams/{ours['id']}/members/{their_member['id']}/remove",
        {},
        follow_redirects=False,
    )
    assert response.status_code == 404
    assert await TeamMember.exists().where(TeamMember.id == their_member["id"])


async def test_removing_a_photo_through_another_teams_product_is_not_found(client) -> None:
    ours = await make_team(pupils=("ameliab",))
    theirs = await make_team(pupils=("harryp",), name="Litter Pickers")
    await sign_in(client, "ameliab")
    our_product = await pupil_drafts_product(client, ours)
    async with make_client() as harry:
        await sign_in(harry, "harryp")
        their_product = await pupil_drafts_product(harry, theirs)
        assert (await upload(harry, their_product, png_bytes())).status_code == 200
    photo = await Photo.select(Photo.id).where(Photo.owner_id == their_product).first()
    response = await post_form(
        client,
        f"/products/{our_product}/photos/{photo['id']}/remove",
        {},
        follow_redirects=False,
    )
    assert response.status_code == 404
    kept = await Photo.select(Photo.in_draft).where(Photo.id == photo["id"]).first()
    assert kept == {"in_draft": True}


async def test_removing_a_tally_through_another_project_is_not_found(client) -> None:
    ours = await make_team(pupils=("ameliab",), kind="eco")
    theirs = await make_team(pupils=("harryp",), kind="eco", name="Litter Pickers")
    await sign_in(client, "ameliab")
    our_project = await new_project(client, ours)
    async with make_client() as harry:
        await sign_in(harry, "harryp")
        their_project = await new_project(harry, theirs, title="Litter picks")
        await post_form(
            harry,
            f"/projects/{their_project}/tallies",
            {"quantity": "12", "unit": "bags", "label": "collected"},
        )
    tally = (
        await ImpactTally.select(ImpactTally.id).where(ImpactTally.project == their_project).first()
    )
    response = await post_form(
        client,
        f"/projects/{our_project}/tallies/{tally['id']}/remove",
        {},
        follow_redirects=False,
    )
    assert response.status_code == 404
    # Their draft tally is still there (it used to be deleted through our URL).
    assert await ImpactTally.exists().where(ImpactTally.id == tally["id"])


async def test_deciding_a_group_twice_is_a_conflict(client) -> None:
    admin = await make_user("admin", role=Role.admin, school=None)
    [mine] = await User.select(User.cluster).where(User.id == admin)
    rows = await CommunityGroup.insert(
        CommunityGroup(
            cluster=mine["cluster"],
            name="Aylsham Allotment Society",
            contact_name="Pat",
            contact_email="pat@example.org",
            offers="Growing things.",
            status=GroupStatus.approved,
            created_at=now(),
        )
    ).returning(CommunityGroup.id)
    await sign_in(client, "admin")
    response = await post_form(
        client, f"/admin/coop/groups/{rows[0]['id']}/decline", {}, follow_redirects=False
    )
    assert response.status_code == 409 and "already decided" in response.text
    assert (await CommunityGroup.select(CommunityGroup.status).first())["status"] == "approved"


async def test_an_unknown_reaction_and_deactivating_oneself_are_refused(client) -> None:
    await two_schools()
    await sign_in(client, "ameliab")
    idea_id = await post_idea(client)
    async with make_client() as admin:
        await sign_in(admin, "admin")
        await post_form(admin, f"/moderation/idea/{idea_id}/approve", {})
        bad = await post_form(client, f"/ideas/{idea_id}/reactions/angry", {})
        assert bad.status_code == 400 and "not one of ours" in bad.text
        assert await Reaction.count() == 0
        admin_id = (await User.select(User.id).where(User.username == "admin").first())["id"]
        own = await post_form(admin, f"/admin/staff/{admin_id}/active", {"value": "off"})
        assert own.status_code == 400 and "cannot deactivate your own" in own.text
        assert (await User.select(User.active).where(User.id == admin_id).first())["active"]
