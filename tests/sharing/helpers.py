"""People in two schools, and the ways they post, for the sharing stories."""

from __future__ import annotations

import re

from clustermarket.accounts.tables import Role
from tests.conftest import make_user, post_form


async def two_schools() -> None:
    """Aylsham High: pupil Amelia Brown, teacher staylor. Buxton: pupil Oliver King,
    teacher jsmith. And the cluster admin."""
    await make_user("ameliab", first_name="Amelia", last_name="Brown")
    await make_user("staylor", role=Role.teacher, first_name="Sarah", last_name="Taylor")
    await make_user("oliverk", school="buxton", first_name="Oliver", last_name="King")
    await make_user(
        "jsmith", role=Role.teacher, school="buxton", first_name="Jo", last_name="Smith"
    )
    await make_user("admin", role=Role.admin, school=None, first_name="Ada", last_name="Admin")


async def post_idea(
    client, title="Sell seed bombs", body="Clay, compost and wildflower seeds.", tag="eco"
) -> int:
    response = await post_form(
        client, "/ideas/new", {"title": title, "body": body, "tag": tag}, follow_redirects=False
    )
    assert response.status_code == 302, response.text
    return int(re.search(r"/ideas/(\d+)", response.headers["location"]).group(1))


async def decide(client, kind: str, content_id: int, action: str, feedback: str = ""):
    return await post_form(
        client,
        f"/moderation/{kind}/{content_id}/{action}",
        {"feedback": feedback},
        headers={"HX-Request": "true"},
    )


async def live_product(teacher_client, team, name="Beeswax candle") -> int:
    """A product a teacher made for the team: live at once."""
    response = await post_form(
        teacher_client,
        f"/teams/{team['id']}/products/new",
        {
            "name": name,
            "description": "Hand-poured.",
            "price": "4.50",
            "unit_cost": "1.00",
            "active": "on",
        },
        follow_redirects=False,
    )
    product_id = int(re.search(r"/products/(\d+)/edit", response.headers["location"]).group(1))
    await post_form(teacher_client, f"/products/{product_id}/submit", {})
    return product_id
