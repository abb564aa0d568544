"""Commands: `python -m clustermarket migrate | demo | create-admin | cluster create | worker |
backup | restore | check`."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

import click

from clustermarket.logs import configure_logging
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
@click.option(
    "--second-cluster",
    is_flag=True,
    help="Only add a fictional second cluster (Marshwick, /c/marshwick/) beside Aylsham.",
)
@click.option("--host", default="", help="With --second-cluster: its host name.")
def demo(if_empty: bool, second_cluster: bool, host: str) -> None:
    """Fill the database with demo schools' teams, people, products and a market day."""
    from clustermarket.demo import load_demo_data

    _settings()
    if second_cluster:
        from clustermarket.clusters.demo import load_second_cluster

        signins = asyncio.run(load_second_cluster(host or None))
        if signins is None:
            click.echo("The second demo cluster is there already.")
            return
        click.echo("Second demo cluster (marshwick) loaded. Its sign-ins:")
    else:
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
@click.option("--cluster", "cluster_slug", default="", help="The cluster (default: the first).")
@click.option("--platform", is_flag=True, help="A platform admin, who also creates clusters.")
@click.password_option(
    "--password", envvar="ADMIN_PASSWORD", help="Asked for twice when not given."
)
def create_admin(
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    cluster_slug: str,
    platform: bool,
    password: str,
) -> None:
    """Create a cluster admin (or, with --platform, a platform admin) account."""
    from clustermarket.accounts.services import AccountError, create_user
    from clustermarket.accounts.tables import Role
    from clustermarket.clusters.services import cluster_id_for

    _settings()
    if len(password) < 12:
        sys.exit("The admin password needs at least 12 characters.")

    async def create() -> None:
        await create_user(
            username=username,
            password=password,
            role=Role.platform if platform else Role.admin,
            first_name=first_name,
            last_name=last_name,
            email=email or None,
            cluster_id=await cluster_id_for(cluster_slug),
        )

    try:
        asyncio.run(create())
    except AccountError as error:
        sys.exit(str(error))
    click.echo(f"{'Platform admin' if platform else 'Admin'} {username.lower()} created.")


@main.group()
def cluster() -> None:
    """Clusters of schools on this installation (the platform admin's work)."""


@cluster.command("create")
@click.option("--slug", required=True, help="Short name, used in /c/<slug>/ addresses.")
@click.option("--name", required=True, help="e.g. 'Aylsham Cluster'.")
@click.option("--host", default="", help="Its host name, for CLUSTER_ROUTING=host.")
@click.option("--admin-username", required=True, help="The first cluster admin's username.")
@click.option("--admin-first-name", default="Cluster")
@click.option("--admin-last-name", default="Admin")
@click.option("--school", "schools", multiple=True, help="'Name:phase' (infant, junior, ...).")
@click.option(
    "--password-stdin", is_flag=True, help="Read the admin's password from stdin, not make one."
)
def cluster_create(
    slug: str,
    name: str,
    host: str,
    admin_username: str,
    admin_first_name: str,
    admin_last_name: str,
    schools: tuple[str, ...],
    password_stdin: bool,
) -> None:
    """Create a cluster, its schools and its first cluster admin; prints the admin's one-time
    password unless it is read from stdin."""
    from clustermarket.clusters.services import ClusterError, create_cluster

    _settings()
    password = sys.stdin.readline().strip() if password_stdin else None
    if password_stdin and len(password or "") < 12:
        sys.exit("The admin password needs at least 12 characters.")
    parsed = [tuple(s.rsplit(":", 1)) if ":" in s else (s, "") for s in schools]
    try:
        made = asyncio.run(
            create_cluster(
                name=name,
                slug=slug,
                host=host or None,
                admin_username=admin_username,
                admin_first_name=admin_first_name,
                admin_last_name=admin_last_name,
                admin_password=password,
                schools=parsed,  # type: ignore[arg-type]
            )
        )
    except ClusterError as error:
        sys.exit(str(error))
    click.echo(f"Cluster {made.slug} ({made.name}) created with {len(schools)} school(s).")
    if password is None:
        click.echo(f"First admin: {made.admin_username}  one-time password: {made.admin_password}")
    else:
        click.echo(f"First admin: {made.admin_username} (password as given)")


@main.command()
def worker() -> None:
    """Run background jobs: the SAQ worker (REDIS_URL set), else the table runner alone."""
    settings = _settings()
    configure_logging()
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
