"""Each idea's reactions are one plain form with a button per reaction (its name and value
say which), so a page of ideas carries one CSRF token per idea; it works with and without
JavaScript, and htmx swaps the same block."""

import re

from clustermarket.sharing.tables import Reaction
from tests.conftest import post_form
from tests.sharing.helpers import post_idea, two_schools


async def test_one_form_per_idea_toggles_the_pressed_reaction(client, people) -> None:
    await two_schools()
    taylor, oliver = await people("staylor", "oliverk")
    idea_id = await post_idea(taylor, title="Shared stall rota", tag="enterprise")

    board = (await oliver.get("/ideas")).text
    form = re.search(rf'<form [^>]*id="reactions-{idea_id}".*?</form>', board, re.S).group(0)
    assert f'action="/ideas/{idea_id}/reactions"' in form
    assert form.count('name="_csrf_token"') == 1 and form.count('name="kind"') == 3
    for kind in ("like", "clever", "helpful"):
        assert f'value="{kind}"' in form

    url = f"/ideas/{idea_id}/reactions"
    plain = await post_form(oliver, url, {"kind": "clever"}, follow_redirects=False)
    assert plain.status_code == 302 and plain.headers["location"] == f"/ideas/{idea_id}"
    assert [r["kind"] for r in await Reaction.select(Reaction.kind)] == ["clever"]
    swapped = await post_form(oliver, url, {"kind": "clever"}, headers={"HX-Request": "true"})
    assert swapped.status_code == 200 and "<html" not in swapped.text
    assert f'id="reactions-{idea_id}"' in swapped.text and 'aria-pressed="true"' not in swapped.text
    assert await Reaction.count() == 0
    for bad in ({"kind": "angry"}, {}):
        refused = await post_form(oliver, url, bad)
        assert refused.status_code == 400 and "not one of ours" in refused.text
    assert await Reaction.count() == 0
    page = (await oliver.get(f"/ideas/{idea_id}")).text  # the idea's page: the same block
    assert page.count('name="kind"') == 3 and f'action="/ideas/{idea_id}/reactions"' in page
