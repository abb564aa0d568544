"""Flags reach the author's school's queue as one entry; three reporters hide at once.
Comments on other schools' products, and the notification badge."""

from clustermarket.accounts.tables import Role
from clustermarket.moderation.tables import ModerationLog
from clustermarket.sharing.tables import Comment, Flag, Idea
from tests.conftest import make_client, make_team, make_user, post_form
from tests.sharing.helpers import decide, live_product, post_idea, two_schools


async def flag(client, kind: str, content_id: int, reason: str = "Not kind"):
    return await post_form(
        client, f"/flag/{kind}/{content_id}", {"reason": reason, "back": "/ideas"}
    )


async def test_a_flag_leads_to_a_hide_and_the_reporter_is_told(client, people) -> None:
    await two_schools()
    oliver, taylor, smith = await people("oliverk", "staylor", "jsmith")
    idea_id = await post_idea(taylor, title="Bake sale every week")

    empty = await flag(oliver, "idea", idea_id, "  ")
    assert empty.status_code == 400 and "what is wrong" in empty.text
    assert "Thank you" in (await flag(oliver, "idea", idea_id, "Too much sugar")).text
    await flag(oliver, "idea", idea_id, "Really too much sugar")  # again: still one entry
    assert await Flag.count() == 1

    flagged = await taylor.get("/moderation?tab=flagged")
    assert (
        flagged.text.count('class="card mod-item" id="mod-idea-') == 1
        and "Flagged by 1 person" in flagged.text
    )
    assert "Really too much sugar" in flagged.text
    assert "Bake sale" not in (await smith.get("/moderation?tab=flagged")).text
    badge = await taylor.get("/notifications/badge", headers={"HX-Request": "true"})
    assert '<span class="badge">1' in badge.text and "<html" not in badge.text
    assert 'hx-trigger="every 60s"' in badge.text  # the answer polls; it does not reload at once
    # A page carries the same count (web/badge.py) and polls from then on.
    assert badge.text.strip() in (await taylor.get("/ideas")).text

    hidden = await decide(taylor, "idea", idea_id, "hide", "Fair point")
    assert hidden.status_code == 200
    assert "Bake sale" not in (await oliver.get("/ideas")).text
    assert "looked at the idea and hid it" in (await oliver.get("/notifications")).text
    assert await Flag.count() == 1 and (await Flag.select(Flag.handled).first())["handled"]


async def test_three_different_reporters_hide_an_item_until_a_teacher_decides(
    client, people
) -> None:
    await two_schools()
    await make_user("parent1", role=Role.community, school=None)
    amelia, taylor = await people("ameliab", "staylor")
    idea_id = await post_idea(taylor, title="Phones at the stall")
    reporters = await people("ameliab", "oliverk", "parent1")
    for index, reporter in enumerate(reporters):
        await flag(reporter, "idea", idea_id, f"Reason {index}")
        expected_public = index < 2
        assert (await Idea.select(Idea.is_public).first())["is_public"] is expected_public
    assert "Phones at the stall" not in (await amelia.get("/ideas")).text
    log = await ModerationLog.select().where(ModerationLog.action == "auto_hide")
    assert len(log) == 1 and log[0]["actor"] is None

    queue = await taylor.get("/moderation?tab=flagged")
    assert "Flagged by 3 people" in queue.text and "hidden until you decide" in queue.text
    restored = await decide(taylor, "idea", idea_id, "restore")
    assert "Restored" in restored.text
    assert "Phones at the stall" in (await amelia.get("/ideas")).text
    assert "kept it" in (await reporters[1].get("/notifications")).text
    assert "Phones" not in (await taylor.get("/moderation?tab=flagged")).text


async def test_feedback_on_another_schools_product(client, people) -> None:
    await two_schools()
    team = await make_team(pupils=("ameliab",), name="Aylsham Makers")
    taylor, amelia = await people("staylor", "ameliab")
    oliver, smith = await people("oliverk", "jsmith")
    product_id = await live_product(taylor, team)
    url = f"/feedback/product/{product_id}"

    own = await post_form(amelia, url, {"body": "Ours is great"})
    assert own.status_code == 400 and "other schools" in own.text
    product_page = await oliver.get(f"/products/{product_id}")
    assert url in product_page.text  # signed-in users find the comments from the product
    await post_form(oliver, url, {"body": "Lovely smell, good price"})
    comment_id = (await Comment.select(Comment.id).first())["id"]
    assert "Lovely smell" not in (await amelia.get(url)).text
    await decide(smith, "comment", comment_id, "approve")
    page = await amelia.get(url)
    assert "Lovely smell, good price" in page.text and "Oliver K." in page.text
    assert "New comment on your product" in (await amelia.get("/notifications")).text

    # The receiving school's teacher sees it and can hide it.
    assert "Lovely smell" in (await taylor.get("/moderation?tab=live")).text
    await decide(taylor, "comment", comment_id, "hide", "Let us talk in class")
    assert "Lovely smell" not in (await amelia.get(url)).text

    # A listing can be reported too: it reaches the team's school's queue.
    await post_form(oliver, f"/flag/product/{product_id}", {"reason": "Looks like a brand"})
    flagged = await taylor.get("/moderation?tab=flagged")
    assert f'id="mod-product-{product_id}"' in flagged.text and "Looks like a brand" in flagged.text
    assert "Looks like a brand" not in (await smith.get("/moderation?tab=flagged")).text

    async with make_client() as visitor:
        assert url not in (await visitor.get(f"/products/{product_id}")).text
        assert (await visitor.get(url, follow_redirects=False)).status_code == 302
