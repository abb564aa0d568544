"""A pitch round from open to close: the team sees other schools' feedback only once the
author's teacher approved it, and marks what it changed."""

import datetime as dt

from clustermarket.sharing.tables import PitchEntry, PitchFeedback, PitchRound
from clustermarket.timeutil import UK, now
from tests.conftest import make_team, post_form
from tests.sharing.helpers import decide, live_product, two_schools


def in_uk(hours: int) -> str:
    return (now() + dt.timedelta(hours=hours)).astimezone(UK).strftime("%Y-%m-%dT%H:%M")


async def test_a_pitch_round_from_open_to_close(client, people) -> None:
    await two_schools()
    team = await make_team(pupils=("ameliab",), name="Aylsham Makers")
    admin, taylor = await people("admin", "staylor")
    amelia, oliver, smith = await people("ameliab", "oliverk", "jsmith")
    product_id = await live_product(taylor, team)

    # Only the admin opens rounds; a bad closing time is answered on the page.
    refused = await post_form(taylor, "/pitch/rounds", {"title": "X", "closes_at": in_uk(5)})
    assert refused.status_code == 403
    past = await post_form(
        admin, "/pitch/rounds", {"title": "December pitch", "closes_at": in_uk(-1)}
    )
    assert past.status_code == 400 and "must be in the future" in past.text
    assert 'value="December pitch"' in past.text
    await post_form(admin, "/pitch/rounds", {"title": "December pitch", "closes_at": in_uk(48)})
    round_id = (await PitchRound.select(PitchRound.id).first())["id"]

    # A pupil of the team puts the product up.
    page = await amelia.get(f"/pitch/rounds/{round_id}")
    assert f'value="product:{product_id}"' in page.text
    response = await post_form(
        amelia,
        f"/pitch/rounds/{round_id}/entries",
        {"item": f"product:{product_id}", "question": "Is the price right?"},
        follow_redirects=False,
    )
    entry_url = response.headers["location"]
    entry_id = int(entry_url.rsplit("/", 1)[1])
    twice = await post_form(
        amelia, f"/pitch/rounds/{round_id}/entries", {"item": f"product:{product_id}"}
    )
    assert twice.status_code == 400 and "already in this round" in twice.text

    # A pupil of another school answers in the two boxes; it waits for HIS teacher.
    half = await post_form(oliver, f"{entry_url}/feedback", {"works_well": "Smells lovely"})
    assert half.status_code == 400 and "both boxes" in half.text and "Smells lovely" in half.text
    sent = await post_form(
        oliver,
        f"{entry_url}/feedback",
        {"works_well": "Smells lovely", "even_better_if": "it came in two sizes"},
    )
    assert "Sent to your teacher" in sent.text and "Waiting for your teacher" in sent.text
    own_school = await post_form(
        amelia, f"{entry_url}/feedback", {"works_well": "a", "even_better_if": "b"}
    )
    assert own_school.status_code == 400 and "other schools" in own_school.text
    team_page = await amelia.get(entry_url)
    assert "Is the price right?" in team_page.text and "Smells lovely" not in team_page.text

    feedback_id = (await PitchFeedback.select(PitchFeedback.id).first())["id"]
    assert (await decide(taylor, "feedback", feedback_id, "approve")).status_code == 404
    queue = await smith.get("/moderation")
    assert "it came in two sizes" in queue.text and "King" not in queue.text
    await decide(smith, "feedback", feedback_id, "approve")

    team_page = await amelia.get(entry_url)
    assert "Smells lovely" in team_page.text and "it came in two sizes" in team_page.text
    assert "Oliver K." in team_page.text and "King" not in team_page.text
    assert "pitch feedback" in (await amelia.get("/notifications")).text
    await post_form(amelia, f"/pitch/feedback/{feedback_id}/changed", {"changed": "yes"})
    assert (await PitchFeedback.select(PitchFeedback.changed).first())["changed"] is True
    assert "We changed this</span>" in (await amelia.get(entry_url)).text
    # Someone outside the team cannot mark it, nor read the others' feedback.
    marked = await post_form(oliver, f"/pitch/feedback/{feedback_id}/changed", {"changed": "no"})
    assert marked.status_code == 404

    # The round closes at its set time: no more feedback.
    await PitchRound.update({PitchRound.closes_at: now() - dt.timedelta(minutes=1)}).where(
        PitchRound.id == round_id
    )
    late = await post_form(
        oliver, f"{entry_url}/feedback", {"works_well": "Late", "even_better_if": "Late"}
    )
    assert late.status_code == 400 and "closed" in late.text
    assert await PitchFeedback.count() == 1
    assert "Closed" in (await oliver.get("/pitch")).text
    entry = await PitchEntry.select().where(PitchEntry.id == entry_id).first()
    assert entry["product"] == product_id and entry["question"] == "Is the price right?"
