"""The dashboard's "waiting" badge (issue 17: its count queries are frozen per school) still
follows every change, and each school's teachers count only their own school's items."""

from clustermarket.accounts.tables import Role
from clustermarket.catalogue.tables import ContentStatus, Product
from tests.conftest import make_client, make_user, sign_in
from tests.market.helpers import make_product, make_team


async def _badge(client) -> str:
    page = await client.get("/dashboard")
    assert page.status_code == 200
    return page.text


async def test_the_waiting_badge_follows_changes_per_school() -> None:
    team = await make_team("aylsham-makers", school="aylsham-high")
    await make_user("staylor", role=Role.teacher, school="aylsham-high")
    await make_user("jcole", role=Role.teacher, school="bure-valley")
    await make_user("admin", role=Role.admin, school=None)
    product = await make_product(team, "Candle", 450, 180, public=False)
    async with make_client() as aylsham, make_client() as bure, make_client() as admin:
        await sign_in(aylsham, "staylor")
        await sign_in(bure, "jcole")
        await sign_in(admin, "admin")
        for client in (aylsham, bure, admin):
            assert "Moderation (" not in await _badge(client)

        await Product.update({Product.status: ContentStatus.pending}).where(Product.id == product)
        assert "Moderation (1 waiting)" in await _badge(aylsham)
        assert "Moderation (1 waiting)" in await _badge(admin)
        assert "Moderation (" not in await _badge(bure)

        await Product.update({Product.status: ContentStatus.approved}).where(Product.id == product)
        for client in (aylsham, bure, admin):
            assert "Moderation (" not in await _badge(client)
