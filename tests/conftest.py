"""Test set-up: a clean database per test, on SQLite by default or PostgreSQL when
DATABASE_URL points at one. The environment is set before the app is imported."""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import pytest


def _memory_folder() -> str | None:
    """The tests' files (the SQLite database, media, sessions) in memory where the machine has
    /dev/shm: SQLite's fsync at every commit costs nothing there, and tests wait on the disk
    much less on a busy machine (README, "How long CI takes"). TEST_TMPDIR picks a folder."""
    chosen = os.environ.get("TEST_TMPDIR") or "/dev/shm"
    return chosen if os.path.isdir(chosen) and os.access(chosen, os.W_OK) else None


_TMP = tempfile.mkdtemp(prefix="clustermarket-test-", dir=_memory_folder())
atexit.register(shutil.rmtree, _TMP, True)  # memory, not disk: given back after the run
os.environ["APP_ENV"] = "test"
os.environ["DATA_DIR"] = _TMP
os.environ["SECRET_KEY"] = "test-secret-key-that-is-long-enough-0123456789"
os.environ["PASSWORD_HASH_PROFILE"] = "fast"
# No pool: the test client runs the app on its own event loop (see STACK_NOTES); on PostgreSQL
# connections are kept per loop instead (tests/kept_connections.py).
os.environ["DATABASE_POOL_SIZE"] = "0"
# Jobs run when a test says so (`run_due_jobs`), not from a loop racing the test.
os.environ["JOBS_IN_APP"] = "0"
for name in (
    "REDIS_URL",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "STRIPE_PUBLISHABLE_KEY",
    "STRIPE_API_BASE",
    "SMTP_HOST",
    "PUBLIC_URL",
    "LOGIN_LIMIT_PER_ADDRESS",
    "LOGIN_LIMIT_PER_USERNAME",
):
    os.environ.pop(name, None)
if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
    os.environ["DATABASE_URL"] = f"sqlite:///{_TMP}/test.sqlite3"

from litestar.testing import AsyncTestClient  # noqa: E402
from piccolo.conf.apps import Finder  # noqa: E402
from piccolo.table import sort_table_classes  # noqa: E402

from clustermarket.accounts.services import create_user  # noqa: E402
from clustermarket.accounts.tables import Role  # noqa: E402
from clustermarket.db import migrate  # noqa: E402
from clustermarket.schools.tables import Cluster, School  # noqa: E402
from clustermarket.server import create_app  # noqa: E402
from clustermarket.settings import Settings, get_settings  # noqa: E402
from tests.app_builds import parse_each_signature_once  # noqa: E402

parse_each_signature_once()  # a build of the app per client, cheaper (tests/app_builds.py)
if get_settings().is_postgres:  # a connection per loop, not one per query (README)
    from clustermarket import server
    from piccolo_conf import DB
    from tests.kept_connections import kept_on_app_loops, use_kept_connections

    use_kept_connections(DB)
    kept_on_app_loops(server)

REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def pytest_report_header(config: pytest.Config) -> str:
    url = get_settings().database_url
    return f"database: {re.sub(r'//[^@/]*@', '//***@', url)}"


async def _check_postgres(settings: Settings) -> None:
    import asyncpg

    try:
        conn = await asyncpg.connect(settings.database_url, timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        pytest.exit(
            f"PostgreSQL at DATABASE_URL is not reachable ({error}). Start it, or unset "
            "DATABASE_URL to test on SQLite.",
            returncode=3,
        )
    await conn.close()


def _tables() -> list[Any]:
    return sort_table_classes(Finder().get_table_classes())


@pytest.fixture(scope="session")
async def kept_connections() -> AsyncIterator[None]:
    """The tests' own loop keeps its PostgreSQL connections to the end of the run."""
    from tests.kept_connections import close_this_loops, keep_on_this_loop

    keep_on_this_loop()
    yield
    await close_this_loops()


@pytest.fixture(scope="session")
async def seed_rows(kept_connections: None) -> dict[Any, list[dict[str, Any]]]:
    """Migrate once, wiping what an earlier run left, and remember the rows migrations seed."""
    settings = get_settings()
    if settings.is_postgres:
        await _check_postgres(settings)
        from piccolo_conf import DB

        await DB.run_ddl("DROP SCHEMA public CASCADE")
        await DB.run_ddl("CREATE SCHEMA public")
    await migrate(settings)
    return {table: await table.select() for table in _tables()}


@pytest.fixture(autouse=True)
async def clean_db(seed_rows: dict[Any, list[dict[str, Any]]]) -> None:
    """Every test starts from the freshly migrated database (and no sessions or counters)."""
    await reset_database(seed_rows)


# Tables kept by triggers (the reports' running totals on `sale`, the moderation log's
# counts): made again as their source rows are restored.
TRIGGER_KEPT = {
    "sale_total",
    "sale_year_total",
    "stall_method_total",
    "moderation_log_count",
    "queue_item_count",
    "idea_live_count",
    "order_school",
    "order_school_count",
    "order_cluster_count",
}
# Columns the same triggers add to as sales are restored: restored from zero, not doubled.
TRIGGER_ADDED = {
    "stall": ("taken_cash_pence", "taken_card_pence", "taken_online_pence", "taken_tickets")
}


async def reset_database(seed_rows: dict[Any, list[dict[str, Any]]]) -> None:
    """Back to the freshly migrated database (tests/audit shares one per module)."""
    from piccolo_conf import DB

    shutil.rmtree(os.path.join(_TMP, "stores"), ignore_errors=True)

    tables = _tables()
    names = [t._meta.tablename for t in tables]
    postgres = get_settings().is_postgres
    async with DB.transaction():
        if postgres and await _may_skip_triggers():
            await DB.run_ddl(_postgres_wipe(names))
        elif postgres:
            await DB.run_ddl(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE")
        else:
            for name in reversed(names):
                await DB.run_ddl(f"DELETE FROM {name}")
        for table in tables:
            # Rows kept by triggers are made again as their source rows are restored.
            name = table._meta.tablename
            if seed_rows[table] and name not in TRIGGER_KEPT:
                zeroed = dict.fromkeys(TRIGGER_ADDED.get(name, ()), 0)
                await table.insert(*[table(**{**row, **zeroed}) for row in seed_rows[table]])
        seeded = [t._meta.tablename for t in tables if seed_rows[t]]
        if postgres and seeded:
            await DB.run_ddl(
                "SELECT "
                + ", ".join(
                    f"setval(pg_get_serial_sequence('{name}', 'id'), (SELECT MAX(id) FROM {name}))"
                    for name in seeded
                )
            )


def _postgres_wipe(names: list[str]) -> str:
    """One statement: every table emptied by DELETE with triggers off (no trigger-kept rows
    made on the way, foreign keys not checked: every table goes), then every sequence back to
    its start, as TRUNCATE ... RESTART IDENTITY would. TRUNCATE makes new files for each of
    the ~45 tables and their indexes: 2-3 s a test on a busy machine, DELETE of a few rows
    about 0.3 s (README, "How long CI takes")."""
    deletes = " ".join(f"DELETE FROM {name};" for name in reversed(names))
    return (
        "DO $$ BEGIN PERFORM set_config('session_replication_role', 'replica', true); "
        f"{deletes} PERFORM set_config('session_replication_role', 'origin', true); "
        "PERFORM setval(s.seqrelid, s.seqstart, false) FROM pg_sequence s "
        "JOIN pg_class c ON c.oid = s.seqrelid "
        "WHERE c.relnamespace = current_schema()::regnamespace; "
        "END $$"
    )


_SUPERUSER: list[bool] = []


async def _may_skip_triggers() -> bool:
    """Turning triggers off (session_replication_role) takes a superuser, as CI's `postgres`;
    another role gets the TRUNCATE."""
    if not _SUPERUSER:
        from piccolo_conf import DB

        rows = await DB.run_ddl("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        _SUPERUSER.append(bool(rows and rows[0]["rolsuper"]))
    return _SUPERUSER[0]


@pytest.fixture
def settings() -> Settings:
    return get_settings()


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=create_app(settings)) as test_client:
        yield test_client


def make_client(base_url: str = "http://testserver.local", **overrides: Any) -> AsyncTestClient:
    """A client for an app with some settings changed (e.g. a lower login limit)."""
    return AsyncTestClient(app=create_app(replace(get_settings(), **overrides)), base_url=base_url)


def sibling_client(first: AsyncTestClient, base_url: str | None = None) -> AsyncTestClient:
    """Another browser on the app `first` is running (several people on one server process,
    as on one worker): its own cookies, the same app and event loop, no second build of the
    app and no second start-up (a build is most of a short test's CPU, tests/app_builds.py).
    It runs on `first`'s thread, so it is used only while `first` is open. Tests of what two
    workers share build two apps (`make_client`) instead."""
    other = AsyncTestClient(app=first.app, base_url=base_url or str(first.base_url))
    other.blocking_portal = first.blocking_portal
    return other


@asynccontextmanager
async def another_browser(
    first: AsyncTestClient, base_url: str | None = None
) -> AsyncIterator[AsyncTestClient]:
    """`sibling_client` for an `async with` block (where a test used `make_client()`)."""
    yield sibling_client(first, base_url)


# ------------------------------------------------------------------------ helpers


async def school_id(slug: str) -> int:
    return (await School.select(School.id).where(School.slug == slug).first())["id"]


async def seeded_cluster() -> int:
    """The id of the seeded Aylsham cluster (the installation's first)."""
    return (await Cluster.select(Cluster.id).where(Cluster.slug == "aylsham").first())["id"]


async def another_cluster() -> int:
    """A second cluster (Broadland, one school, Reepham High) beside the seeded one."""
    from clustermarket.clusters.services import create_cluster

    cluster = await create_cluster(
        name="Broadland Cluster",
        slug="broadland",
        host=None,
        admin_username="admin",
        admin_first_name="Bea",
        admin_last_name="Broad",
        admin_password="broadland-password-1",
        schools=[("Reepham High", "high")],
    )
    return cluster.id


async def sqlite_plan(query: Any) -> list[str]:
    """The steps of the plan SQLite chooses for a Piccolo query (EXPLAIN QUERY PLAN)."""
    from piccolo.querystring import QueryString

    from piccolo_conf import DB

    sql, arguments = query.querystrings[0].compile_string(engine_type="sqlite")
    explain = QueryString("EXPLAIN QUERY PLAN " + sql.replace("?", "{}"), *arguments)
    return [row["detail"] for row in await DB.run_querystring(explain)]


async def make_user(
    username: str,
    role: Role = Role.pupil,
    school: str | None = "aylsham-high",
    password: str = "password-123",
    first_name: str = "Test",
    last_name: str = "Person",
    cluster_id: int | None = None,
) -> int:
    """An account; without a school, in `cluster_id` (by default the seeded Aylsham cluster)."""
    if cluster_id is None and school is None:
        cluster_id = await seeded_cluster()
    return await create_user(
        cluster_id=cluster_id,
        username=username,
        password=password,
        role=role,
        first_name=first_name,
        last_name=last_name,
        school_id=await school_id(school) if school else None,
    )


def csrf_token(client: AsyncTestClient) -> str:
    return client.cookies.get("csrftoken") or ""


async def post_form(client: AsyncTestClient, url: str, data: dict[str, Any], **kwargs: Any):
    """Post a form the way a browser does: with the CSRF token from a page with a form."""
    if not csrf_token(client):
        await client.get("/login")
    return await client.post(url, data={**data, "_csrf_token": csrf_token(client)}, **kwargs)


async def sign_in(client: AsyncTestClient, username: str, password: str = "password-123"):
    response = await post_form(
        client, "/login", {"username": username, "password": password}, follow_redirects=False
    )
    assert response.status_code == 302, response.text
    return response


# --------------------------------------------------------------- publishing helpers


async def as_user(username: str):
    """The CurrentUser of an account, as a handler would see it."""
    from clustermarket.accounts.services import load_session_user
    from clustermarket.accounts.tables import User

    row = await User.select(User.id, User.session_epoch).where(User.username == username).first()
    return await load_session_user(row["id"], row["session_epoch"])


async def make_team(
    school: str = "aylsham-high",
    kind: str = "enterprise",
    teacher: str = "staylor",
    pupils: tuple[str, ...] = ("ameliab",),
    name: str = "Aylsham Makers",
) -> dict[str, Any]:
    """A team made as a teacher makes one, with pupil members; users made if missing."""
    from clustermarket.accounts.tables import User
    from clustermarket.teams.services import add_member, create_team, team_for_worker

    if not await User.exists().where(User.username == teacher):
        await make_user(
            teacher, role=Role.teacher, school=school, first_name="Sarah", last_name="Taylor"
        )
    for index, pupil in enumerate(pupils):
        if not await User.exists().where(User.username == pupil):
            await make_user(
                pupil, school=school, first_name=f"Pupil{index}", last_name=f"Surname{index}"
            )
    actor = await as_user(teacher)
    created = await create_team(
        actor,
        school_id=await school_id(school),
        name=name,
        kind=kind,
        description="We make things.",
    )
    team = await team_for_worker(actor, created["id"])
    for pupil in pupils:
        pupil_row = await User.select(User.id).where(User.username == pupil).first()
        await add_member(actor, team, pupil_row["id"], "member")
    return {**team, "slug": created["slug"]}


class QueryCounter:
    """Counts the SQL statements Piccolo sends, by wrapping the engine's one entry point."""

    def __init__(self) -> None:
        from piccolo_conf import DB

        self.engine = DB
        self.count = 0
        self.sent: list[Any] = []  # each statement's QueryString

    def __enter__(self) -> QueryCounter:
        # Engines use __slots__, so the method is wrapped on the class for the duration.
        engine_class = type(self.engine)
        self.original = engine_class.run_querystring

        async def counting(engine: Any, *args: Any, **kwargs: Any) -> Any:
            self.count += 1
            self.sent.append(args[0] if args else kwargs["querystring"])
            return await self.original(engine, *args, **kwargs)

        engine_class.run_querystring = counting  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        type(self.engine).run_querystring = self.original  # type: ignore[method-assign]

    @property
    def statements(self) -> list[tuple[str, list[Any]]]:
        """Each statement sent, as its SQL and values."""
        return [sent.compile_string(self.engine.engine_type) for sent in self.sent]


def png_bytes(size: tuple[int, int] = (64, 48), color: str = "green") -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


from tests.realserver import real_server  # noqa: E402, F401  (a real uvicorn process)
