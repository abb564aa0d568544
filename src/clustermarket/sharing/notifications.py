"""In-app notifications: a line of text and a link to what it is about (the idea, product,
pitch entry, or the author's own page with the teacher's decision), per user. One is marked
read when it is opened (through `/notifications/{id}/open`); one without a link when the
list is read."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from clustermarket.frozen import Prepared, raw
from clustermarket.moderation.content import KINDS
from clustermarket.sharing.tables import Notification, PitchEntry
from clustermarket.teams.tables import TeamMember
from clustermarket.timeutil import now
from clustermarket.web import badge

NOUNS = {
    "product": "product",
    "project": "project",
    "idea": "idea",
    "comment": "comment",
    "feedback": "pitch feedback",
    "forum": "forum post",
}


async def notify(user_ids: Iterable[int | None], text: str, link: str = "") -> None:
    users = sorted({u for u in user_ids if u is not None})
    if users:
        badge.changed()  # maybe the signed-in user's own: their page asks for the count
        created = now()
        await Notification.insert(
            *[
                Notification(user=u, text=text[:300], link=link[:200], created_at=created)
                for u in users
            ]
        )


async def team_members(team_id: int) -> list[int]:
    rows = await TeamMember.select(TeamMember.user).where(TeamMember.team == team_id)
    return [r["user"] for r in rows]


def _quote(text: str, length: int = 60) -> str:
    text = " ".join(text.split())
    return f"“{text[:length]}{'…' if len(text) > length else ''}”"


async def after_decision(kind_name: str, row: dict[str, Any], action: str) -> None:
    """Tell the author their content was approved or sent back (with the feedback); on
    approval of a comment or pitch feedback, tell the team (or idea author) it was given."""
    kind = KINDS[kind_name]
    noun = NOUNS[kind_name]
    label = _quote(str(row[kind.title._meta.name] or ""))
    # Products and projects: the team's edit page; the sharing kinds: where it shows once
    # approved, the author's edit page (with the teacher's feedback) when sent back.
    edit_page = kind.url(row["id"]) + "/edit"
    if action == "approve":
        link = edit_page if kind.editable else kind.url(row["id"])
        await notify([row[kind.author._meta.name]], f"Your {noun} {label} was approved.", link)
        await _tell_receivers(kind_name, row)
    elif action == "reject":
        # An adult's forum post has no moderating school: the admin decided it.
        who = "The cluster admin" if row.get("school_id") is None else "Your teacher"
        await notify(
            [row[kind.author._meta.name]],
            f"{who} sent back your {noun} {label}: {row['feedback']}",
            # a forum post cannot be changed once sent: its page shows the feedback
            kind.url(row["id"]) if kind_name == "forum" else edit_page,
        )


async def _tell_receivers(kind_name: str, row: dict[str, Any]) -> None:
    from clustermarket.catalogue.tables import Product
    from clustermarket.projects.tables import Project
    from clustermarket.sharing.tables import Idea

    if kind_name == "comment":
        target, target_id = row["target_type"], row["target_id"]
        if target == "idea":
            idea = await Idea.select(Idea.author).where(Idea.id == target_id).first()
            users = [idea["author"]] if idea else []
        else:
            table = Product if target == "product" else Project
            item = await table.select(table.team).where(table.id == target_id).first()
            users = await team_members(item["team"]) if item else []
        await notify(
            [u for u in users if u != row["author"]],
            f"New comment on your {target}: {_quote(row['body'])}",
            f"/comments/{row['id']}",
        )
    elif kind_name == "feedback":
        entry = (
            await PitchEntry.select(PitchEntry.team).where(PitchEntry.id == row["entry"]).first()
        )
        if entry:
            await notify(
                await team_members(entry["team"]),
                "Your team got new pitch feedback.",
                f"/pitch/entries/{row['entry']}",
            )


async def unread_count(user_id: int) -> int:
    return await Notification.count().where(
        (Notification.user == user_id) & (Notification.read == False)
    )


# Built once (`frozen.Prepared`): the notifications page lists them on every view.
_LATEST = Prepared(
    lambda user_id: (
        Notification.select()
        .where(Notification.user == user_id)
        .order_by(Notification.id, ascending=False)
        .limit(50)
    )
)


async def notifications_for(user_id: int) -> list[dict[str, Any]]:
    """The user's latest 50 notifications, newest first."""
    return await _LATEST.run(user_id)


# Written as SQL (the same on both engines) and compiled once (`frozen.raw`): the
# notifications page marks those without a link read on every view.
_MARK_READ = 'UPDATE notification SET "read" = {} WHERE "user" = {} AND "read" = {}'
_MARK_READ_WITHOUT_LINK = _MARK_READ + " AND link = {}"


async def mark_all_read(user_id: int, *, only_without_link: bool = False) -> None:
    badge.changed()
    if only_without_link:
        await raw(Notification, _MARK_READ_WITHOUT_LINK, True, user_id, False, "")
    else:
        await raw(Notification, _MARK_READ, True, user_id, False)


async def open_notification(user_id: int, notification_id: int) -> str:
    """Mark the user's own notification read; its link (checked by the caller: a path on
    this site). NotFound for anyone else's."""
    from clustermarket.accounts.services import NotFound

    badge.changed()
    rows = (
        await Notification.update({Notification.read: True})
        .where((Notification.id == notification_id) & (Notification.user == user_id))
        .returning(Notification.link)
    )
    if not rows:
        raise NotFound()
    return rows[0]["link"]
