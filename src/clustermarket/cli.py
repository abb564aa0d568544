"""Commands: `python -m clustermarket migrate | demo | create-admin | worker | backup | restore |
check`."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

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


@main.command()
def worker() -> None:
    """Run background jobs: the SAQ worker (REDIS_URL set), else the table runner alone."""
    settings = _settings()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("saq").setLevel(logging.WARNING)  # not a line per job every 5 s
    if settings.redis_url:
        from clustermarket.jobs.saq_engine import run_worker

        click.echo("Job worker (SAQ, Redis) started; Ctrl-C stops it.")
        run_worker(settings)
        return
    from clustermarket.jobs.embedded import run_forever

    click.echo("Job worker (from the database table) started; Ctrl-C stops it.")
    asyncio.run(run_forever(settings))


@main.command("backup")
@click.argument("into", type=click.Path(file_okay=False, path_type=Path))
def backup_command(into: Path) -> None:
    """Back up the database and uploaded images into a new folder under INTO (safe while
    the app serves)."""
    from clustermarket.ops.backup import BackupError, backup

    try:
        folder = backup(_settings(), into)
    except BackupError as error:
        sys.exit(f"Backup failed: {error}")
    click.echo(f"Backup written to {folder}")


@main.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the data.")
def restore_command(folder: Path, yes: bool) -> None:
    """Replace the database and add the images from a backup FOLDER (stop the app first)."""
    from clustermarket.ops.backup import BackupError, restore

    settings = _settings()
    if not yes:
        click.confirm(f"Replace the data of {_safe_url(settings.database_url)}?", abort=True)
    try:
        manifest = restore(settings, folder)
    except BackupError as error:
        sys.exit(f"Restore failed: {error}")
    click.echo(f"Restored the backup of {manifest['at']}.")


def _safe_url(url: str) -> str:
    import re

    return re.sub(r"//[^@/]*@", "//***@", url)


@main.command("check")
@click.option("--deploy", is_flag=True, required=True, help="Check the production settings.")
@click.option("--workers", type=int, default=None, help="App workers (default WEB_CONCURRENCY).")
def check_command(deploy: bool, workers: int | None) -> None:
    """List unsafe production settings; exit status 1 when there is an error."""
    from clustermarket.ops.deploy_check import deploy_problems

    problems = deploy_problems(_settings(), workers=workers)
    for problem in problems:
        click.echo(problem.line())
    errors = sum(p.level == "error" for p in problems)
    click.echo(f"{errors} error(s), {len(problems) - errors} warning(s).")
    if errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
