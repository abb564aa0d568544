"""Community groups apply from a public page linked from every footer and the co-op page;
a name that matches a group already there is refused (also when sent at the same moment);
the admin decides; an approved group's contact becomes a community member and chooses a
password through a one-time link."""

import asyncio
import re
import sqlite3

import asyncpg
import pytest

from clustermarket.accounts.tables import Role, User
from clustermarket.coop.services import apply_as_group, name_key
from clustermarket.coop.tables import CommunityGroup, WelcomeLink
from clustermarket.timeutil import now
from tests.conftest import make_client, make_user, post_form, seeded_cluster, sign_in
from tests.sharing.helpers import two_schools

APPLICATION = {
    "name": "Aylsham Allotment Society",
    "contact_name": "Pat Green",
    "contact_email": "pat@allotments.example",
    "offers": "Seedlings for the eco groups and a talk on composting.",
}


async def test_the_application_page_is_linked_from_the_footer_and_the_coop_page(client) -> None:
    for page in ("/", "/coop", "/schools"):
        assert 'href="/coop/apply"' in (await client.get(page)).text, page


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
    approved = await post_form(admin, f"/admin/coop/groups/{group_id}/approve", {})
    # No mail server: the admin is shown the contact's one-time link to pass on.
    assert approved.status_code == 200 and "username <strong>pat</strong>" in approved.text
    link = re.search(r'value="https?://[^/"]+(/coop/welcome/[^"]+)"', approved.text).group(1)
    assert (await CommunityGroup.select(CommunityGroup.status).first())["status"] == "approved"
    contact = await User.select().where(User.username == "pat").first()
    assert contact["role"] == Role.community and contact["email"] == "pat@allotments.example"
    assert (contact["first_name"], contact["last_name"]) == ("Pat", "Green")
    again = await post_form(admin, f"/admin/coop/groups/{group_id}/decline", {})
    assert again.status_code == 409 and "already decided" in again.text
    assert "member account <strong>pat</strong>" in (await admin.get("/admin/coop")).text

    async with make_client() as pat:
        welcome = await pat.get(link)
        assert (
            welcome.status_code == 200 and "Your username is <strong>pat</strong>" in welcome.text
        )
        short = await post_form(pat, link, {"password": "short", "password_again": "short"})
        assert short.status_code == 400 and "at least 10 characters" in short.text
        differ = {"password": "compost-heap-42", "password_again": "compost-heap-24"}
        assert "not the same" in (await post_form(pat, link, differ)).text
        chosen = {"password": "compost-heap-42", "password_again": "compost-heap-42"}
        set_it = await post_form(pat, link, chosen, follow_redirects=False)
        assert set_it.status_code == 302 and set_it.headers["location"] == "/login"
        await sign_in(pat, "pat", "compost-heap-42")
        assert "Ballots" in (await pat.get("/coop")).text  # a member: the ballots show
        used = await pat.get(link)
        assert "used already" in used.text
        assert (await post_form(pat, link, chosen)).status_code == 400


async def test_a_new_link_replaces_the_old_and_a_link_expires(people) -> None:
    await two_schools()
    group_id = await apply_as_group(**APPLICATION, cluster_id=await seeded_cluster())
    [admin] = await people("admin")
    first = await post_form(admin, f"/admin/coop/groups/{group_id}/approve", {})
    old = re.search(r"(/coop/welcome/[^\"]+)\"", first.text).group(1)
    fresh = await post_form(admin, f"/admin/coop/contacts/{group_id}/link", {})
    new = re.search(r"(/coop/welcome/[^\"]+)\"", fresh.text).group(1)
    async with make_client() as pat:
        assert "not valid" in (await pat.get(old)).text
        assert "Choose a password" in (await pat.get(new)).text
        await WelcomeLink.update({WelcomeLink.expires_at: now()}).where(
            WelcomeLink.used_at.is_null()
        )
        assert "expired" in (await pat.get(new)).text
        assert "not valid" in (await pat.get("/coop/welcome/made-up-token-0123456789")).text


async def test_a_parents_existing_account_becomes_the_groups_contact(people) -> None:
    await two_schools()
    await make_user("jpatel", role=Role.community, school=None, first_name="Jaya")
    await User.update({User.email: "Jaya@Example.org"}).where(User.username == "jpatel")
    group_id = await apply_as_group(
        "Aylsham Book Club",
        "Jaya Patel",
        "jaya@example.org",
        "Reading buddies for Year 2.",
        cluster_id=await seeded_cluster(),
    )
    [admin] = await people("admin")
    done = await post_form(admin, f"/admin/coop/groups/{group_id}/approve", {})
    assert done.status_code == 200 and "contact is member jpatel" in done.text
    assert await User.count().where(User.role == Role.community) == 1
    assert await WelcomeLink.count() == 0  # she has a password already


async def test_a_name_matching_an_existing_group_is_refused_keeping_what_was_typed(
    client,
) -> None:
    await post_form(client, "/coop/apply", APPLICATION)
    again = {
        **APPLICATION,
        "name": "  aylsham ALLOTMENT-society! ",
        "contact_name": "Sam Hill",
        "offers": "We grow vegetables for the school kitchens.",
    }
    refused = await post_form(client, "/coop/apply", again)
    assert refused.status_code == 400
    assert "A group called “Aylsham Allotment Society” has already applied" in refused.text
    assert "aylsham ALLOTMENT-society!" in refused.text and "Sam Hill" in refused.text
    assert "grow vegetables for the school kitchens" in refused.text
    assert await CommunityGroup.count() == 1
    assert name_key("Aylsham Allotment Society") == name_key("aylsham  allotment—society")

    # A declined group no longer holds its name: it may apply again.
    await CommunityGroup.update({CommunityGroup.status: "declined"}).where(CommunityGroup.id > 0)
    assert (await post_form(client, "/coop/apply", again)).status_code == 200
    assert await CommunityGroup.count() == 2


async def test_applications_sent_at_the_same_moment_let_one_group_in(client) -> None:
    spellings = ["Aylsham Allotment Society", "aylsham allotment society", "AYLSHAM ALLOTMENTS"]
    spellings += ["Aylsham Allotment-Society", "aylsham allotment society.", "Aylsham  Allotment"]
    await client.get("/")
    answers = await asyncio.gather(
        *[post_form(client, "/coop/apply", {**APPLICATION, "name": n}) for n in spellings[:2]],
        *[post_form(client, "/coop/apply", {**APPLICATION, "name": spellings[3]})] * 4,
    )
    assert sorted(a.status_code for a in answers) == [200, 400, 400, 400, 400, 400]
    assert await CommunityGroup.count() == 1
    # The database refuses it too, whatever the code in front of it.
    with pytest.raises((sqlite3.IntegrityError, asyncpg.UniqueViolationError)):
        await CommunityGroup.insert(
            CommunityGroup(
                cluster=await seeded_cluster(),
                name="x",
                name_key=name_key(spellings[4]),
                contact_name="x",
                contact_email="x@example.org",
                offers="x",
                created_at=now(),
            )
        )
    # The service, called in parallel, too.
    here = await seeded_cluster()
    choir = ("Market Town Choir", "Sam", "s@example.org", "Songs.")
    results = await asyncio.gather(
        *[apply_as_group(*choir, cluster_id=here) for _ in range(5)],
        return_exceptions=True,
    )
    assert sum(isinstance(r, int) for r in results) == 1
    assert all(isinstance(r, ValueError) for r in results if not isinstance(r, int))
