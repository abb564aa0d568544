"""No pupil surname on any sharing page: pupils are first name and last initial."""

from tests.conftest import make_team, post_form
from tests.sharing.helpers import decide, live_product, post_idea, two_schools


async def test_no_pupil_surname_on_any_page(client, people) -> None:
    await two_schools()
    team = await make_team(pupils=("ameliab",), name="Aylsham Makers")
    taylor, smith = await people("staylor", "jsmith")
    amelia, oliver = await people("ameliab", "oliverk")
    product_id = await live_product(taylor, team)
    idea_id = await post_idea(amelia)
    await decide(taylor, "idea", idea_id, "approve")
    await post_form(oliver, f"/ideas/{idea_id}/comments", {"body": "Great"})
    await post_form(oliver, f"/feedback/product/{product_id}", {"body": "Nice"})
    await post_form(oliver, f"/flag/idea/{idea_id}", {"reason": "Test", "back": "/ideas"})

    pages = [
        "/ideas",
        f"/ideas/{idea_id}",
        f"/feedback/product/{product_id}",
        "/notifications",
        "/moderation",
        "/moderation?tab=live",
        "/moderation?tab=flagged",
        "/pitch",
        "/coop",
        "/dashboard",
    ]
    for viewer in (taylor, smith, amelia, oliver):
        for path in pages:
            text = (await viewer.get(path)).text
            assert "Brown" not in text and "King" not in text, path
    assert "Amelia B." in (await oliver.get("/ideas")).text
