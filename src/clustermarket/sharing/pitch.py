"""Pitch rounds: before a market day the admin opens a round; teams put a product or project
up; pupils of other schools answer "works well" and "even better if" (moderated by their own
teacher); the team reads the approved feedback on one page and marks what it changed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from clustermarket.accounts.services import CurrentUser, NotFound
from clustermarket.catalogue.tables import Product
from clustermarket.frozen import Prepared
from clustermarket.media.services import photos_for
from clustermarket.moderation.content import FEEDBACK, as_seen_by
from clustermarket.moderation.services import send_new
from clustermarket.projects.tables import Project
from clustermarket.rows import parse_row_id
from clustermarket.sharing.ideas import (
    SharingError,
    author_columns,
    in_cluster,
    may_post,
    with_author_names,
)
from clustermarket.sharing.tables import PitchEntry, PitchFeedback, PitchRound
from clustermarket.teams.services import member_teams, school_teams, team_for_worker
from clustermarket.timeutil import UK, now


def parse_uk_datetime(text: str) -> dt.datetime:
    """A closing time typed in UK time (an HTML datetime-local field), as UTC."""
    try:
        local = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise SharingError(
            "Please give the closing date and time, like 2026-12-05 16:00."
        ) from None
    if local.tzinfo is None:
        local = local.replace(tzinfo=UK)
    return local.astimezone(dt.UTC)


def _round_in(cluster_id: int | None) -> Any:
    """A round of one cluster (issue 15; `cluster_id` is the request's): by its market day,
    or, opened for no market day, by the account of the admin who opened it."""
    return (PitchRound.market_day.cluster == cluster_id) | (  # type: ignore[attr-defined]
        PitchRound.created_by.cluster == cluster_id  # type: ignore[attr-defined]
    )


def is_open(round_row: dict[str, Any]) -> bool:
    closes = round_row["closes_at"]
    if closes.tzinfo is None:  # SQLite hands back naive UTC in some paths
        closes = closes.replace(tzinfo=dt.UTC)
    return closes > now()


async def open_round(
    actor: CurrentUser, *, title: str, closes_at: str, market_day_id: int | None = None
) -> int:
    if not actor.is_admin:
        raise SharingError("Only the cluster admin opens pitch rounds.")
    title = title.strip()
    if not 3 <= len(title) <= 120:
        raise SharingError("Please give the round a name (3 to 120 characters).")
    closes = parse_uk_datetime(closes_at)
    if closes <= now():
        raise SharingError("The closing time must be in the future.")
    if market_day_id is not None:
        from clustermarket.market.tables import MarketDay

        ours = (MarketDay.id == market_day_id) & (MarketDay.cluster == actor.cluster_id)
        if not await MarketDay.exists().where(ours):
            raise SharingError("That market day was not found.")
    [row] = await PitchRound.insert(
        PitchRound(
            title=title,
            market_day=market_day_id,
            closes_at=closes,
            created_by=actor.id,
            created_at=now(),
        )
    ).returning(PitchRound.id)
    return row["id"]


_ROUNDS = Prepared(  # built once: the pitch page lists them on every view
    lambda cluster_id: (
        PitchRound.select()
        .where(_round_in(cluster_id))
        .order_by(PitchRound.closes_at, ascending=False)
    )
)


async def rounds(cluster_id: int | None) -> list[dict[str, Any]]:
    rows = await _ROUNDS.run(cluster_id)
    for row in rows:
        row["open"] = is_open(row)
    return rows


async def round_by_id(round_id: int, cluster_id: int | None) -> dict[str, Any]:
    """The round, if it is of `cluster_id`; NotFound otherwise (another cluster's too)."""
    if cluster_id is None:
        raise NotFound()
    row = await _ROUND.run(round_id, cluster_id)
    if row is None:
        raise NotFound()
    row["open"] = is_open(row)
    return row


_ROUND = Prepared(
    lambda round_id, cluster_id: (
        PitchRound.select().where((PitchRound.id == round_id) & _round_in(cluster_id)).first()
    )
)


def _entry_columns() -> list[Any]:
    """The entry with what is being judged: the approved name, price and description of
    its product (or title and summary of its project), and whether that is still on show."""
    return [
        *PitchEntry.all_columns(),
        PitchEntry.team.name.as_alias("team_name"),
        PitchEntry.team.school.as_alias("school_id"),
        PitchEntry.team.school.name.as_alias("school_name"),
        PitchEntry.product.published_name.as_alias("product_name"),
        PitchEntry.product.published_price_pence.as_alias("product_price_pence"),
        PitchEntry.product.published_description.as_alias("product_description"),
        PitchEntry.product.is_public.as_alias("product_public"),
        PitchEntry.product.active.as_alias("product_active"),
        PitchEntry.project.published_title.as_alias("project_title"),
        PitchEntry.project.published_summary.as_alias("project_summary"),
        PitchEntry.project.is_public.as_alias("project_public"),
    ]


async def with_showcase(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each entry's `on_show` (its product or project is still public) and `photos` (the
    published ones, only then): two queries however many entries."""
    for entry in entries:
        entry["on_show"] = bool(
            entry["product_public"] and entry["product_active"]
            if entry["product"]
            else entry["project_public"]
        )
    shown = [e for e in entries if e["on_show"]]
    photos = {
        kind: await photos_for(kind, [e[kind] for e in shown if e[kind]], published=True)
        for kind in ("product", "project")
    }
    for entry in entries:
        kind = "product" if entry["product"] else "project"
        entry["photos"] = photos[kind].get(entry[kind], []) if entry["on_show"] else []
    return entries


async def entries_of(round_id: int) -> list[dict[str, Any]]:
    return await with_showcase(await _ENTRIES.run(round_id))


_ENTRIES = Prepared(
    lambda round_id: (
        PitchEntry.select(*_entry_columns())
        .where(PitchEntry.round == round_id)
        .order_by(PitchEntry.id)
    )
)


# Built once (`frozen.Prepared`): each entry's page and each feedback on it asks it.
_ENTRY = Prepared(
    lambda entry_id, cluster_id: (
        PitchEntry.select(*_entry_columns())
        .where((PitchEntry.id == entry_id) & (PitchEntry.team.school.cluster == cluster_id))  # type: ignore[attr-defined]
        .first()
    )
)


async def entry_by_id(entry_id: int, cluster_id: int | None) -> dict[str, Any]:
    """The entry, if its team's school is of `cluster_id`; NotFound otherwise."""
    if cluster_id is None:
        row = None
    else:
        row = await _ENTRY.run(entry_id, cluster_id)
    if row is None:
        raise NotFound()
    return (await with_showcase([row]))[0]


def _pitchable(table: Any, title: Any, teams_of: Any) -> Prepared:
    """Live items of a cluster's teams (the admin's), or of the teams `teams_of(who)`
    selects, built once (`frozen.Prepared`): the round's page offers them on every view."""

    def build(cluster_id: Any, who: Any) -> Any:
        # the admin's choice: every team of their cluster (issue 15)
        where = (table.is_public == True) & (table.team.school.cluster == cluster_id)  # noqa: E712
        if teams_of is not None:
            where &= table.team.is_in(teams_of(who))
        return table.select(
            table.id, title.as_alias("title"), table.team.name.as_alias("team_name")
        ).where(where)

    return Prepared(build)


_PITCHABLE = {
    (kind, who): _pitchable(table, title, teams_of)
    for kind, table, title in (
        ("product", Product, Product.published_name),
        ("project", Project, Project.published_title),
    )
    for who, teams_of in (("admin", None), ("teacher", school_teams), ("pupil", member_teams))
}


async def pitchable_items(actor: CurrentUser) -> list[dict[str, Any]]:
    """Live products and projects of the teams the actor works for, as "product:5" choices."""
    if actor.is_admin:
        who, value = "admin", 0
    elif actor.is_teacher:
        who, value = "teacher", actor.school_id
    else:
        who, value = "pupil", actor.id
    items = []
    for kind in ("product", "project"):
        for row in await _PITCHABLE[kind, who].run(actor.cluster_id, value):
            items.append(
                {"value": f"{kind}:{row['id']}", "label": f"{row['title']} ({row['team_name']})"}
            )
    return items


async def add_entry(actor: CurrentUser, round_id: int, item: str, question: str) -> int:
    """A team puts one of its live products or projects up for feedback."""
    round_row = await round_by_id(round_id, actor.cluster_id)
    if not round_row["open"]:
        raise SharingError("This pitch round has closed.")
    kind, _, raw_id = item.partition(":")
    item_id = parse_row_id(raw_id)
    if kind not in ("product", "project") or item_id is None:
        raise SharingError("Please choose a product or project.")
    table = Product if kind == "product" else Project
    row = (
        await table.select(table.team)
        .where(
            (table.id == item_id)
            & (table.is_public == True)
            & (table.team.school.cluster == actor.cluster_id)  # type: ignore[attr-defined]
        )
        .first()
    )
    if row is None or await team_for_worker(actor, row["team"]) is None:
        raise SharingError("Please choose one of your team's live products or projects.")
    column = PitchEntry.product if kind == "product" else PitchEntry.project
    if await PitchEntry.exists().where((PitchEntry.round == round_id) & (column == item_id)):
        raise SharingError("That is already in this round.")
    question = question.strip()
    if len(question) > 300:
        raise SharingError("Please keep the question under 300 characters.")
    [entry] = await PitchEntry.insert(
        PitchEntry(
            round=round_id,
            team=row["team"],
            question=question,
            created_by=actor.id,
            created_at=now(),
            **{kind: item_id},
        )
    ).returning(PitchEntry.id)
    return entry["id"]


async def give_feedback(
    actor: CurrentUser, entry_id: int, works_well: str, even_better_if: str
) -> int:
    entry = await entry_by_id(entry_id, actor.cluster_id)
    if not (await round_by_id(entry["round"], actor.cluster_id))["open"]:
        raise SharingError("This pitch round has closed.")
    if not may_post(actor):
        raise SharingError("Only pupils and staff of the cluster's schools can give feedback.")
    if actor.is_pupil and actor.school_id == entry["school_id"]:
        raise SharingError("Pitch feedback comes from other schools' pupils.")
    works_well, even_better_if = works_well.strip(), even_better_if.strip()
    if not works_well or not even_better_if:
        raise SharingError("Please fill in both boxes: what works well, and even better if.")
    if len(works_well) > 1000 or len(even_better_if) > 1000:
        raise SharingError("Please keep each box under 1000 characters.")
    values = {
        PitchFeedback.entry: entry_id,
        PitchFeedback.receiving_school: entry["school_id"],
        PitchFeedback.works_well: works_well,
        PitchFeedback.even_better_if: even_better_if,
    }
    return await send_new(actor, FEEDBACK, values)


async def feedback_on(
    actor: CurrentUser, entry: dict[str, Any], *, is_team: bool
) -> list[dict[str, Any]]:
    """The team (and its teachers) see all approved feedback; others see only their own.
    `is_team`: `team_for_worker(actor, entry["team"])` found the team (the page asks it)."""
    if is_team:
        rows = await _PUBLIC_FEEDBACK.run(entry["id"])
    else:
        rows = await _OWN_FEEDBACK.run(entry["id"], actor.id)
    rows = with_author_names(rows)
    as_seen_by(FEEDBACK, rows, actor.id)
    return rows


def _feedback(where: Any) -> Any:
    return (
        PitchFeedback.select(*PitchFeedback.all_columns(), *author_columns(PitchFeedback))
        .where(where)
        .order_by(PitchFeedback.id)
    )


# Built once (`frozen.Prepared`): an entry's page reads one of them on every view.
_PUBLIC_FEEDBACK = Prepared(
    lambda entry_id: _feedback(
        (PitchFeedback.entry == entry_id) & (PitchFeedback.is_public == True)  # noqa: E712
    )
)
_OWN_FEEDBACK = Prepared(
    lambda entry_id, author_id: _feedback(
        (PitchFeedback.entry == entry_id) & (PitchFeedback.author == author_id)
    )
)


async def mark_changed(actor: CurrentUser, feedback_id: int, changed: bool) -> int:
    """The team marks a piece of feedback as something it changed. Returns the entry id."""
    row = (
        await PitchFeedback.select(PitchFeedback.entry, PitchFeedback.entry.team.as_alias("team"))
        .where(
            (PitchFeedback.id == feedback_id)
            & (PitchFeedback.is_public == True)
            & in_cluster(PitchFeedback, actor)
        )
        .first()
    )
    if row is None or await team_for_worker(actor, row["team"]) is None:
        raise NotFound()
    await PitchFeedback.update({PitchFeedback.changed: changed}).where(
        PitchFeedback.id == feedback_id
    )
    return row["entry"]


async def feedback_entry(actor: CurrentUser, feedback_id: int) -> int:
    row = (
        await PitchFeedback.select(PitchFeedback.entry)
        .where(
            (PitchFeedback.id == feedback_id)
            & ((PitchFeedback.is_public == True) | (PitchFeedback.author == actor.id))
            & in_cluster(PitchFeedback, actor)
        )
        .first()
    )
    if row is None:
        raise NotFound()
    return row["entry"]
