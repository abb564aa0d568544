"""Too-big input keeps the user's work: a photo over the limit re-shows the form as typed
with a message naming the limit; a form over the body limit is answered with a page that
names the limit and says the typed words are still in the form (issue 10, item 7)."""

from clustermarket.sharing.tables import Idea
from tests.conftest import post_form
from tests.sharing.helpers import two_schools
from tests.sharing.test_idea_photos import send_idea


async def test_an_idea_with_a_too_big_photo_comes_back_as_typed(client, people) -> None:
    await two_schools()
    (amelia,) = await people("ameliab")
    # 12 MB: over the 10 MB of a plain form, under what a photo form may carry.
    refused = await send_idea(amelia, b"\xff\xd8\xff" + b"0" * (12 * 1024 * 1024))
    assert refused.status_code == 400
    assert "That photo is too big (12 MB). Use one under 8 MB." in refused.text
    assert "Bee hotels" in refused.text and "Canes in a tin." in refused.text
    assert "A tin full of bamboo canes" in refused.text
    assert await Idea.count() == 0


async def test_a_form_over_the_body_limit_names_the_limit(client) -> None:
    too_big = await post_form(client, "/basket", {"day_id": "1", "note": "x" * (11 * 1024 * 1024)})
    assert too_big.status_code == 413
    assert "more than a form can send (10 MB" in too_big.text
    assert "what you typed is still in the form" in too_big.text
    htmx = await post_form(
        client,
        "/basket",
        {"day_id": "1", "note": "x" * (11 * 1024 * 1024)},
        headers={"HX-Request": "true"},
    )
    assert htmx.status_code == 413 and "<html" not in htmx.text and "10 MB" in htmx.text
