"""Community groups apply from a public page; the admin decides. Members vote once per
idea put to a vote; results only after the vote closes."""

import datetime as dt

from clustermarket.coop.tables import Ballot, CommunityGroup, Vote
from clustermarket.timeutil import UK, now
from tests.conftest import make_client, post_form
from tests.sharing.helpers import post_idea, two_schools

APPLICATION = {
    "name": "Aylsham Allotment Society",
    "contact_name": "Pat Green",
    "contact_email": "pat@allotments.example",
    "offers": "Seedlings for the eco groups and a talk on composting.",
}


async def test_a_community_group_applies_and_the_admin_approves(client, people) -> None:
    await two_schools()
    page = await client.get("/coop/apply")
    assert page.status_code == 200 and 'name="_csrf_token"' in page.text
    bad = await post_form(client, "/coop/apply", {**APPLICATION, "contact_email": "pat at home"})
    assert bad.status_code == 400 and "Please give an e-mail address" in bad.text
    assert "Aylsham Allotment Society" in bad.text and "a talk on composting" in bad.text
    assert await CommunityGroup.count() == 0
    no_token = await client.post("/coop/apply", data=APPLICATION)
    assert no_token.status_code == 403
    done = await post_form(client, "/coop/apply", APPLICATION)
    assert done.status_code == 200 and "We have your application" in done.text

    [teacher] = await people("staylor")
    assert (await teacher.get("/admin/coop")).status_code == 403
    [admin] = await people("admin")
    assert "Aylsham Allotment Society" in (await admin.get("/admin/coop")).text
    group_id = (await CommunityGroup.select(CommunityGroup.id).first())["id"]
    await post_form(admin, f"/admin/coop/groups/{group_id}/approve", {})
    assert (await CommunityGroup.select(CommunityGroup.status).first())["status"] == "approved"
    again = await post_form(admin, f"/admin/coop/groups/{group_id}/decline", {})
    assert "already decided" in again.text


async def test_one_member_one_vote_and_results_after_closing(client, people) -> None:
    await two_schools()
    admin, taylor, amelia = await people("admin", "staylor", "ameliab")
    idea_id = await post_idea(taylor, title="A cluster compost scheme")
    closes = (now() + dt.timedelta(days=2)).astimezone(UK).strftime("%Y-%m-%dT%H:%M")
    opened = await post_form(
        admin,
        "/admin/coop/votes",
        {"idea": str(idea_id), "question": "", "closes_at": closes},
        follow_redirects=False,
    )
    assert opened.status_code == 302
    ballot_id = (await Ballot.select(Ballot.id).first())["id"]
    url = f"/coop/votes/{ballot_id}"

    assert "Yes" in (await amelia.get(url)).text
    await post_form(amelia, url, {"choice": "yes"})
    second = await post_form(amelia, url, {"choice": "no"})
    assert second.status_code == 400 and "already voted" in second.text
    await post_form(taylor, url, {"choice": "no"})
    assert await Vote.count() == 2
    mine = await amelia.get(url)
    assert "You voted <strong>yes</strong>" in mine.text and "results-title" not in mine.text

    await Ballot.update({Ballot.closes_at: now() - dt.timedelta(minutes=1)}).where(
        Ballot.id == ballot_id
    )
    results = await amelia.get(url)
    assert "results-title" in results.text
    assert "<strong>1</strong> yes" in results.text and "<strong>1</strong> no" in results.text
    late = await post_form(admin, url, {"choice": "yes"})
    assert late.status_code == 400 and "closed" in late.text

    async with make_client() as visitor:
        assert (await visitor.get(url, follow_redirects=False)).status_code == 302
        public = await visitor.get("/coop")
        assert "Apply as a community group" in public.text and "compost" not in public.text
