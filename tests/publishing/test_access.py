"""Ownership: pupils edit only their teams' work; teachers moderate only their school's."""

from clustermarket.accounts.tables import Role
from clustermarket.catalogue.tables import Product
from tests.conftest import make_client, make_team, make_user, post_form, sign_in
from tests.publishing.test_moderation_journey import PRODUCT_FORM, pupil_drafts_product


async def test_other_teams_and_schools_get_404_not_a_peek(client) -> None:
    team = await make_team()
    await sign_in(client, "ameliab")
    product_id = await pupil_drafts_product(client, team)
    await post_form(client, f"/products/{product_id}/submit", {})

    # A pupil of another team at the same school.
    await make_team(pupils=("oliverg",), name="Other team")
    async with make_client() as other:
        await sign_in(other, "oliverg")
        for path in (
            f"/products/{product_id}/edit",
            f"/teams/{team['id']}/workspace",
            f"/teams/{team['id']}/products/new",
        ):
            assert (await other.get(path)).status_code == 404, path
        for path in (
            f"/products/{product_id}/edit",
            f"/products/{product_id}/submit",
            f"/products/{product_id}/photos",
        ):
            assert (await post_form(other, path, PRODUCT_FORM)).status_code == 404, path
        assert (await other.get("/moderation")).status_code == 403
        assert (
            await post_form(other, f"/moderation/product/{product_id}/approve", {})
        ).status_code == 403

    # A teacher of another school: not in their queue, cannot approve or hide it.
    await make_user("jcole", role=Role.teacher, school="bure-valley")
    async with make_client() as teacher:
        await sign_in(teacher, "jcole")
        assert "Beeswax candle" not in (await teacher.get("/moderation")).text
        response = await post_form(teacher, f"/moderation/product/{product_id}/approve", {})
        assert response.status_code == 404
        assert (await teacher.get(f"/products/{product_id}/edit")).status_code == 404
    assert (await Product.select(Product.status).first())["status"] == "pending"

    # Unknown ids and kinds are 404 too.
    async with make_client() as teacher:
        await sign_in(teacher, "staylor")
        assert (
            await post_form(teacher, "/moderation/product/999999/approve", {})
        ).status_code == 404
        assert (
            await post_form(teacher, f"/moderation/spaceship/{product_id}/approve", {})
        ).status_code == 404
        assert (
            await post_form(teacher, f"/moderation/product/{product_id}/delete", {})
        ).status_code == 404


async def test_draft_photos_are_not_served_to_the_public(client) -> None:
    from tests.conftest import png_bytes
    from tests.publishing.test_moderation_journey import upload

    team = await make_team()
    await sign_in(client, "ameliab")
    product_id = await pupil_drafts_product(client, team)
    await upload(client, product_id, png_bytes(), "p.png")
    from clustermarket.media.tables import Photo

    photo = await Photo.select().first()
    assert (await client.get(f"/media/{photo['thumb_name']}")).status_code == 200  # the team
    async with make_client() as visitor:
        assert (await visitor.get(f"/media/{photo['thumb_name']}")).status_code == 404
        assert (await visitor.get("/media/not-a-photo.jpg")).status_code == 404


async def test_only_teachers_create_teams_and_pick_members_of_their_school(client) -> None:
    await make_user("ameliab")
    await sign_in(client, "ameliab")
    assert (await client.get("/teams/new")).status_code == 403

    team = await make_team(pupils=())
    other_school_pupil = await make_user("noahw", school="bure-valley")
    async with make_client() as teacher:
        await sign_in(teacher, "staylor")
        page = await post_form(
            teacher,
            f"/teams/{team['id']}/members",
            {"user": str(other_school_pupil), "role": "member"},
        )
        assert "Choose a pupil or teacher of this school." in page.text
        page = await post_form(teacher, "/teams/new", {"name": "", "kind": "eco"})
        assert page.status_code == 400 and "Give the team a name" in page.text
        page = await post_form(
            teacher, "/teams/new", {"name": "Litter Pickers", "kind": "eco"}, follow_redirects=False
        )
        assert page.status_code == 302
        page = await teacher.get(page.headers["location"])
        assert "Litter Pickers" in page.text and "Eco group" in page.text
