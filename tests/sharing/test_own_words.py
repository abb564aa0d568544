"""Pupils own their words: the author edits or withdraws their idea, comment or pitch
feedback while it waits, and edits it after approval (back to the teacher, while the cluster
keeps reading the approved words); nobody else can. Notifications open through a link that
marks them read."""

import asyncio
import datetime as dt
import re

from clustermarket.moderation.tables import ModerationLog
from clustermarket.sharing.tables import Comment, Idea, Notification, PitchFeedback, PitchRound
from clustermarket.timeutil import now
from tests.conftest import make_client, make_team, post_form
from tests.sharing.helpers import decide, live_product, post_idea, two_schools


async def log_actions() -> list[str]:
    return [r["action"] for r in await ModerationLog.select().order_by(ModerationLog.id)]


async def test_a_pupil_edits_a_waiting_idea_and_withdraws_another(client, people) -> None:
    await two_schools()
    amelia, taylor = await people("ameliab", "staylor")
    idea_id = await post_idea(amelia, title="Sell seed bombs", body="Clay and seeds.")

    page = await amelia.get(f"/ideas/{idea_id}")
    assert f'href="/ideas/{idea_id}/edit"' in page.text and "Change or withdraw" in page.text
    form = await amelia.get(f"/ideas/{idea_id}/edit")
    assert form.status_code == 200 and 'value="Sell seed bombs"' in form.text
    # A box left empty is answered on the page, with what she typed kept.
    empty = await post_form(
        amelia, f"/ideas/{idea_id}/edit", {"title": "Seed bombs for bees", "body": " "}
    )
    assert empty.status_code == 400 and "Please fill in" in empty.text
    assert 'value="Seed bombs for bees"' in empty.text
    edited = await post_form(
        amelia,
        f"/ideas/{idea_id}/edit",
        {"title": "Seed bombs for bees", "body": "Clay, compost and wildflower seeds."},
    )
    assert edited.status_code == 200 and "Sent to your teacher" in edited.text
    # The teacher reads the new words in the queue; approving publishes them.
    queue = await taylor.get("/moderation")
    assert "Seed bombs for bees" in queue.text and "Sell seed bombs" not in queue.text
    await decide(taylor, "idea", idea_id, "approve")
    row = await Idea.select().where(Idea.id == idea_id).first()
    assert (row["published_title"], row["status"]) == ("Seed bombs for bees", "approved")

    # A second idea, withdrawn while it waits: gone from the queue, and logged.
    other = await post_idea(amelia, title="Cake stall", body="Fairy cakes.")
    withdrawn = await post_form(amelia, f"/ideas/{other}/withdraw", {})
    assert withdrawn.status_code == 200 and "Withdrawn" in withdrawn.text
    assert not await Idea.exists().where(Idea.id == other)
    assert "Cake stall" not in (await taylor.get("/moderation")).text
    entry = await ModerationLog.select().where(ModerationLog.action == "withdraw").first()
    assert (entry["subject_type"], entry["subject_id"], entry["subject_label"]) == (
        "idea",
        other,
        "Cake stall",
    )


async def test_an_edit_after_approval_waits_while_the_cluster_keeps_the_approved_idea(
    client, people
) -> None:
    await two_schools()
    amelia, oliver, taylor = await people("ameliab", "oliverk", "staylor")
    idea_id = await post_idea(amelia, title="Sell seed bombs", body="Clay and seeds.")
    await decide(taylor, "idea", idea_id, "approve")

    await post_form(
        amelia, f"/ideas/{idea_id}/edit", {"title": "Sell bee bombs", "body": "Now with honey."}
    )
    # Oliver (another school) still reads the approved words, on the board and the page.
    for url in ("/ideas", f"/ideas/{idea_id}"):
        seen = (await oliver.get(url)).text
        assert "Sell seed bombs" in seen and "Clay and seeds." in seen, url
        assert "bee bombs" not in seen and "honey" not in seen, url
    # Amelia sees her change, and that it waits; the teacher sees both versions.
    mine = (await amelia.get(f"/ideas/{idea_id}")).text
    assert "Sell bee bombs" in mine and "Your change is waiting for your teacher" in mine
    edit_page = (await amelia.get(f"/ideas/{idea_id}/edit")).text
    assert "everyone else still sees the approved version" in edit_page
    assert "Sell seed bombs" in edit_page
    queue = (await taylor.get("/moderation")).text
    assert "Sell bee bombs" in queue and "The version live now" in queue

    # Sent back: the public copy stays; then approved: the new words are live.
    await decide(taylor, "idea", idea_id, "reject", "Bees do not make bombs.")
    assert "Sell seed bombs" in (await oliver.get(f"/ideas/{idea_id}")).text
    assert "Bees do not make bombs." in (await amelia.get(f"/ideas/{idea_id}")).text
    await post_form(
        amelia, f"/ideas/{idea_id}/edit", {"title": "Sell bee hotels", "body": "Canes in a tin."}
    )
    await decide(taylor, "idea", idea_id, "approve")
    seen = (await oliver.get(f"/ideas/{idea_id}")).text
    assert "Sell bee hotels" in seen and "Canes in a tin." in seen and "seed bombs" not in seen

    # Withdrawing a waiting change puts the approved words back for her too.
    await post_form(amelia, f"/ideas/{idea_id}/edit", {"title": "Oops", "body": "Typo."})
    answer = await post_form(amelia, f"/ideas/{idea_id}/withdraw", {})
    assert "the approved version stays" in answer.text
    row = await Idea.select().where(Idea.id == idea_id).first()
    assert (row["title"], row["status"], row["is_public"]) == ("Sell bee hotels", "approved", True)
    assert await log_actions() == ["approve", "reject", "approve", "withdraw"]


async def test_only_the_author_may_change_or_withdraw(client, people) -> None:
    await two_schools()
    team = await make_team(pupils=("ameliab",), name="Aylsham Makers")
    amelia, oliver, taylor = await people("ameliab", "oliverk", "staylor")
    idea_id = await post_idea(amelia)
    await decide(taylor, "idea", idea_id, "approve")
    await post_form(oliver, f"/ideas/{idea_id}/comments", {"body": "Lovely idea."})
    comment_id = (await Comment.select(Comment.id).first())["id"]
    entry_id, feedback_id = await _feedback(people, team, oliver)
    rows = {  # url -> (table, a form, its author)
        f"/ideas/{idea_id}": (Idea, {"title": "Mine now", "body": "Mine now"}, "ameliab"),
        f"/comments/{comment_id}": (Comment, {"body": "Mine now"}, "oliverk"),
        f"/pitch/feedback/{feedback_id}": (
            PitchFeedback,
            {"works_well": "Mine now", "even_better_if": "Mine now"},
            "oliverk",
        ),
    }
    tables = (Idea, Comment, PitchFeedback)
    before = [await table.select().order_by(table.id) for table in tables]
    # Another pupil, and a teacher of the author's school (the words stay the pupil's),
    # get a 404; a visitor is sent to sign in. Nothing changes.
    everyone = {"ameliab": amelia, "oliverk": oliver, "staylor": taylor}
    for url, (_, form, author) in rows.items():
        for name, other in everyone.items():
            if name == author:
                continue
            assert (await other.get(f"{url}/edit")).status_code == 404, (name, url)
            for action in ("edit", "withdraw"):
                answer = await post_form(other, f"{url}/{action}", form)
                assert answer.status_code == 404, (name, url, action)
    async with make_client() as visitor:
        for url, (_, form, _) in rows.items():
            answer = await visitor.get(f"{url}/edit", follow_redirects=False)
            assert answer.status_code in (302, 303) and "/login" in answer.headers["location"]
            for action in ("edit", "withdraw"):  # a form post: 401, "please sign in"
                answer = await post_form(visitor, f"{url}/{action}", form)
                assert answer.status_code == 401, (url, action)
    assert [await table.select().order_by(table.id) for table in tables] == before
    assert entry_id


async def _feedback(people, team, oliver) -> tuple[int, int]:
    """Oliver's (Buxton) pitch feedback on a product of Amelia's team, waiting."""
    admin, taylor = await people("admin", "staylor")
    product_id = await live_product(taylor, team)
    closes = (now() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    await post_form(admin, "/pitch/rounds", {"title": "December pitch", "closes_at": closes})
    round_id = (await PitchRound.select(PitchRound.id).first())["id"]
    amelia = (await people("ameliab"))[0]
    response = await post_form(
        amelia,
        f"/pitch/rounds/{round_id}/entries",
        {"item": f"product:{product_id}", "question": "Is the price right?"},
        follow_redirects=False,
    )
    entry_id = int(response.headers["location"].rsplit("/", 1)[1])
    await post_form(
        oliver,
        f"/pitch/entries/{entry_id}/feedback",
        {"works_well": "I like the way it smells", "even_better_if": "it came in two sizes"},
    )
    return entry_id, (await PitchFeedback.select(PitchFeedback.id).first())["id"]


async def test_comments_and_pitch_feedback_are_edited_like_ideas(client, people) -> None:
    await two_schools()
    team = await make_team(pupils=("ameliab",), name="Aylsham Makers")
    amelia, oliver, smith = await people("ameliab", "oliverk", "jsmith")
    taylor = (await people("staylor"))[0]
    idea_id = await post_idea(amelia)
    await decide(taylor, "idea", idea_id, "approve")

    # Oliver's comment: edited while it waits, approved, edited again: Amelia keeps the
    # approved words until his teacher approves the change.
    await post_form(oliver, f"/ideas/{idea_id}/comments", {"body": "Brill!!"})
    comment_id = (await Comment.select(Comment.id).first())["id"]
    assert f'href="/comments/{comment_id}/edit"' in (await oliver.get(f"/ideas/{idea_id}")).text
    await post_form(oliver, f"/comments/{comment_id}/edit", {"body": "I like the wildflowers."})
    await decide(smith, "comment", comment_id, "approve")
    await post_form(oliver, f"/comments/{comment_id}/edit", {"body": "I love the wildflowers."})
    seen = (await amelia.get(f"/ideas/{idea_id}")).text
    assert "I like the wildflowers." in seen and "I love" not in seen
    assert "I love the wildflowers." in (await oliver.get(f"/ideas/{idea_id}")).text
    await decide(smith, "comment", comment_id, "approve")
    assert "I love the wildflowers." in (await amelia.get(f"/ideas/{idea_id}")).text

    # His pitch feedback: the team reads the approved boxes while his change waits.
    entry_id, feedback_id = await _feedback(people, team, oliver)
    own = (await oliver.get(f"/pitch/entries/{entry_id}")).text
    assert f'href="/pitch/feedback/{feedback_id}/edit"' in own
    await decide(smith, "feedback", feedback_id, "approve")
    await post_form(
        oliver,
        f"/pitch/feedback/{feedback_id}/edit",
        {"works_well": "I like the way it glows", "even_better_if": "it was cheaper"},
    )
    team_page = (await amelia.get(f"/pitch/entries/{entry_id}")).text
    assert "I like the way it smells" in team_page and "it came in two sizes" in team_page
    assert "glows" not in team_page and "cheaper" not in team_page
    assert (await PitchFeedback.select(PitchFeedback.status).first())["status"] == "pending"
    # ...and he withdraws the change: the approved feedback stays, logged.
    await post_form(oliver, f"/pitch/feedback/{feedback_id}/withdraw", {})
    row = await PitchFeedback.select().first()
    assert (row["works_well"], row["status"]) == ("I like the way it smells", "approved")
    assert "withdraw" in await log_actions()
    # Once the round has closed, the feedback stays as it is.
    await PitchRound.update({PitchRound.closes_at: now() - dt.timedelta(minutes=1)}).where(
        PitchRound.id > 0
    )
    closed = await post_form(
        oliver,
        f"/pitch/feedback/{feedback_id}/edit",
        {"works_well": "Late", "even_better_if": "Late"},
    )
    assert closed.status_code == 400 and "has closed" in closed.text

    # A waiting comment withdrawn: deleted, out of the queue.
    await post_form(oliver, f"/ideas/{idea_id}/comments", {"body": "Second thoughts."})
    second = (await Comment.select(Comment.id).order_by(Comment.id, ascending=False).first())["id"]
    assert "Second thoughts." in (await smith.get("/moderation")).text
    await post_form(oliver, f"/comments/{second}/withdraw", {})
    assert not await Comment.exists().where(Comment.id == second)
    assert "Second thoughts." not in (await smith.get("/moderation")).text


async def test_a_teachers_own_edit_is_live_at_once(client, people) -> None:
    await two_schools()
    taylor, oliver = await people("staylor", "oliverk")
    idea_id = await post_idea(taylor, title="Shared stall rota", tag="enterprise")
    await post_form(taylor, f"/ideas/{idea_id}/edit", {"title": "Shared stall", "body": "Rota."})
    seen = (await oliver.get(f"/ideas/{idea_id}")).text
    assert "Shared stall" in seen and "Rota." in seen
    assert await log_actions() == ["publish_own", "publish_own"]


async def test_a_notification_links_to_its_subject_and_is_read_when_opened(client, people) -> None:
    await two_schools()
    amelia, taylor = await people("ameliab", "staylor")
    idea_id = await post_idea(amelia)
    await decide(taylor, "idea", idea_id, "reject", "Say who would buy them.")
    await post_form(amelia, f"/ideas/{idea_id}/edit", {"title": "Seed bombs", "body": "For PTA."})
    await decide(taylor, "idea", idea_id, "approve")

    listing = await amelia.get("/notifications")
    links = re.findall(r'href="(/notifications/(\d+)/open)"', listing.text)
    assert len(links) == 2 and "Say who would buy them." in listing.text
    assert await Notification.count().where(Notification.read == False) == 2
    # The newest (approved) goes to the idea; the sent-back one to her edit page.
    approved, sent_back = links
    opened = await amelia.get(approved[0], follow_redirects=False)
    assert opened.status_code in (302, 303) and opened.headers["location"] == f"/ideas/{idea_id}"
    assert (await Notification.select().where(Notification.id == int(approved[1])).first())["read"]
    opened = await amelia.get(sent_back[0], follow_redirects=False)
    assert opened.headers["location"] == f"/ideas/{idea_id}/edit"
    assert await Notification.count().where(Notification.read == False) == 0
    # Someone else's notification: not found, and stays unread.
    await Notification.update({Notification.read: False}).where(Notification.id > 0)
    assert (await taylor.get(approved[0], follow_redirects=False)).status_code == 404
    assert await Notification.count().where(Notification.read == False) == 2
    # A link that is not a path on this site is never followed.
    await Notification.update({Notification.link: "//evil.example/x"}).where(
        Notification.id == int(approved[1])
    )
    opened = await amelia.get(approved[0], follow_redirects=False)
    assert opened.headers["location"] == "/notifications"
    # "Mark all as read".
    await post_form(amelia, "/notifications/read", {})
    assert await Notification.count().where(Notification.read == False) == 0


async def test_a_teacher_approves_only_the_words_they_read(client, people) -> None:
    """The pupil changes her idea after the teacher opened the queue: approving what the
    teacher read is refused, so the change is never published unread."""
    await two_schools()
    amelia, taylor = await people("ameliab", "staylor")
    idea_id = await post_idea(amelia, title="Sell seed bombs", body="Clay and seeds.")
    queue = (await taylor.get("/moderation")).text
    version = re.search(r'name="version" value="(\d+)"', queue).group(1)
    await post_form(
        amelia, f"/ideas/{idea_id}/edit", {"title": "Sell bath bombs", "body": "Changed."}
    )
    stale = await post_form(
        taylor,
        f"/moderation/idea/{idea_id}/approve",
        {"version": version},
        headers={"HX-Request": "true"},
    )
    assert stale.status_code == 400 and "after you opened the page" in stale.text
    # Sending it back is refused the same way, keeping the feedback typed.
    stale = await post_form(
        taylor,
        f"/moderation/idea/{idea_id}/reject",
        {"version": version, "feedback": "Which seeds?"},
        headers={"HX-Request": "true"},
    )
    assert stale.status_code == 400 and "after you opened the page" in stale.text
    assert "Which seeds?" in stale.text
    row = await Idea.select().where(Idea.id == idea_id).first()
    assert (row["status"], row["is_public"], row["published_title"]) == ("pending", False, "")
    # Unchanged words after approval are not sent again.
    await decide(taylor, "idea", idea_id, "approve")
    same = await post_form(
        amelia, f"/ideas/{idea_id}/edit", {"title": "Sell bath bombs", "body": "Changed."}
    )
    assert same.status_code == 400 and "Nothing was changed" in same.text


async def test_an_approval_and_an_edit_at_the_same_moment_never_publish_unread_words(
    client, people
) -> None:
    """The teacher approves while the pupil's edit is on its way: whichever lands first, the
    cluster only ever reads the words the teacher read, and the new words wait."""
    await two_schools()
    amelia, taylor = await people("ameliab", "staylor")
    ideas = [await post_idea(amelia, title=f"Seed bombs {n}", body="Clay.") for n in range(6)]
    queue = (await taylor.get("/moderation")).text
    found = r'action="/moderation/idea/(\d+)/approve".*?name="version" value="(\d+)"'
    versions = {int(i): v for i, v in re.findall(found, queue, re.S)}
    for n, idea_id in enumerate(ideas):
        action = "approve" if n < 3 else "reject"  # a sent-back idea is changed the same way
        approve = post_form(
            taylor,
            f"/moderation/idea/{idea_id}/{action}",
            {"version": versions[idea_id], "feedback": "Say what the bombs are made of."},
            headers={"HX-Request": "true"},
        )
        edit = post_form(
            amelia, f"/ideas/{idea_id}/edit", {"title": f"Bath bombs {n}", "body": "New."}
        )
        answers = await asyncio.gather(*([approve, edit] if n % 2 else [edit, approve]))
        assert all(a.status_code < 500 for a in answers)
        row = await Idea.select().where(Idea.id == idea_id).first()
        # The new words always wait for the teacher; anything public is what was read.
        assert (row["title"], row["status"]) == (f"Bath bombs {n}", "pending")
        assert row["published_title"] in ("", f"Seed bombs {n}")
        assert row["is_public"] == (row["published_title"] == f"Seed bombs {n}")
