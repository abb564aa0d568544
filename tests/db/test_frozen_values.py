"""Statements made once per key are sent with their values written in (`frozen.py`), so that
PostgreSQL plans each once per connection instead of on every view (issue 17, target 5):
the values' spelling, the same rows as with parameters, and the pages that rely on it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from clustermarket.accounts.tables import Role, User
from clustermarket.catalogue.tables import ContentStatus
from clustermarket.frozen import freeze_with_values, sql_literal
from tests.conftest import make_user, sign_in
from tests.demo_rows import restore_demo_data


def test_each_kind_of_value_has_one_spelling() -> None:
    assert sql_literal(42, "postgres") == "42" and sql_literal(-7, "sqlite") == "-7"
    assert sql_literal(True, "postgres") == "TRUE" and sql_literal(False, "postgres") == "FALSE"
    assert sql_literal(True, "sqlite") == "1" and sql_literal(False, "sqlite") == "0"
    assert sql_literal(None, "postgres") == "NULL"
    assert sql_literal("O'Brien", "postgres") == "'O''Brien'"
    assert sql_literal("'; DROP TABLE app_user; --", "sqlite") == "'''; DROP TABLE app_user; --'"
    assert sql_literal(ContentStatus.pending, "postgres") == "'pending'"
    assert sql_literal(dt.date(2026, 9, 1), "sqlite") == "'2026-09-01'"


@pytest.mark.parametrize(
    "value", [dt.datetime(2026, 9, 1, tzinfo=dt.UTC), 1.5, b"bytes", "nul\x00", [1, 2]]
)
def test_a_value_without_a_certain_spelling_is_refused(value: Any) -> None:
    with pytest.raises(TypeError):
        sql_literal(value, "postgres")


async def test_values_written_in_give_the_same_rows(client) -> None:
    await make_user("obrien", first_name="O'Brien", last_name="Smith")
    await make_user("quoted", first_name="'; DROP TABLE app_user; --", last_name="Jones")
    await make_user("teacher1", role=Role.teacher, first_name="O'Brien")

    def query() -> Any:
        return (
            User.select(User.username, User.first_name)
            .where(
                (User.first_name == "O'Brien") & (User.role == Role.pupil) & (User.active == True)
            )  # noqa: E712
            .order_by(User.username)
        )

    frozen = freeze_with_values(query())
    [querystring] = frozen.query.querystrings
    sql, values = querystring.compile_string(User._meta.db.engine_type)
    assert values == [] and "'O''Brien'" in sql
    assert await frozen.run() == await query() == [{"username": "obrien", "first_name": "O'Brien"}]

    odd = freeze_with_values(
        User.select(User.username).where(User.first_name == "'; DROP TABLE app_user; --")
    )
    assert await odd.run() == [{"username": "quoted"}]
    assert await User.count() >= 3  # the table is still there


async def test_a_moment_keeps_its_parameters(client) -> None:
    await make_user("early")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    frozen = freeze_with_values(User.select(User.username).where(User.created_at < later))
    [querystring] = frozen.query.querystrings
    assert querystring.compile_string(User._meta.db.engine_type)[1] == [later]
    assert {"username": "early"} in await frozen.run()


@contextmanager
def statements_sent() -> Iterator[list[tuple[str, list[Any]]]]:
    """Every statement sent meanwhile, as (SQL, its parameters)."""
    from piccolo_conf import DB

    sent: list[tuple[str, list[Any]]] = []
    engine_class = type(DB)
    original = engine_class.run_querystring

    async def recording(engine: Any, querystring: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(querystring.compile_string(engine.engine_type))
        return await original(engine, querystring, *args, **kwargs)

    engine_class.run_querystring = recording  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        engine_class.run_querystring = original  # type: ignore[method-assign]


def with_text(sent: list[tuple[str, list[Any]]], *words: str) -> list[tuple[str, list[Any]]]:
    return [(sql, values) for sql, values in sent if all(word in sql for word in words)]


async def test_the_admins_pages_send_their_fixed_statements_without_parameters(client) -> None:
    await restore_demo_data()
    await sign_in(client, "admin", "cluster-admin-demo")
    for path in ("/moderation", "/reports?report=products", "/staff/orders"):
        assert (await client.get(path)).status_code == 200  # each statement made on first use
    with statements_sent() as sent:
        queue = await client.get("/moderation")
        report = await client.get("/reports?report=products")
        orders = await client.get("/staff/orders")
    assert queue.status_code == report.status_code == orders.status_code == 200
    assert 'class="card mod-item"' in queue.text
    # The queue: which kinds have items, each kind's items, the badge, the waits, the classes.
    fixed = (
        with_text(sent, "EXISTS (SELECT")
        + with_text(sent, '"status" IN', "ORDER BY")
        + with_text(sent, "UNION ALL", '"submitted_at"')
        + with_text(sent, '"school_class"')
    )
    assert len(fixed) >= 5, sent
    assert all(values == [] for _, values in fixed), [s for s in fixed if s[1]]
    # A page of the products report and of the orders.
    [(_, report_values)] = with_text(sent, "sale_year_total", "ranked")
    [(_, orders_values)] = with_text(sent, "order_cluster_count")
    assert report_values == [] and orders_values == []


async def test_a_prepared_query_is_built_once_and_run_with_each_runs_values(client) -> None:
    from clustermarket.frozen import Prepared

    await make_user("anna", first_name="Anna", last_name="Ames")
    await make_user("obrien", first_name="O'Brien", last_name="Smith")
    built = []

    def build(first_name: Any, role: Any) -> Any:
        built.append((first_name, role))
        return (
            User.select(User.username)
            .where((User.first_name == first_name) & (User.role == role))
            .first()
        )

    prepared = Prepared(build)
    assert await prepared.run("Anna", Role.pupil) == {"username": "anna"}
    assert await prepared.run("O'Brien", Role.pupil) == {"username": "obrien"}
    assert await prepared.run("O'Brien", Role.teacher) is None
    assert len(built) == 1  # the query was built once

    listed = Prepared(
        lambda role: User.select(User.username).where(User.role == role).order_by(User.username)
    )
    pupils = await listed.run(Role.pupil)
    assert {"username": "anna"} in pupils and {"username": "obrien"} in pupils
    assert pupils == await User.select(User.username).where(User.role == Role.pupil).order_by(
        User.username
    )
    exists = Prepared(lambda name: User.exists().where(User.username == name))
    assert await exists.run("anna") is True and await exists.run("nobody") is False


async def test_a_prepared_query_run_with_none_is_built_as_piccolo_would(client) -> None:
    from clustermarket.frozen import Prepared

    await make_user("noschool", role=Role.community, school=None)
    by_school = Prepared(lambda school: User.select(User.username).where(User.school == school))
    assert {"username": "noschool"} in await by_school.run(None)  # IS NULL, not = NULL


async def test_the_signed_in_lists_are_not_built_again_on_each_view(client) -> None:
    """A None for a filter the list's shape has not is not in its SQL: it must not make
    `Prepared` build the query afresh on every view (a signed-in home page did)."""
    from clustermarket.catalogue import services as catalogue
    from clustermarket.projects import services as projects
    from tests.conftest import seeded_cluster

    cluster_id = await seeded_cluster()
    for listing, listed in (
        (catalogue.public_products, catalogue._public_list(False, False, 60)),
        (projects.public_projects, projects._public_list(False, False, False, 60)),
    ):
        await listing(cluster_id=cluster_id)
        built, original = [], listed.build
        listed.build = lambda *values, original=original, built=built: (
            built.append(values) or original(*values)
        )
        try:
            await listing(cluster_id=cluster_id)
        finally:
            listed.build = original
        assert built == [], f"{listing.__name__} built its query again"


async def test_the_rows_that_wait_have_their_own_indexes(client) -> None:
    """The moderation queue's pending rows, indexed on their own (`db.waiting_indexes`): a
    partial index per moderated table, on both engines."""
    if User._meta.db.engine_type == "sqlite":
        sql = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name LIKE '%_waiting'"
    else:
        sql = (
            "SELECT indexname AS name, indexdef AS sql FROM pg_indexes"
            " WHERE indexname LIKE '%\\_waiting'"
        )
    found = {row["name"]: row["sql"] for row in await User.raw(sql)}
    tables = ("product", "project", "idea", "comment", "pitch_feedback", "forum_post")
    assert set(found) == {f"{table}_waiting" for table in tables}
    assert all("pending" in sql for sql in found.values())
