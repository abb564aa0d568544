"""The ideas board across two schools: pupil posts and comments wait for a teacher of the
author's own school; the receiving school's teacher can hide what was said to its pupils."""

from clustermarket.moderation.tables import ModerationLog
from clustermarket.sharing.tables import Comment, Idea, Reaction
from tests.conftest import QueryCounter, post_form, school_id
from tests.sharing.helpers import decide, post_idea, two_schools


async def test_a_post_and_a_comment_go_through_moderation_across_two_schools(
    client, people
) -> None:
    await two_schools()
    amelia, oliver = await people("ameliab", "oliverk")
    taylor, smith = await people("staylor", "jsmith")

    # Amelia's idea waits for her own teacher; only she sees it.
    idea_id = await post_idea(amelia)
    page = await amelia.get(f"/ideas/{idea_id}")
    assert "Waiting for your teacher" in page.text and "Sell seed bombs" in page.text
    assert "Sell seed bombs" not in (await oliver.get("/ideas")).text
    assert (await oliver.get(f"/ideas/{idea_id}")).status_code == 404
    assert "Sell seed bombs" not in (await smith.get("/moderation")).text
    refused = await decide(smith, "idea", idea_id, "approve")
    assert refused.status_code == 404  # another school's teacher cannot approve it

    queue = await taylor.get("/moderation")
    assert "Sell seed bombs" in queue.text and "Brown" not in queue.text
    approved = await decide(taylor, "idea", idea_id, "approve")
    assert approved.status_code == 200 and "the cluster can see it now" in approved.text
    board = await oliver.get("/ideas")
    assert "Sell seed bombs" in board.text and "Amelia B." in board.text
    assert "Brown" not in board.text
    assert "was approved" in (await amelia.get("/notifications")).text

    # Oliver's comment waits for HIS teacher, who sends it back with feedback.
    response = await post_form(oliver, f"/ideas/{idea_id}/comments", {"body": "Brill idea!!"})
    assert "Sent to your teacher" in response.text
    comment_id = (await Comment.select(Comment.id).first())["id"]
    assert "Brill idea" not in (await amelia.get(f"/ideas/{idea_id}")).text
    assert "Brill idea" not in (await taylor.get("/moderation")).text
    assert (await decide(taylor, "comment", comment_id, "approve")).status_code == 404
    rejected = await decide(smith, "comment", comment_id, "reject", "Say what you like about it.")
    assert "Sent back with your feedback" in rejected.text
    notes = await oliver.get("/notifications")
    assert "Say what you like about it." in notes.text
    assert "Say what you like about it." in (await oliver.get(f"/ideas/{idea_id}")).text

    await post_form(oliver, f"/ideas/{idea_id}/comments", {"body": "I like the wildflowers."})
    second = (await Comment.select(Comment.id).order_by(Comment.id, ascending=False).first())["id"]
    await decide(smith, "comment", second, "approve")
    page = await amelia.get(f"/ideas/{idea_id}")
    assert "I like the wildflowers." in page.text and "Oliver K." in page.text
    assert "King" not in page.text and "Brill idea" not in page.text
    assert "New comment on your idea" in (await amelia.get("/notifications")).text

    # Amelia's teacher sees what was said to her pupils, and hides it.
    live = await taylor.get("/moderation?tab=live")
    assert "I like the wildflowers." in live.text
    hidden = await decide(taylor, "comment", second, "hide", "Not needed")
    assert hidden.status_code == 200 and "Hidden." in hidden.text
    assert "I like the wildflowers." not in (await amelia.get(f"/ideas/{idea_id}")).text
    # ...but only the author's school may put it back.
    assert (await decide(taylor, "comment", second, "restore")).status_code == 404
    assert (await decide(smith, "comment", second, "restore")).status_code == 200

    actions = [r["action"] for r in await ModerationLog.select().order_by(ModerationLog.id)]
    assert actions == ["approve", "reject", "approve", "hide", "restore"]


async def test_teachers_post_at_once_and_a_reaction_toggles(client, people) -> None:
    await two_schools()
    taylor, oliver = await people("staylor", "oliverk")
    idea_id = await post_idea(taylor, title="Shared stall rota", tag="enterprise")
    assert (await Idea.select(Idea.is_public).first())["is_public"] is True
    assert "Shared stall rota" in (await oliver.get("/ideas")).text

    url = f"/ideas/{idea_id}/reactions/like"
    on = await post_form(oliver, url, {}, headers={"HX-Request": "true"})
    assert on.status_code == 200 and "<html" not in on.text
    assert 'aria-pressed="true"' in on.text and '<span class="count">1</span>' in on.text
    assert await Reaction.count() == 1
    off = await post_form(oliver, url, {}, headers={"HX-Request": "true"})
    assert 'aria-pressed="true"' not in off.text and await Reaction.count() == 0
    # Without JavaScript: a plain post, then back to the idea.
    plain = await post_form(oliver, url, {}, follow_redirects=False)
    assert plain.status_code == 302 and await Reaction.count() == 1
    # Ideas are not edited after sending: no team photo or submit routes for them.
    for path in (f"/ideas/{idea_id}/photos", f"/ideas/{idea_id}/submit"):
        assert (await post_form(oliver, path, {})).status_code in (404, 405)
    bad = await post_form(oliver, f"/ideas/{idea_id}/reactions/angry", {})
    assert "not one of ours" in bad.text and await Reaction.count() == 1


async def test_filters_orders_and_the_word_filter(client, people) -> None:
    await two_schools()
    taylor, smith, amelia = await people("staylor", "jsmith", "ameliab")
    await post_idea(taylor, title="Quiet idea", tag="general")
    busy = await post_idea(smith, title="Busy idea", tag="eco")
    await post_idea(taylor, title="Newest idea", tag="enterprise")
    for text in ("One", "Two"):
        await post_form(taylor, f"/ideas/{busy}/comments", {"body": text})
    newest = (await amelia.get("/ideas")).text
    assert newest.index("Newest idea") < newest.index("Busy idea") < newest.index("Quiet idea")
    discussed = (await amelia.get("/ideas?order=discussed")).text
    assert discussed.index("Busy idea") < discussed.index("Newest idea")
    eco = await amelia.get("/ideas?tag=eco", headers={"HX-Request": "true"})
    assert "Busy idea" in eco.text and "Quiet idea" not in eco.text and "<html" not in eco.text
    buxton = await amelia.get(f"/ideas?school={await school_id('buxton')}")
    assert "Busy idea" in buxton.text and "Quiet idea" not in buxton.text

    rude = await post_form(
        amelia, "/ideas/new", {"title": "Sh1t idea", "body": "My long text", "tag": "eco"}
    )
    assert rude.status_code == 400 and "Please change" in rude.text
    assert "My long text" in rude.text  # nothing typed is lost
    empty = await post_form(amelia, "/ideas/new", {"title": "", "body": "x", "tag": "eco"})
    assert empty.status_code == 400 and "Please write the title" in empty.text
    assert await Idea.count() == 3


async def test_the_board_uses_a_constant_number_of_queries(client, people) -> None:
    await two_schools()
    taylor, oliver = await people("staylor", "oliverk")

    async def count_board() -> int:
        with QueryCounter() as counter:
            page = await oliver.get("/ideas?order=discussed")
        assert page.status_code == 200
        return counter.count

    for n in range(2):
        idea = await post_idea(taylor, title=f"Idea {n}")
        await post_form(taylor, f"/ideas/{idea}/comments", {"body": "Yes"})
        await post_form(oliver, f"/ideas/{idea}/reactions/like", {})
    few = await count_board()
    for n in range(2, 12):
        idea = await post_idea(taylor, title=f"Idea {n}")
        await post_form(taylor, f"/ideas/{idea}/comments", {"body": "Yes"})
        await post_form(oliver, f"/ideas/{idea}/reactions/clever", {})
    assert await count_board() == few


async def test_signed_out_visitors_are_sent_to_sign_in(client, people) -> None:
    await two_schools()
    [taylor] = await people("staylor")
    idea_id = await post_idea(taylor)
    for path in (
        "/ideas",
        f"/ideas/{idea_id}",
        "/ideas/new",
        "/pitch",
        "/pitch/rounds/1",
        "/notifications",
        "/notifications/badge",
        "/feedback/product/1",
        "/flag/idea/1",
        "/coop/votes/1",
    ):
        response = await client.get(path, follow_redirects=False)
        assert response.status_code == 302, path
        assert response.headers["location"].startswith("/login?next="), path
    posted = await post_form(client, f"/ideas/{idea_id}/comments", {"body": "Hi"})
    assert posted.status_code == 401 and await Comment.count() == 0
    assert "Sell seed bombs" not in (await client.get("/")).text
