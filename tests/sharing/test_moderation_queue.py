"""A teacher clears the queue knowing who wrote each item and what it answers, filters it by
kind and class, approves several at once (all or nothing, each logged); the admin sees how
long items wait at each school."""

from __future__ import annotations

import datetime as dt
import re

from clustermarket.accounts.tables import SchoolClass, User
from clustermarket.moderation.tables import ModerationLog
from clustermarket.moderation.waits import wait_text
from clustermarket.sharing.tables import Comment, Idea, PitchFeedback
from clustermarket.timeutil import now
from tests.conftest import QueryCounter, make_team, make_user, post_form, school_id
from tests.publishing.test_images import jpeg_with_gps
from tests.publishing.test_moderation_journey import upload
from tests.sharing.helpers import decide, post_idea, two_schools
from tests.sharing.test_pitch_rounds import in_uk


async def put_in_class(username: str, name: str, year: int, school: str = "aylsham-high") -> int:
    [row] = await SchoolClass.insert(
        SchoolClass(
            school=await school_id(school),
            name=name,
            year_group=year,
            sign_in_kind="password",
            code=f"code{name.lower()}",
            created_at=now(),
        )
    ).returning(SchoolClass.id)
    await User.update({User.school_class: row["id"]}).where(User.username == username)
    return row["id"]


async def buxton_product_with_photo(jsmith) -> int:
    """Buxton Bees' live product, with a published photo."""
    team = await make_team(
        school="buxton", teacher="jsmith", pupils=("oliverk",), name="Buxton Bees"
    )
    response = await post_form(
        jsmith,
        f"/teams/{team['id']}/products/new",
        {"name": "Honey soap", "description": "Soap.", "price": "3.00", "unit_cost": "1.00"},
        follow_redirects=False,
    )
    product_id = int(re.search(r"/products/(\d+)/edit", response.headers["location"]).group(1))
    await upload(jsmith, product_id, jpeg_with_gps())
    await post_form(jsmith, f"/products/{product_id}/submit", {})
    return product_id


async def queue_story(people):
    """Amelia (Year 5 Otters, Aylsham) sends an idea, a comment on Oliver's idea, feedback on
    Buxton's product and pitch feedback on it: four items waiting for Mrs Taylor."""
    await two_schools()
    otters = await put_in_class("ameliab", "Otters", 5)
    admin, taylor, jsmith, amelia, oliver = await people(
        "admin", "staylor", "jsmith", "ameliab", "oliverk"
    )
    product_id = await buxton_product_with_photo(jsmith)
    oliver_idea = await post_idea(oliver, title="Bee hotels")
    await decide(jsmith, "idea", oliver_idea, "approve")
    await post_form(admin, "/pitch/rounds", {"title": "December pitch", "closes_at": in_uk(48)})
    round_page = await oliver.get("/pitch")
    round_id = int(re.search(r"/pitch/rounds/(\d+)", round_page.text).group(1))
    entry = await post_form(
        oliver,
        f"/pitch/rounds/{round_id}/entries",
        {"item": f"product:{product_id}"},
        follow_redirects=False,
    )
    entry_url = entry.headers["location"]

    await post_idea(amelia, title="Seed bombs")
    await post_form(amelia, f"/ideas/{oliver_idea}/comments", {"body": "Use bamboo canes"})
    await post_form(amelia, f"/feedback/product/{product_id}", {"body": "It smells lovely"})
    await post_form(
        amelia, f"{entry_url}/feedback", {"works_well": "The colour", "even_better_if": "Bigger"}
    )
    return {
        "taylor": taylor,
        "admin": admin,
        "jsmith": jsmith,
        "amelia": amelia,
        "oliver": oliver,
        "product_id": product_id,
        "oliver_idea": oliver_idea,
        "entry_url": entry_url,
        "otters": otters,
    }


def ids_in(page: str, kind: str) -> set[int]:
    return {int(n) for n in re.findall(rf'id="mod-{kind}-(\d+)"', page)}


async def test_every_item_shows_its_author_class_and_what_it_answers(people) -> None:
    story = await queue_story(people)
    page = (await story["taylor"].get("/moderation")).text

    assert page.count("Amelia B. (Year 5 Otters)") == 4
    assert "Brown" not in page  # first name and last initial only
    assert f'href="/ideas/{story["oliver_idea"]}">Bee hotels</a> by' not in page  # no team
    assert re.search(rf'the idea <a href="/ideas/{story["oliver_idea"]}">Bee hotels</a>', page)
    product = rf'<a href="/products/{story["product_id"]}">Honey soap</a> by Buxton Bees'
    assert re.search(r"the product " + product, page)
    assert re.search(
        rf'pitch entry \(product\) <a href="{story["entry_url"]}">Honey soap</a>', page
    )
    # the answered product's photo, inline, captioned by its description
    assert page.count('<img src="/media/') == 2 and 'alt="A candle in a jar"' in page
    assert "Select for approval" in page and "Approve selected" in page
    live = (await story["taylor"].get("/moderation?tab=live")).text
    assert "Select for approval" not in live and "Approve selected" not in live


async def test_the_queue_costs_the_same_queries_for_four_items_or_eight(people) -> None:
    story = await queue_story(people)
    taylor, amelia = story["taylor"], story["amelia"]
    await taylor.get("/moderation")
    with QueryCounter() as four:
        page = await taylor.get("/moderation")
    assert page.text.count('class="card mod-item"') == 4

    await post_idea(amelia, title="Apple juice")
    await post_form(amelia, f"/ideas/{story['oliver_idea']}/comments", {"body": "Great idea"})
    await post_form(amelia, f"/feedback/product/{story['product_id']}", {"body": "Nice box"})
    await post_form(
        amelia,
        f"{story['entry_url']}/feedback",
        {"works_well": "Price", "even_better_if": "Ribbon"},
    )
    await taylor.get("/moderation")  # as for four: the header's count read once after a change
    with QueryCounter() as eight:
        page = await taylor.get("/moderation")
    assert page.text.count('class="card mod-item"') == 8
    assert eight.count == four.count


async def test_filters_by_kind_and_by_class(people) -> None:
    story = await queue_story(people)
    await make_user("noahw", first_name="Noah", last_name="White")
    await put_in_class("noahw", "Hedgehogs", 3)
    [noah] = await people("noahw")
    noah_idea = await post_idea(noah, title="Bird boxes")
    taylor = story["taylor"]

    everything = (await taylor.get("/moderation")).text
    assert noah_idea in ids_in(everything, "idea") and "Noah W. (Year 3 Hedgehogs)" in everything
    assert '<option value="' + str(story["otters"]) + '"' in everything

    otters = (await taylor.get(f"/moderation?class_id={story['otters']}")).text
    assert noah_idea not in ids_in(otters, "idea") and len(ids_in(otters, "idea")) == 1
    assert len(ids_in(otters, "comment")) == 2 and len(ids_in(otters, "feedback")) == 1

    ideas = (await taylor.get("/moderation?kind=idea")).text
    assert ids_in(ideas, "comment") == set() and len(ids_in(ideas, "idea")) == 2

    both = (await taylor.get(f"/moderation?kind=idea&class_id={story['otters']}")).text
    assert noah_idea not in ids_in(both, "idea") and len(ids_in(both, "idea")) == 1
    # nonsense filters are ignored, never a 500
    odd = await taylor.get("/moderation?kind=nope&class_id=abc")
    assert odd.status_code == 200 and len(ids_in(odd.text, "idea")) == 2


async def ticked(page: str) -> list[str]:
    return re.findall(r'name="selected" value="([^"]+)"', page)


async def test_a_teacher_approves_several_at_once_each_logged(people) -> None:
    story = await queue_story(people)
    taylor, oliver = story["taylor"], story["oliver"]
    page = (await taylor.get("/moderation")).text
    picks = (await ticked(page))[:3]
    assert len(picks) == 3

    done = await post_form(taylor, "/moderation/approve-selected", {"selected": picks})
    assert "Approved 3 items" in done.text
    approved = [p.split(":")[:2] for p in picks]
    log = await ModerationLog.select().where(ModerationLog.action == "approve")
    mine = {(r["subject_type"], str(r["subject_id"])) for r in log} - {
        ("idea", str(story["oliver_idea"]))
    }
    assert mine == {tuple(p) for p in approved}  # one log row each
    left = (await taylor.get("/moderation")).text
    assert len(await ticked(left)) == 1
    # what was approved is seen by the cluster now
    assert "Use bamboo canes" in (await oliver.get(f"/ideas/{story['oliver_idea']}")).text

    nothing = await post_form(taylor, "/moderation/approve-selected", {})
    assert "Tick the items you want to approve first" in nothing.text


async def test_an_item_the_teacher_may_not_moderate_refuses_the_whole_batch(people) -> None:
    story = await queue_story(people)
    taylor, oliver = story["taylor"], story["oliver"]
    await post_form(oliver, f"/ideas/{story['oliver_idea']}/comments", {"body": "Thanks all"})
    olivers = (await Comment.select().where(Comment.body == "Thanks all").first())["id"]
    picks = await ticked((await taylor.get("/moderation")).text)
    log_before = await ModerationLog.count()

    refused = await post_form(
        taylor, "/moderation/approve-selected", {"selected": [*picks, f"comment:{olivers}:"]}
    )
    assert f"You may not approve comment #{olivers}" in refused.text
    assert "Nothing was approved" in refused.text
    assert await ModerationLog.count() == log_before
    assert await Idea.count().where(Idea.status == "approved") == 1  # only Oliver's
    assert await PitchFeedback.count().where(PitchFeedback.status == "approved") == 0

    # a stale version (the item was sent again after the page was drawn) refuses it all too
    stale = [*picks[:-1], picks[-1].rsplit(":", 1)[0] + ":123"]
    changed = await post_form(taylor, "/moderation/approve-selected", {"selected": stale})
    assert "changed or was dealt with" in changed.text and "Nothing was approved" in changed.text
    assert await ModerationLog.count() == log_before
    garbled = await post_form(taylor, "/moderation/approve-selected", {"selected": ["x:y"]})
    assert garbled.status_code == 200 and "not understood" in garbled.text


async def test_the_admin_sees_median_and_longest_wait_per_school(people) -> None:
    story = await queue_story(people)
    ago = now() - dt.timedelta(seconds=20)
    for minutes, title in ((60, "One"), (180, "Three"), (48 * 60, "Days")):
        idea_id = await post_idea(story["amelia"], title=title)
        await Idea.update({Idea.submitted_at: ago - dt.timedelta(minutes=minutes)}).where(
            Idea.id == idea_id
        )
    # Amelia's four story items were sent just now: Aylsham waits are 0, 0, 0, 0, 1 h, 3 h, 2 days
    await post_idea(story["oliver"], title="Hives")

    page = (await story["admin"].get("/moderation")).text
    assert "How long items wait" in page
    rows = re.findall(
        r'<tr><th scope="row">([^<]+)</th><td>(\d+)</td><td>([^<]+)</td><td>([^<]+)</td>', page
    )
    assert rows[0] == ("Aylsham High School", "7", "0 min", "2 days 0 h")
    assert rows[1] == ("Buxton Primary School", "1", "0 min", "0 min")
    assert "How long items wait" not in (await story["taylor"].get("/moderation")).text


def test_waits_read_as_days_hours_and_minutes() -> None:
    assert wait_text(dt.timedelta(minutes=12, seconds=59)) == "12 min"
    assert wait_text(dt.timedelta(hours=5, minutes=12)) == "5 h 12 min"
    assert wait_text(dt.timedelta(days=1, hours=3)) == "1 day 3 h"
