"""The moderation log's true total comes from counts per school that triggers on the log
keep (issue 17, target 5): after entries are added, moved to another school and removed,
the counts equal a fresh count of the log, on both engines, and the page shows them."""

from __future__ import annotations

from clustermarket.accounts.tables import Role
from clustermarket.moderation.log import entries_of_no_school, log_action
from clustermarket.moderation.tables import ModerationLog, ModerationLogCount
from clustermarket.schools.tables import School
from clustermarket.settings import get_settings
from clustermarket.timeutil import now
from piccolo_conf import DB
from tests.conftest import (
    another_cluster,
    make_user,
    school_id,
    seeded_cluster,
    sign_in,
    sqlite_plan,
)


async def fresh_counts() -> dict[int, int]:
    """school_key -> entries, counted from the log itself (0: entries of no school)."""
    counts: dict[int, int] = {}
    for row in await ModerationLog.select(ModerationLog.school):
        key = row["school"] or 0
        counts[key] = counts.get(key, 0) + 1
    return counts


async def kept_counts() -> dict[int, int]:
    count = ModerationLogCount
    rows = await count.select(count.school_key, count.entries)
    return {r["school_key"]: r["entries"] for r in rows if r["entries"]}


async def approve(actor: int, n: int, school: int | None) -> None:
    """Log the approval of product `n` by `actor`, of `school` (None: of no school)."""
    await log_action(
        actor_id=actor,
        action="approve",
        subject_type="product",
        subject_id=n,
        subject_label=f"Entry {n}",
        school_id=school,
    )


async def test_the_logs_counts_follow_every_entry_added_moved_and_removed(client) -> None:
    aylsham = await school_id("aylsham-high")
    other = (await School.select(School.id).where(School.id != aylsham).first())["id"]
    teacher = await make_user("staylor", role=Role.teacher)
    await make_user("admin", role=Role.admin, school=None)

    async def log(n: int, school: int | None) -> None:
        for i in range(n):
            await approve(teacher, i, school)

    await log(7, aylsham)
    await log(3, other)
    await log(2, None)
    assert await kept_counts() == await fresh_counts()
    assert (await kept_counts())[aylsham] >= 7

    # An entry moved to another school (its school removed: set to none), entries removed.
    moved = await ModerationLog.select(ModerationLog.id).where(ModerationLog.school == aylsham)
    await ModerationLog.update({ModerationLog.school: None}).where(
        ModerationLog.id == moved[0]["id"]
    )
    await ModerationLog.update({ModerationLog.school: other}).where(
        ModerationLog.id == moved[1]["id"]
    )
    await ModerationLog.delete().where(ModerationLog.id == moved[2]["id"])
    await ModerationLog.update({ModerationLog.subject_label: "erased"}).where(
        ModerationLog.id == moved[3]["id"]
    )
    expected = await fresh_counts()
    assert await kept_counts() == expected

    await sign_in(client, "staylor")
    page = await client.get("/moderation/log")
    assert f"{expected[aylsham]} entries" in page.text
    client.cookies.clear()
    await sign_in(client, "admin")
    page = await client.get("/moderation/log")
    assert f"{sum(expected.values())} entries" in page.text


async def test_entries_of_no_school_are_counted_from_their_index_not_their_actors() -> None:
    """A cluster's entries of no school (few) are its actors'; counted without reading every
    entry those actors logged for a school (many): on SQLite, from the index of no school."""
    teachers = [await make_user(f"teacher{n}", role=Role.teacher) for n in range(20)]
    admin = await make_user("admin", role=Role.admin, school=None)
    other = await another_cluster()
    far = await make_user("far", role=Role.admin, school=None, cluster_id=other)
    # More actors than schools, each logging many entries: what made the joined count
    # start from the actors on the bench's scale set.
    schools = [row["id"] for row in await School.select(School.id)]
    entries = [(teachers[n % 20], schools[n % len(schools)]) for n in range(600)]
    entries += [(admin, None)] * 3 + [(far, None)] * 2
    await ModerationLog.insert(
        *(
            ModerationLog(
                actor=actor,
                action="approve",
                subject_type="product",
                subject_id=n,
                school=school,
                created_at=now(),
            )
            for n, (actor, school) in enumerate(entries)
        )
    )
    assert (await entries_of_no_school(await seeded_cluster()))[0]["entries"] == 3
    assert (await entries_of_no_school(other))[0]["entries"] == 2
    if get_settings().is_postgres:
        return
    await DB.run_ddl("ANALYZE")
    plan = await sqlite_plan(entries_of_no_school(await seeded_cluster()))
    steps = " / ".join(plan)
    assert "SEARCH moderation_log USING INDEX moderation_log_school" in steps, steps
    assert "moderation_log_actor" not in steps, steps


async def test_the_written_page_is_the_rows_piccolo_selected_for_each_reader() -> None:
    """`log_entries` writes its page as SQL: per school (a teacher) and per cluster (an
    admin: its schools' entries and its own accounts' entries of no school, not another
    cluster's), the same rows, names and order as Piccolo's joined select, page by page."""
    from clustermarket.moderation.log import log_entries

    aylsham = await school_id("aylsham-high")
    teacher = await make_user("staylor", role=Role.teacher)
    admin = await make_user("admin", role=Role.admin, school=None)
    other = await another_cluster()
    far = await make_user("far", role=Role.admin, school=None, cluster_id=other)
    far_school = await School.insert(
        School(name="Far Primary", slug="far-primary", cluster=other)
    ).returning(School.id)
    schools = [row["id"] for row in await School.select(School.id)]
    entries = [(teacher, schools[n % len(schools)]) for n in range(70)]
    entries += [(admin, None)] * 4 + [(far, None)] * 3 + [(far, far_school[0]["id"])] * 2
    for n, (actor, school) in enumerate(entries):
        await approve(actor, n, school)
    log = ModerationLog
    columns = (log.all_columns(), log.actor.username.as_alias("actor_username"))
    columns += (log.school.name.as_alias("school_name"),)
    cluster = await seeded_cluster()
    readers = {
        (aylsham, cluster): log.school == aylsham,
        (None, cluster): (log.school.cluster == cluster)
        | (log.school.is_null() & (log.actor.cluster == cluster)),
        (None, other): (log.school.cluster == other)
        | (log.school.is_null() & (log.actor.cluster == other)),
    }
    for (school, of_cluster), where in readers.items():
        expected = await log.select(*columns).where(where).order_by(log.id, ascending=False)
        assert expected, (school, of_cluster)
        shown = []
        for number in (1, 2):
            page = await log_entries(school_id=school, cluster_id=of_cluster, number=number)
            assert page.total == len(expected)
            shown += page.items if number <= -(-page.total // page.size) else []
        assert shown == expected
