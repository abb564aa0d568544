"""A teacher sees what a comment answers beside it in the queue: the product or project
commented on, by its team, with its first published photo; an idea with its own thumbnail.
These are read with the queue's photos, tallies and flags in one statement (issue 17,
target 3; the count is in tests/web/test_page_statements.py)."""

from __future__ import annotations

import html

from clustermarket.accounts.tables import User
from clustermarket.catalogue.tables import Product
from clustermarket.demo import load_demo_data
from clustermarket.media.tables import Photo
from clustermarket.projects.tables import Project
from clustermarket.sharing.tables import Comment
from clustermarket.timeutil import now
from tests.conftest import sign_in


async def _comments_on(targets: list[tuple[str, int]], pupil: dict) -> None:
    at = now()
    fields = {"author": pupil["id"], "school": pupil["school"], "body": "Lovely"}
    await Comment.insert(
        *[
            Comment(target_type=t, target_id=i, created_at=at, submitted_at=at, **fields)
            for t, i in targets
        ]
    )


async def _first_photo(what: str, owner: int) -> dict | None:
    return (
        await Photo.select(Photo.thumb_name, Photo.alt_text)
        .where((Photo.owner_type == what) & (Photo.owner_id == owner) & (Photo.published == True))  # noqa: E712
        .order_by(Photo.id)
        .first()
    )


def _answers(what: str, target: int, title: str, team: str) -> str:
    link = f'<a href="/{what}s/{target}">{html.escape(title)}</a>'
    return f"Answers the {what} {link} by {html.escape(team)}"


async def test_a_comment_on_a_product_or_project_shows_what_it_answers(client) -> None:
    await load_demo_data()
    pupil = await User.select(User.id, User.school).where(User.username == "ameliab").first()
    photographed = (
        await Photo.select(Photo.owner_id)
        .where(
            (Photo.owner_type == "product") & (Photo.published == True)  # noqa: E712
        )
        .first()
    )
    product = (
        await Product.select(
            Product.id, Product.name, Product.published_name, Product.team.name.as_alias("team")
        )
        .where(Product.id == photographed["owner_id"])
        .first()
    )
    project = await Project.select(
        Project.id, Project.title, Project.published_title, Project.team.name.as_alias("team")
    ).first()
    await _comments_on([("product", product["id"]), ("project", project["id"])], pupil)

    await sign_in(client, "staylor", "teacher-demo-1")
    page = (await client.get("/moderation?kind=comment")).text

    title = product["published_name"] or product["name"]
    assert _answers("product", product["id"], title, product["team"]) in page
    photo = await _first_photo("product", product["id"])
    thumb = f'<img src="/media/{photo["thumb_name"]}" alt="{html.escape(photo["alt_text"])}"'
    assert thumb in page
    title = project["published_title"] or project["title"]
    assert _answers("project", project["id"], title, project["team"]) in page
