"""Transition days: Aylsham High invites Year 6 pupils of other schools to follow a team; they
see its projects and give pitch feedback before they move."""

from __future__ import annotations

import datetime as dt

from clustermarket.accounts.tables import Role, User
from clustermarket.moderation.content import PROJECT
from clustermarket.moderation.services import submit_for_approval
from clustermarket.moderation.tables import ModerationLog
from clustermarket.projects.services import create_project
from clustermarket.sharing.pitch import add_entry, open_round
from clustermarket.sharing.tables import PitchFeedback
from clustermarket.timeutil import UK, now
from tests.conftest import as_user, make_client, make_team, make_user, post_form, sign_in


async def high_team_with_a_pitch() -> dict:
    team = await make_team(school="aylsham-high", teacher="staylor", pupils=("ameliab",))
    teacher = await as_user("staylor")
    project_id = await create_project(
        teacher, team, {"title": "Tote bags", "summary": "Printed by us.", "body": "Lino prints."}
    )
    await submit_for_approval(teacher, PROJECT, project_id)  # a teacher's own goes live
    await make_user("admin", role=Role.admin, school=None)
    closes = (now() + dt.timedelta(days=3)).astimezone(UK).strftime("%Y-%m-%dT%H:%M")
    round_id = await open_round(await as_user("admin"), title="Spring market", closes_at=closes)
    entry = await add_entry(teacher, round_id, f"project:{project_id}", "Would you buy one?")
    return {"team": team, "entry": entry}


async def year_6(username: str, school: str, year: int = 6) -> int:
    pupil_id = await make_user(username, school=school, first_name=username.title())
    await User.update({User.year_group: year}).where(User.id == pupil_id)
    return pupil_id


async def test_a_year_6_pupil_follows_a_high_team_and_gives_pitch_feedback(client) -> None:
    found = await high_team_with_a_pitch()
    harry = await year_6("harryp", "erpingham")
    await year_6("noahw", "bure-valley")
    await year_6("freyas", "erpingham", year=5)

    await sign_in(client, "staylor")
    page = await client.get("/transition")
    assert "Harryp P., Erpingham" in page.text and "Noahw P., Bure Valley" in page.text
    assert "Freyas" not in page.text  # Year 5: not yet
    await post_form(
        client, "/transition/invite", {"team": str(found["team"]["id"]), "pupil": str(harry)}
    )
    assert await ModerationLog.exists().where(ModerationLog.action == "transition.invite")

    async with make_client() as pupil:
        await sign_in(pupil, "harryp")
        mine = await pupil.get("/transition")
        assert "Aylsham Makers" in mine.text and "Tote bags" in mine.text
        assert f"/pitch/entries/{found['entry']}" in mine.text
        sent = await post_form(
            pupil,
            f"/pitch/entries/{found['entry']}/feedback",
            {"works_well": "Bright colours", "even_better_if": "A zip"},
            follow_redirects=False,
        )
        assert sent.status_code == 302
    assert await PitchFeedback.count() == 1

    async with make_client() as other:
        await sign_in(other, "noahw")
        theirs = await other.get("/transition")
        assert "Aylsham Makers" not in theirs.text and "do not follow" in theirs.text


async def test_only_aylsham_high_staff_invite(client) -> None:
    found = await high_team_with_a_pitch()
    harry = await year_6("harryp", "erpingham")
    await make_user("pshah", role=Role.teacher, school="erpingham")
    await sign_in(client, "pshah")
    page = await client.get("/transition")
    assert "Aylsham High School's teachers invite" in page.text and "Harryp" not in page.text
    response = await post_form(
        client, "/transition/invite", {"team": str(found["team"]["id"]), "pupil": str(harry)}
    )
    assert response.status_code == 404
