"""Demo data for newcomers, and the management commands."""

from click.testing import CliRunner

from clustermarket.accounts.tables import Role, User
from clustermarket.catalogue.tables import Product
from clustermarket.cli import main
from clustermarket.demo import PEOPLE, load_demo_data
from clustermarket.market.demo import first_saturday_of_next_month
from clustermarket.market.tables import MarketDay
from clustermarket.teams.tables import Team
from tests.conftest import sign_in


async def test_demo_data_gives_a_living_site_and_every_role_can_sign_in(client) -> None:
    signins = await load_demo_data()
    assert {s[0] for s in signins} == {"admin", "teacher", "pupil", "community"}
    assert await Team.count() == 3 and await Product.count() >= 5 and await MarketDay.count() == 2
    assert await load_demo_data(only_if_empty=True) is None  # never twice

    home = await client.get("/")
    assert "Aylsham Market Place" in home.text
    assert "Beeswax candle" in home.text and "£4.50" in home.text
    assert "Greetings cards" not in home.text  # still waiting for approval
    # No pupil's name on a public page.
    for _, _, _, first, last, _, _ in [p for p in PEOPLE if p[0] == "pupil"]:
        assert first not in home.text and last not in home.text

    for role, username, password, _ in signins:
        client.cookies.clear()
        await sign_in(client, username, password)
        assert (await client.get("/dashboard")).status_code == 200, role


def test_next_market_is_the_first_saturday_of_next_month() -> None:
    import datetime as dt

    assert first_saturday_of_next_month(dt.date(2026, 11, 25)) == dt.date(2026, 12, 5)
    assert first_saturday_of_next_month(dt.date(2026, 12, 31)) == dt.date(2027, 1, 2)


def test_create_admin_command() -> None:
    import asyncio

    result = CliRunner().invoke(
        main,
        [
            "create-admin",
            "--username",
            "Coordinator",
            "--first-name",
            "Alex",
            "--last-name",
            "Morgan",
        ],
        input="a-long-admin-password\na-long-admin-password\n",
    )
    assert result.exit_code == 0, result.output
    admin = asyncio.run(
        User.select(User.role, User.email).where(User.username == "coordinator").first().run()
    )
    assert admin == {"role": Role.admin, "email": None}

    short = CliRunner().invoke(
        main,
        [
            "create-admin",
            "--username",
            "other",
            "--first-name",
            "A",
            "--last-name",
            "B",
            "--password",
            "short",
        ],
    )
    assert short.exit_code != 0 and "at least 12 characters" in short.output
