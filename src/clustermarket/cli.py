"""Commands: `python -m clustermarket migrate | demo | create-admin | serve-check`."""

from __future__ import annotations

import asyncio
import sys

import click

from clustermarket.settings import SettingsError, get_settings


def _settings():
    try:
        settings = get_settings()
    except SettingsError as error:
        sys.exit(f"Setting error: {error}")
    from clustermarket.db import database_problem

    if problem := database_problem(settings):
        sys.exit(f"Setting error: {problem}")
    return settings


@click.group()
def main() -> None:
    """Cluster Market management commands."""


@main.command()
def migrate() -> None:
    """Apply all pending database migrations."""
    from clustermarket.db import migrate as run_migrations

    asyncio.run(run_migrations(_settings()))
    click.echo("Database is up to date.")


@main.command()
@click.option("--if-empty", is_flag=True, help="Only when the database has no users yet.")
def demo(if_empty: bool) -> None:
    """Fill the database with demo schools' teams, people, products and a market day."""
    from clustermarket.demo import load_demo_data

    _settings()
    signins = asyncio.run(load_demo_data(only_if_empty=if_empty))
    if signins is None:
        click.echo("Demo data skipped: the database already has users.")
        return
    click.echo("Demo data loaded. Sign in at /login with any of these:")
    for role, username, password, who in signins:
        click.echo(f"  {role:<9} {username:<16} {password:<22} {who}")


@main.command("create-admin")
@click.option("--username", prompt=True)
@click.option("--first-name", prompt=True)
@click.option("--last-name", prompt=True)
@click.option("--email", default="", help="Optional.")
@click.password_option(
    "--password", envvar="ADMIN_PASSWORD", help="Asked for twice when not given."
)
def create_admin(username: str, first_name: str, last_name: str, email: str, password: str) -> None:
    """Create the cluster admin account (asks for the password twice)."""
    from clustermarket.accounts.services import AccountError, create_user
    from clustermarket.accounts.tables import Role

    _settings()
    if len(password) < 12:
        sys.exit("The admin password needs at least 12 characters.")
    try:
        asyncio.run(
            create_user(
                username=username,
                password=password,
                role=Role.admin,
                first_name=first_name,
                last_name=last_name,
                email=email or None,
            )
        )
    except AccountError as error:
        sys.exit(str(error))
    click.echo(f"Admin {username.lower()} created.")


if __name__ == "__main__":
    main()
