"""The members' forum as its members meet it: threads and replies that other members see only
once moderated (a pupil's by their teacher, an adult's by the cluster admin), the author's own
post marked as waiting, rejected posts never shown, every decision in the moderation log, and
the forum closed to visitors and non-members."""

from __future__ import annotations

import re

from clustermarket.accounts.tables import Role, User
from clustermarket.forum.services import PAGE_SIZE, start_thread
from clustermarket.forum.tables import ForumPost, ForumThread
from clustermarket.moderation.tables import ModerationLog
from tests.conftest import QueryCounter, as_user, make_client, make_user, post_form, sign_in
from tests.sharing.helpers import decide, two_schools
from tests.sharing.test_moderation_queue import put_in_class


async def new_thread(client, title="Stall ideas for December", body="What sells best?") -> int:
    response = await post_form(
        client, "/forum/new", {"title": title, "body": body}, follow_redirects=False
    )
    assert response.status_code == 302, response.text
    return int(re.search(r"/forum/(\d+)", response.headers["location"]).group(1))


async def reply(client, thread_id: int, body: str):
    return await post_form(
        client, f"/forum/{thread_id}/replies", {"body": body}, follow_redirects=False
    )


async def post_id_of(body: str) -> int:
    return (await ForumPost.select(ForumPost.id).where(ForumPost.body == body).first())["id"]


async def log_rows(post_id: int) -> list[tuple[str, str]]:
    rows = (
        await ModerationLog.select(ModerationLog.action, ModerationLog.actor.username)
        .where((ModerationLog.subject_type == "forum") & (ModerationLog.subject_id == post_id))
        .order_by(ModerationLog.id)
    )
    return [(r["action"], r["actor.username"]) for r in rows]


async def forum_members() -> None:
    """The sharing stories' two schools, and a parent with a community account."""
    await two_schools()
    await make_user(
        "jpatel", role=Role.community, school=None, first_name="Jaya", last_name="Patel"
    )


async def test_an_adults_thread_waits_for_the_admin_then_members_read_it(people):
    await forum_members()
    taylor, jsmith, admin, amelia = await people("staylor", "jsmith", "admin", "ameliab")
    thread_id = await new_thread(taylor)
    [opening] = await ForumPost.select().where(ForumPost.thread == thread_id)
    assert opening["school"] is None and opening["status"] == "pending"

    # Only the author sees it meanwhile, marked as waiting; no teacher's queue has it.
    mine = await taylor.get(f"/forum/{thread_id}")
    assert "Waiting for the cluster admin" in mine.text
    assert (await amelia.get(f"/forum/{thread_id}")).status_code == 404
    assert "Stall ideas for December" not in (await amelia.get("/forum")).text
    for teacher in (taylor, jsmith):
        assert f"mod-forum-{opening['id']}" not in (await teacher.get("/moderation")).text
    queue = await admin.get("/moderation?kind=forum")
    assert f"mod-forum-{opening['id']}" in queue.text
    assert "New forum thread: Stall ideas for December" in queue.text
    assert "Sarah T. (staff)" in queue.text

    # A teacher cannot decide it; the admin approves it.
    assert (await decide(taylor, "forum", opening["id"], "approve")).status_code == 404
    assert (await decide(admin, "forum", opening["id"], "approve")).status_code == 200
    listing = await amelia.get("/forum")
    assert "Stall ideas for December" in listing.text and "Sarah T." in listing.text
    page = await amelia.get(f"/forum/{thread_id}")
    assert "What sells best?" in page.text and "Waiting" not in page.text
    assert await log_rows(opening["id"]) == [("approve", "admin")]


async def test_a_pupils_reply_waits_for_their_teacher_and_is_invisible_until_approved(people):
    await forum_members()
    await put_in_class("ameliab", "Otters", 5)
    admin, taylor, jsmith, amelia, oliver, jaya = await people(
        "admin", "staylor", "jsmith", "ameliab", "oliverk", "jpatel"
    )
    thread_id = await new_thread(admin, title="Welcome to the forum", body="Say hello!")
    response = await reply(amelia, thread_id, "Hello from the Otters")
    assert response.status_code == 302
    post_id = await post_id_of("Hello from the Otters")

    # The author sees it marked; the other members do not see it at all.
    assert "Waiting for a teacher" in (await amelia.get(f"/forum/{thread_id}")).text
    for other in (oliver, jaya, jsmith, taylor, admin):
        assert "Hello from the Otters" not in (await other.get(f"/forum/{thread_id}")).text

    # Mrs Taylor's queue has it with its context; Buxton's teacher cannot decide it.
    queue = await taylor.get("/moderation?kind=forum")
    item = queue.text.split(f'id="mod-forum-{post_id}"')[1].split("</article>")[0]
    assert "Amelia B. (Year 5 Otters)" in item and "Brown" not in item
    assert "Aylsham High" in item
    assert f'href="/forum/{thread_id}">Welcome to the forum</a>' in item
    assert f"mod-forum-{post_id}" not in (await jsmith.get("/moderation")).text
    assert (await decide(jsmith, "forum", post_id, "approve")).status_code == 404

    assert (await decide(taylor, "forum", post_id, "approve")).status_code == 200
    seen = await oliver.get(f"/forum/{thread_id}")
    assert "Hello from the Otters" in seen.text
    assert "Amelia B." in seen.text and "Brown" not in seen.text and "Otters ·" not in seen.text
    assert await log_rows(post_id) == [("approve", "staylor")]
    # The author is told, with a link to the post in its thread.
    located = await amelia.get(f"/forum/posts/{post_id}", follow_redirects=False)
    assert located.headers["location"] == f"/forum/{thread_id}#post-{post_id}"


async def test_a_community_members_post_goes_to_the_admin_not_a_teacher(people):
    await forum_members()
    admin, jaya, taylor = await people("admin", "jpatel", "staylor")
    thread_id = await new_thread(admin, title="Ideas for the summer fair", body="Any thoughts?")
    assert (await reply(jaya, thread_id, "A plant stall, please")).status_code == 302
    post_id = await post_id_of("A plant stall, please")
    assert f"mod-forum-{post_id}" not in (await taylor.get("/moderation")).text
    queue = await admin.get("/moderation")
    item = queue.text.split(f'id="mod-forum-{post_id}"')[1].split("</article>")[0]
    assert "Jaya P." in item and "the cluster admin decides" in item
    assert (await decide(admin, "forum", post_id, "approve")).status_code == 200
    assert "A plant stall, please" in (await taylor.get(f"/forum/{thread_id}")).text


async def test_a_rejected_post_is_never_shown_to_others_and_the_author_reads_why(people):
    await forum_members()
    admin, taylor, amelia, oliver = await people("admin", "staylor", "ameliab", "oliverk")
    thread_id = await new_thread(admin, title="Litter pick", body="Who is coming?")
    await reply(amelia, thread_id, "My brother's phone number is 01263 000000")
    post_id = await post_id_of("My brother's phone number is 01263 000000")
    feedback = "Please never share phone numbers here."
    assert (await decide(taylor, "forum", post_id, "reject", feedback)).status_code == 200

    for other in (oliver, taylor, admin):
        assert "01263" not in (await other.get(f"/forum/{thread_id}")).text
        assert (await other.get(f"/forum/posts/{post_id}")).status_code == 404
    own = await amelia.get(f"/forum/{thread_id}")
    assert "Not published" in own.text and "never share phone numbers" in own.text
    assert "0 replies" in (await oliver.get("/forum")).text
    assert await log_rows(post_id) == [("reject", "staylor")]
    [entry] = await ModerationLog.select().where(ModerationLog.subject_id == post_id)
    assert entry["reason"] == feedback


async def test_a_hidden_thread_takes_its_replies_with_it(people):
    await forum_members()
    admin, taylor, amelia, oliver = await people("admin", "staylor", "ameliab", "oliverk")
    thread_id = await new_thread(amelia, title="Our school trip", body="We went to the coast")
    opening = await post_id_of("We went to the coast")
    await decide(taylor, "forum", opening, "approve")
    assert "Our school trip" in (await oliver.get("/forum")).text
    assert (await decide(taylor, "forum", opening, "hide", "Names a place")).status_code == 200
    assert "Our school trip" not in (await oliver.get("/forum")).text
    assert (await oliver.get(f"/forum/{thread_id}")).status_code == 404
    response = await reply(oliver, thread_id, "Sounds fun")
    assert response.status_code == 404
    assert [a for a, _ in await log_rows(opening)] == ["approve", "hide"]
    own = await amelia.get("/forum")
    assert "Our school trip" in own.text and "Not published" in own.text
    assert "Hidden by a moderator" in (await amelia.get(f"/forum/{thread_id}")).text


async def test_the_admins_own_post_is_live_at_once_and_logged(people):
    await forum_members()
    admin, jaya = await people("admin", "jpatel")
    thread_id = await new_thread(admin, title="Co-op meeting", body="Tuesday at 7 in the hall")
    assert "Tuesday at 7" in (await jaya.get(f"/forum/{thread_id}")).text
    opening = await post_id_of("Tuesday at 7 in the hall")
    assert await log_rows(opening) == [("publish_own", "admin")]


async def test_the_word_filter_keeps_what_was_typed_and_stores_nothing(people):
    await forum_members()
    admin, amelia, jaya = await people("admin", "ameliab", "jpatel")
    response = await post_form(
        amelia, "/forum/new", {"title": "Our stall", "body": "This is shit and bad"}
    )
    assert response.status_code == 400
    assert "Please change" in response.text and "This is shit and bad" in response.text
    assert 'value="Our stall"' in response.text
    thread_id = await new_thread(admin, title="Open thread", body="Anything goes")
    refused = await reply(jaya, thread_id, "What a load of shit")
    assert refused.status_code == 400 and "What a load of shit" in refused.text
    assert await ForumThread.count() == 1 and await ForumPost.count() == 1
    empty = await post_form(amelia, "/forum/new", {"title": "", "body": ""})
    assert empty.status_code == 400 and "title" in empty.text


async def test_visitors_and_non_members_are_refused(people):
    await forum_members()
    [admin] = await people("admin")
    thread_id = await new_thread(admin, title="Members only", body="Not for the public")
    async with make_client() as visitor:
        for url in ("/forum", "/forum/new", f"/forum/{thread_id}"):
            response = await visitor.get(url, follow_redirects=False)
            assert response.status_code in (302, 303) and "/login" in response.headers["location"]
        posted = await post_form(visitor, "/forum/new", {"title": "Hello", "body": "Hi there"})
        assert posted.status_code in (401, 403)
        posted = await post_form(visitor, f"/forum/{thread_id}/replies", {"body": "Hi there"})
        assert posted.status_code in (401, 403)
    # An account outside the co-op's member roles (none is made today, but the rule holds).
    await make_user("guest1", role=Role.community, school=None)
    await User.update({User.role: "guest"}).where(User.username == "guest1")
    async with make_client() as guest:
        await sign_in(guest, "guest1")
        assert (await guest.get("/forum")).status_code == 403
        assert (await guest.get(f"/forum/{thread_id}")).status_code == 403
        posted = await post_form(guest, f"/forum/{thread_id}/replies", {"body": "Hi there"})
        assert posted.status_code == 403
    assert await ForumPost.count() == 1


async def test_threads_come_newest_activity_first_a_page_at_a_time(people):
    await forum_members()
    admin, oliver, jaya = await people("admin", "oliverk", "jpatel")
    actor = await as_user("admin")
    ids = [await start_thread(actor, f"Thread number {n}", "Body") for n in range(PAGE_SIZE + 5)]
    await new_thread(jaya, title="Waiting thread")  # not counted for Oliver: not live yet
    first = await oliver.get("/forum")
    assert f"{PAGE_SIZE + 5} threads" in first.text and "page 1 of 2" in first.text
    titles = re.findall(r'<a href="/forum/\d+">([^<]+)</a>', first.text)
    assert len(titles) == PAGE_SIZE and titles[0] == f"Thread number {PAGE_SIZE + 4}"
    second = await oliver.get("/forum?page=2")
    assert len(re.findall(r'<a href="/forum/\d+">', second.text)) == 5
    assert "Thread number 0" in second.text and "Waiting thread" not in second.text
    own = await jaya.get("/forum")
    assert "Waiting thread" in own.text and "Waiting for approval" in own.text

    # A reply to the oldest thread brings it to the top.
    await reply(admin, ids[0], "Bumping this one")
    top = re.findall(r'<a href="/forum/\d+">([^<]+)</a>', (await oliver.get("/forum")).text)
    assert top[0] == "Thread number 0"
    # htmx asks for the list alone; a page past the end shows the last one.
    fragment = await oliver.get("/forum?page=2", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "page 2 of 2" in fragment.text
    assert "page 2 of 2" in (await oliver.get("/forum?page=99")).text

    with QueryCounter() as few:
        await oliver.get("/forum")
    with QueryCounter() as same:
        await oliver.get("/forum?page=2")
    assert few.count == same.count


async def test_authors_are_told_and_members_can_report_a_post(people):
    await forum_members()
    admin, jaya, amelia, oliver, taylor = await people(
        "admin", "jpatel", "ameliab", "oliverk", "staylor"
    )
    thread_id = await new_thread(admin, title="Market music", body="Buskers, yes or no?")
    await reply(jaya, thread_id, "Yes, a brass band")
    jaya_post = await post_id_of("Yes, a brass band")
    await decide(admin, "forum", jaya_post, "reject", "Please say more about who would play.")
    told = await jaya.get("/notifications")
    assert "The cluster admin sent back your forum post" in told.text
    await reply(amelia, thread_id, "Our choir could sing")
    amelia_post = await post_id_of("Our choir could sing")
    await decide(taylor, "forum", amelia_post, "approve")
    told = await amelia.get("/notifications")
    assert "Your forum post" in told.text
    # The list links through `/notifications/<id>/open`, which goes on to the post.
    opened = re.search(r'href="(/notifications/\d+/open)"', told.text).group(1)
    went = await amelia.get(opened, follow_redirects=False)
    assert went.headers["location"] == f"/forum/posts/{amelia_post}"

    # Three members report it: it is hidden at once, logged, and the teacher decides.
    for reporter in (oliver, jaya, admin):
        response = await post_form(
            reporter,
            f"/flag/forum/{amelia_post}",
            {"reason": "Not kind", "back": f"/forum/{thread_id}"},
            follow_redirects=False,
        )
        assert response.status_code == 302
    assert "Our choir could sing" not in (await oliver.get(f"/forum/{thread_id}")).text
    assert [a for a, _ in await log_rows(amelia_post)] == ["approve", "auto_hide"]
    flagged = await taylor.get("/moderation?tab=flagged&kind=forum")
    assert f"mod-forum-{amelia_post}" in flagged.text


async def test_the_coop_page_leads_to_the_forum(client):
    page = await client.get("/coop")
    assert 'href="/forum"' in page.text
