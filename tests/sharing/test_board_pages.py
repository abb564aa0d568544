"""The ideas board's pages (sharing/board_sql.py): the cluster's live ideas and the reader's
own that are not live (waiting, sent back), merged in the board's order, with the true total,
on every page, for each order and filter; nobody else's waiting ideas, no other cluster's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from piccolo.querystring import QueryString

from clustermarket.accounts.services import CurrentUser
from clustermarket.accounts.tables import Role
from clustermarket.catalogue.tables import ContentStatus
from clustermarket.frozen import as_written
from clustermarket.schools.tables import School
from clustermarket.settings import get_settings
from clustermarket.sharing.board_sql import _sql, board_page
from clustermarket.sharing.ideas import ideas_board
from clustermarket.sharing.tables import Idea
from piccolo_conf import DB
from tests.conftest import another_cluster, make_user, school_id, seeded_cluster
from tests.sharing.helpers import two_schools

START = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


async def _ideas() -> tuple[CurrentUser, list[dict]]:
    await two_schools()
    amelia = await make_user("amelia2", first_name="Amelia", last_name="Brown")
    oliver = await make_user("oliver2", school="buxton", first_name="Oliver", last_name="King")
    adult = await make_user("ada2", role=Role.admin, school=None)
    aylsham, buxton = await school_id("aylsham-high"), await school_id("buxton")
    other = await another_cluster()
    reepham = (await School.select(School.id).where(School.cluster == other).first())["id"]
    far = await make_user("far", role=Role.admin, school=None, cluster_id=other)
    rows = []
    for n in range(90):
        author, school = [(amelia, aylsham), (oliver, buxton), (adult, None), (far, reepham)][n % 4]
        public = n % 7 not in (2, 5)  # amelia's and others' waiting or sent back
        status = ContentStatus.approved if public else [ContentStatus.pending, "rejected"][n % 2]
        rows.append(
            Idea(
                author=author,
                school=school,
                tag=["eco", "enterprise", "general"][n % 3],
                title=f"Idea {n}",
                status=status,
                is_public=public,
                # pairs of ideas at the same minute: the id decides between them
                created_at=START + timedelta(minutes=n // 2),
                public_comments=n % 5 if public else 0,
            )
        )
    await Idea.insert(*rows)
    ideas = await Idea.select(
        Idea.id,
        Idea.author,
        Idea.school,
        Idea.tag,
        Idea.is_public,
        Idea.created_at,
        Idea.public_comments,
    )
    reader = CurrentUser(
        amelia,
        "amelia2",
        Role.pupil,
        "Amelia",
        "Brown",
        aylsham,
        "Aylsham High",
        0,
        await seeded_cluster(),
    )
    return reader, [i for i in ideas if i["author"] != far]


async def test_the_board_pages_live_ideas_and_the_readers_own_in_order() -> None:
    reader, ideas = await _ideas()
    own_waiting = [i for i in ideas if i["author"] == reader.id and not i["is_public"]]
    assert len(own_waiting) >= 6  # waiting and sent back, spread over the pages
    buxton = await school_id("buxton")
    for filters in (
        {},
        {"tag": "eco"},
        {"school_id": buxton},
        {"school_id": buxton, "tag": "general"},
    ):
        for order in ("newest", "discussed"):
            seen = [
                i
                for i in ideas
                if (i["is_public"] or i["author"] == reader.id)
                and i["school"] == filters.get("school_id", i["school"])
                and i["tag"] == filters.get("tag", i["tag"])
            ]
            key = (
                (lambda i: (i["created_at"], i["id"]))
                if order == "newest"
                else (lambda i: (i["public_comments"], i["created_at"], i["id"]))
            )
            expected = [i["id"] for i in sorted(seen, key=key, reverse=True)]
            pages = []
            for number in range(1, 5):
                page = await ideas_board(reader, order=order, number=number, **filters)
                assert page.total == len(expected), (filters, order)
                pages.append([item["id"] for item in page.items])
                for item in page.items:
                    assert isinstance(item["created_at"], datetime)
                    assert item["is_public"] in (True, False) and "author_name" in item
            shown = [i for ids in pages[:-1] for i in ids if ids]
            assert pages[-1] == pages[(len(expected) - 1) // 30] or not expected
            assert [i for ids in pages[: (len(expected) - 1) // 30 + 1] for i in ids] == expected, (
                filters,
                order,
            )
            assert shown  # every filter here shows something


@pytest.mark.skipif(get_settings().is_postgres, reason="SQLite's planner")
async def test_on_sqlite_the_live_ideas_are_walked_from_the_boards_index() -> None:
    """Not every idea of the cluster read and sorted (the `is_public` index, a temporary
    b-tree) for a page: the live part of the page walks its order's index and stops (with
    statistics, as the app keeps them: db.py::refresh_sqlite_statistics)."""
    await _ideas()
    await DB.run_ddl("ANALYZE")
    for discussed, index in ((False, "idea_created_at"), (True, "idea_most_discussed")):
        sql = "EXPLAIN QUERY PLAN " + _sql(True, False, False, discussed)
        plan = await DB.run_querystring(QueryString(sql, 1, 1, 5, 1, 1, 30, 0))
        live = [row["detail"] for row in plan][: [row["detail"] for row in plan].index("RIGHT")]
        steps = " / ".join(live)
        assert f"SCAN i USING INDEX {index}" in steps and "TEMP B-TREE" not in steps, steps


@pytest.mark.skipif(not get_settings().is_postgres, reason="PostgreSQL's planner")
async def test_on_postgres_each_part_of_the_page_stops_at_the_pages_end() -> None:
    """PostgreSQL carries no outer LIMIT into a `UNION ALL`: uncut, it read, joined and
    sorted every live idea of the cluster for a page. Each part now has its own LIMIT (the
    page's end) under the merge, so the live part can walk its index and stop."""
    reader, _ = await _ideas()
    await DB.run_ddl("ANALYZE")
    for discussed in (False, True):
        page = board_page(reader.id, reader.cluster_id, None, None, discussed, 30, 0)
        sql, arguments = page.querystrings[0].compile_string("postgres")  # compiled once
        plan = await DB.run_querystring(as_written("EXPLAIN " + sql, arguments))
        lines = [row["QUERY PLAN"] for row in plan]
        merged = next(n for n, line in enumerate(lines) if "Append" in line)
        parts = [line for line in lines[merged + 1 :] if "->  Limit" in line]
        assert len(parts) == 2, "\n".join(lines)
