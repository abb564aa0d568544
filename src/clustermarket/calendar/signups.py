"""Teams sign up to present an approved project or product at an event. The event page shows
approved work only: every read filters with moderation's `public_where` of the kind."""

from __future__ import annotations

from typing import Any

from clustermarket.accounts.services import CurrentUser, NotFound
from clustermarket.calendar.services import visible_event
from clustermarket.calendar.tables import EventSignup
from clustermarket.frozen import Prepared
from clustermarket.moderation.content import PRODUCT, PROJECT, ContentKind
from clustermarket.rows import MAX_ROW_ID, parse_row_id
from clustermarket.teams.services import member_teams, school_teams, team_for_worker
from clustermarket.timeutil import now


class SignupError(ValueError):
    """A sign-up the page explains (shown to the user, never a 500)."""


_KINDS: dict[str, ContentKind] = {"project": PROJECT, "product": PRODUCT}


# Built once (`frozen.Prepared`): an event's page lists them on every view.
_PRESENTATIONS = Prepared(
    lambda event_id: (
        EventSignup.select(
            EventSignup.id,
            EventSignup.team.id.as_alias("team_id"),
            EventSignup.team.name.as_alias("team_name"),
            EventSignup.team.slug.as_alias("team_slug"),
            EventSignup.team.school.name.as_alias("school_name"),
            EventSignup.team.school.as_alias("school_id"),
            EventSignup.project.id.as_alias("project_id"),
            EventSignup.project.published_title.as_alias("project_title"),
            EventSignup.product.id.as_alias("product_id"),
            EventSignup.product.published_name.as_alias("product_name"),
        )
        .where(EventSignup.event == event_id)
        .where(
            (EventSignup.project.is_not_null() & PROJECT.public_where(EventSignup.project))
            | (EventSignup.product.is_not_null() & PRODUCT.public_where(EventSignup.product))
        )
        .order_by(EventSignup.team.name)
        .order_by(EventSignup.id)
    )
)


async def presentations(event_id: int) -> list[dict[str, Any]]:
    """What will be presented: approved projects and products only, by team (one query)."""
    rows = await _PRESENTATIONS.run(event_id)
    for row in rows:
        if row["project_id"]:
            row.update(title=row["project_title"], url=PROJECT.url(row["project_id"]))
        else:
            row.update(title=row["product_name"], url=PRODUCT.url(row["product_id"]))
    return rows


def _offered(kind: ContentKind, teams_of: Any) -> Prepared:
    """The approved work of the teams `teams_of(who)` selects, built once (`frozen.Prepared`):
    the event page offers it on every view to a pupil or teacher."""
    table: Any = kind.table
    title = table.published_title if kind is PROJECT else table.published_name
    return Prepared(
        lambda who: table.select(
            table.id, title.as_alias("title"), table.team.name.as_alias("team")
        ).where(table.team.is_in(teams_of(who)) & kind.public_where())
    )


_OFFERED = {
    (kind.name, teacher): _offered(kind, school_teams if teacher else member_teams)
    for kind in (PROJECT, PRODUCT)
    for teacher in (False, True)
}


async def work_to_offer(user: CurrentUser | None) -> list[dict[str, Any]]:
    """The approved work of the user's teams (a pupil's, or a teacher's school's), as
    choices for the sign-up form."""
    if user is None or not (user.is_teacher or user.is_pupil):
        return []
    who = user.school_id if user.is_teacher else user.id
    projects = await _OFFERED[PROJECT.name, user.is_teacher].run(who)
    products = await _OFFERED[PRODUCT.name, user.is_teacher].run(who)
    choices = [
        {"value": f"project:{p['id']}", "label": f"{p['team']}: {p['title']} (project)"}
        for p in projects
    ] + [
        {"value": f"product:{p['id']}", "label": f"{p['team']}: {p['title']} (product)"}
        for p in products
    ]
    return sorted(choices, key=lambda c: c["label"])


async def sign_up(user: CurrentUser, event_id: int, choice: str) -> int:
    """A pupil or teacher of the team signs it up to present an approved piece of work."""
    event = await visible_event(user, event_id, user.cluster_id)  # the user's cluster only
    if event["ends_at"] < now():
        raise SignupError("This event is over: sign up for a coming one.")
    kind_name, _, raw_id = (choice or "").partition(":")
    kind, item_id = _KINDS.get(kind_name), parse_row_id(raw_id)
    if kind is None or item_id is None:
        raise SignupError("Choose the project or product your team will present.")
    item = (
        await kind.table.select(kind.table.id, kind.table.team)
        .where((kind.table.id == item_id) & kind.public_where())
        .first()
    )
    if item is None:
        raise SignupError("Only work a teacher has approved can be presented. Choose another.")
    if not (user.is_pupil or user.is_teacher) or not await team_for_worker(user, item["team"]):
        raise SignupError("Only a pupil or teacher of the team can sign it up.")
    column = EventSignup.project if kind is PROJECT else EventSignup.product
    if await EventSignup.exists().where((EventSignup.event == event_id) & (column == item_id)):
        raise SignupError("That work is already signed up for this event.")
    rows = await EventSignup.insert(
        EventSignup(
            event=event_id,
            team=item["team"],
            project=item_id if kind is PROJECT else None,
            product=item_id if kind is PRODUCT else None,
            signed_up_by=user.id,
            created_at=now(),
        )
    ).returning(EventSignup.id)
    return rows[0]["id"]


async def withdraw(user: CurrentUser, event_id: int, signup_id: int) -> None:
    """A teacher of the team (or the admin) withdraws a sign-up; others get a 404."""
    if not 0 < signup_id <= MAX_ROW_ID:
        raise NotFound()
    row = (
        await EventSignup.select(EventSignup.id, EventSignup.team)
        .where((EventSignup.id == signup_id) & (EventSignup.event == event_id))
        .first()
    )
    if row is None or not user.is_staff or not await team_for_worker(user, row["team"]):
        raise NotFound()
    await EventSignup.delete().where(EventSignup.id == signup_id)
