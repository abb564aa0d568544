"""Issue 15: every account belongs to a cluster; usernames are unique per cluster.

`app_user.cluster` (not null): a pupil's or teacher's is their school's cluster; an account
without a school (admins, community members) belongs to the one cluster that existed before.
The global unique username becomes unique (cluster, username).
SQLite cannot drop a column's UNIQUE: the table is rebuilt the way SQLite documents (foreign
keys off on one connection, copy, drop, rename, indexes again, foreign_key_check), so this
migration runs outside Piccolo's transaction."""

import sqlite3
from enum import Enum

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-11-26T06:51:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "accounts belong to a cluster; usernames unique per cluster"

_CLUSTER_OF = (
    "COALESCE((SELECT s.cluster FROM school s WHERE s.id = app_user.school),"
    " (SELECT MIN(id) FROM cluster))"
)
_UNIQUE = 'CREATE UNIQUE INDEX app_user_cluster_username ON "app_user" ("cluster", "username")'


class AppUser(Table, tablename="app_user", schema=None):
    pass


class Cluster(Table, tablename="cluster", schema=None):
    id = Serial(null=False, primary_key=True, db_column_name="id")


async def _postgres() -> None:
    async with engine_finder().transaction():
        await AppUser.raw(
            'ALTER TABLE "app_user" ADD COLUMN "cluster" INTEGER REFERENCES "cluster" ("id")'
            " ON DELETE RESTRICT ON UPDATE CASCADE"
        )
        await AppUser.raw(f"UPDATE app_user SET cluster = {_CLUSTER_OF}")
        await AppUser.raw('ALTER TABLE "app_user" ALTER COLUMN "cluster" SET NOT NULL')
        await AppUser.raw('ALTER TABLE "app_user" DROP CONSTRAINT app_user_username_key')
        await AppUser.raw(_UNIQUE)


def _sqlite(path: str) -> None:
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("BEGIN IMMEDIATE")
        (sql,) = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'app_user'"
        ).fetchone()
        indexes = [
            row[0]
            for row in conn.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'app_user'"
                " AND sql IS NOT NULL"
            )
        ]
        columns = [row[1] for row in conn.execute('PRAGMA table_info("app_user")')]
        unique = '"username" VARCHAR(60) UNIQUE NOT NULL'
        if unique not in sql:
            raise RuntimeError("app_user is not as expected: username is not UNIQUE")
        new_sql = (
            sql.replace('CREATE TABLE "app_user"', 'CREATE TABLE "app_user_new"', 1)
            .replace(unique, '"username" VARCHAR(60) NOT NULL')
            .rstrip()
            .removesuffix(")")
            + ', "cluster" INTEGER NOT NULL REFERENCES "cluster" ("id")'
            " ON DELETE RESTRICT ON UPDATE CASCADE)"
        )
        conn.execute(new_sql)
        names = ", ".join(f'"{c}"' for c in columns)
        conn.execute(
            f'INSERT INTO "app_user_new" ({names}, "cluster") '
            f"SELECT {names}, {_CLUSTER_OF} FROM app_user"
        )
        conn.execute('DROP TABLE "app_user"')
        conn.execute('ALTER TABLE "app_user_new" RENAME TO "app_user"')
        for index in indexes:
            conn.execute(index)
        conn.execute(_UNIQUE)
        if conn.execute("PRAGMA foreign_key_check").fetchall():
            raise RuntimeError("foreign keys broken by the app_user rebuild")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()


async def _forwards() -> None:
    engine = engine_finder()
    if engine.engine_type == "sqlite":
        _sqlite(engine.path)
    else:
        await _postgres()


class _Recorded(MigrationManager):
    """The raw step changes the table; the changes are also recorded (not run again), so
    Piccolo's `migrations new --auto` knows the table as it is."""

    async def _run_add_columns(self, backwards: bool = False) -> None:
        return None

    async def _run_alter_columns(self, backwards: bool = False) -> None:
        return None


async def forwards():
    manager = _Recorded(
        migration_id=ID, app_name="accounts", description=DESCRIPTION, wrap_in_transaction=False
    )
    manager.add_raw(_forwards)
    manager.add_column(
        table_class_name="User",
        tablename="app_user",
        column_name="cluster",
        db_column_name="cluster",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Cluster,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )
    manager.alter_column(
        table_class_name="User",
        tablename="app_user",
        column_name="username",
        db_column_name="username",
        params={"unique": False},
        old_params={"unique": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )
    roles = {"pupil": "pupil", "teacher": "teacher", "admin": "admin", "community": "community"}
    manager.alter_column(  # a new role, the platform admin (choices only: no SQL)
        table_class_name="User",
        tablename="app_user",
        column_name="role",
        db_column_name="role",
        params={"choices": Enum("Role", {**roles, "platform": "platform"})},
        old_params={"choices": Enum("Role", roles)},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )
    return manager
