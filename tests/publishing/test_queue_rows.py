"""The moderation queue shows each item with its own photos, tallies and reports, whatever
kinds wait together (the queue reads them for every kind at once)."""

from __future__ import annotations

import re

from clustermarket.accounts.tables import User
from clustermarket.sharing.tables import Flag
from clustermarket.timeutil import now
from tests.conftest import another_browser, make_team, make_user, post_form, sign_in
from tests.publishing.test_images import jpeg_with_gps
from tests.publishing.test_moderation_journey import pupil_drafts_product, upload
from tests.publishing.test_projects_and_public_site import new_project
from tests.sharing.helpers import post_idea


def articles(page: str) -> dict[str, str]:
    """Each queue item's HTML by its id ("mod-product-1"), in the page's order."""
    parts = re.split(r'(?=<article class="card mod-item" id=")', page)
    return {re.search(r'id="([^"]+)"', part).group(1): part for part in parts[1:]}


async def report(kind: str, subject_id: int, reason: str, reporter_name: str) -> None:
    """One reporter's report (one per reporter per item)."""
    if not await User.exists().where(User.username == reporter_name):
        await make_user(reporter_name)
    reporter = await User.select(User.id).where(User.username == reporter_name).first()
    await Flag.insert(
        Flag(
            subject_type=kind,
            subject_id=subject_id,
            reporter=reporter["id"],
            reason=reason,
            handled=False,
            created_at=now(),
        )
    ).run()


async def test_each_item_shows_its_own_photos_tallies_and_reports(client) -> None:
    """Amelia sends a product (its photo held: no consent recorded), an eco project with two
    tallies and a photo, and an idea; the project is reported twice, the idea once."""
    makers = await make_team()
    eco = await make_team(kind="eco", name="Eco Warriors")
    await sign_in(client, "ameliab")
    product_id = await pupil_drafts_product(client, makers)
    await upload(client, product_id, jpeg_with_gps())
    await post_form(client, f"/products/{product_id}/submit", {})
    project_id = await new_project(client, eco)
    for quantity, unit, label in (("120", "bottles", "recycled"), ("15", "trees", "planted")):
        await post_form(
            client,
            f"/projects/{project_id}/tallies",
            {"quantity": quantity, "unit": unit, "label": label},
        )
    await upload(client, project_id, jpeg_with_gps(), kind="projects")
    await post_form(client, f"/projects/{project_id}/submit", {})
    idea_id = await post_idea(client, title="Apple juice")
    await report("project", project_id, "Shows a name", "reporter1")
    await report("project", project_id, "Wrong numbers", "reporter2")
    await report("idea", idea_id, "Off topic", "reporter1")

    async with another_browser(client) as teacher:
        await sign_in(teacher, "staylor")
        shown = articles((await teacher.get("/moderation")).text)
        flagged = articles((await teacher.get("/moderation?tab=flagged")).text)

    product, project, idea = (
        f"mod-product-{product_id}",
        f"mod-project-{project_id}",
        f"mod-idea-{idea_id}",
    )
    assert list(shown) == [product, project, idea]  # in the order they were sent
    assert shown[product].count("<img ") == 1 and "No photo consent on record" in shown[product]
    assert "tallies" not in shown[product] and "Flagged by" not in shown[product]
    assert re.search(
        r"<li><strong>120</strong> bottles recycled</li><li><strong>15</strong> trees planted",
        shown[project],
    )
    assert shown[project].count("<img ") == 1
    assert "Flagged by 2 people" in shown[project]
    assert re.search(r"<li>Shows a name</li><li>Wrong numbers</li>", shown[project])
    assert "Flagged by 1 person" in shown[idea] and "<li>Off topic</li>" in shown[idea]
    assert "photo-list" not in shown[idea] and "tallies" not in shown[idea]
    assert list(flagged) == [project, idea]
