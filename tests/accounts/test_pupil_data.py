"""UK GDPR: a teacher exports and erases a pupil's data; the team keeps its work."""

from clustermarket.accounts.tables import Role, User
from clustermarket.catalogue.tables import Product
from clustermarket.moderation.tables import ModerationLog
from clustermarket.teams.tables import TeamMember
from tests.conftest import make_client, make_team, make_user, post_form, sign_in
from tests.publishing.test_moderation_journey import pupil_drafts_product


async def test_export_then_erase_keeps_the_teams_work_but_not_the_pupil(client) -> None:
    team = await make_team(pupils=("ameliab",))
    pupil_id = (await User.select(User.id).where(User.username == "ameliab").first())["id"]
    async with make_client() as pupil:
        await sign_in(pupil, "ameliab")
        product_id = await pupil_drafts_product(pupil, team)

    await sign_in(client, "staylor")
    page = await client.get(f"/pupils/{pupil_id}/data")
    assert page.status_code == 200 and "Erase this pupil's data" in page.text
    export = await client.get(f"/pupils/{pupil_id}/data/export")
    assert export.status_code == 200
    assert "attachment" in export.headers["content-disposition"]
    data = export.json()
    assert data["account"]["username"] == "ameliab"
    assert "password_hash" not in data["account"]
    assert [r["id"] for r in data["records"]["product"]] == [product_id]
    assert data["records"]["team_member"][0]["team"] == team["id"]

    wrong = await post_form(client, f"/pupils/{pupil_id}/data/erase", {"confirm": "someone"})
    assert wrong.status_code == 400 and "Type the username ameliab to confirm." in wrong.text
    assert await User.exists().where(User.id == pupil_id)

    done = await post_form(client, f"/pupils/{pupil_id}/data/erase", {"confirm": "ameliab"})
    assert "were erased" in done.text
    assert not await User.exists().where(User.id == pupil_id)
    assert not await TeamMember.exists().where(TeamMember.user == pupil_id)
    product = await Product.select(Product.name, Product.created_by).first()
    assert product == {"name": "Beeswax candle", "created_by": None}
    labels = {
        r["subject_label"]
        for r in await ModerationLog.select(ModerationLog.subject_label).where(
            ModerationLog.subject_id == pupil_id
        )
    }
    assert labels == {f"erased pupil #{pupil_id}"}
    assert "ameliab" not in (await client.get("/moderation/log")).text


async def test_other_schools_cannot_export_or_erase(client) -> None:
    pupil_id = await make_user("noahw", school="bure-valley")
    await make_user("staylor", role=Role.teacher)
    await sign_in(client, "staylor")
    assert (await client.get(f"/pupils/{pupil_id}/data/export")).status_code == 404
    response = await post_form(client, f"/pupils/{pupil_id}/data/erase", {"confirm": "noahw"})
    assert response.status_code == 404
    assert await User.exists().where(User.id == pupil_id)
