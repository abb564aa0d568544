"""The dashboard's "waiting" badge (issue 17: its count queries are frozen per school) still
follows every change, and each school's teachers count only their own school's items."""

from clustermarket.accounts.tables import Role
from clustermarket.catalogue.tables import ContentStatus, Product
from clustermarket.sharing.tables import Idea, IdeaTag
from clustermarket.teams.tables import MemberRole, TeamMember
from clustermarket.timeutil import now
from clustermarket.web.content_version import content_changed
from tests.conftest import QueryCounter, make_client, make_user, school_id, sign_in
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
        await content_changed()  # written straight to the table: the app's writers say so
        assert "Moderation (1 waiting)" in await _badge(aylsham)
        assert "Moderation (1 waiting)" in await _badge(admin)
        assert "Moderation (" not in await _badge(bure)

        await Product.update({Product.status: ContentStatus.approved}).where(Product.id == product)
        await content_changed()
        for client in (aylsham, bure, admin):
            assert "Moderation (" not in await _badge(client)


async def test_the_teacher_dashboard_reads_as_often_however_much_waits() -> None:
    """Its queries are a fixed number (the badge adds every kind's count in one statement);
    the badge counts items of every kind, and the teams lists follow membership."""
    teacher = await make_user("staylor", role=Role.teacher, school="aylsham-high")
    first = await make_team("aylsham-makers", school="aylsham-high")
    await TeamMember.insert(TeamMember(team=first, user=teacher, role=MemberRole.member))
    await make_product(first, "Candle", 450, 180, public=False)
    async with make_client() as client:
        await sign_in(client, "staylor")
        await _badge(client)
        with QueryCounter() as few:
            page = await _badge(client)
        assert "Moderation (" not in page
        assert page.count('/workspace">') == 2  # the school's teams, and the teacher's own

        for i in range(3):
            team = await make_team(f"aylsham-team-{i}", school="aylsham-high")
            await make_product(team, f"Thing {i}", 100, 50, public=False)
        await Product.update({Product.status: ContentStatus.pending}, force=True)
        await Idea.insert(
            Idea(
                author=teacher,
                school=await school_id("aylsham-high"),
                tag=IdeaTag.general,
                title="Seed bombs",
                status=ContentStatus.pending,
                created_at=now(),
                submitted_at=now(),
            )
        )
        # Written here straight to the tables: as the app's writers do, say so (what the
        # dashboard keeps between views is read again after any write: web/public_data.py).
        await content_changed()
        await _badge(client)
        with QueryCounter() as many:
            page = await _badge(client)
        assert "Moderation (5 waiting)" in page
        assert page.count('/workspace">') == 5
    assert many.count == few.count
