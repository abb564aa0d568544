"""Pupils own their words: the fields an author may change in their idea, comment or pitch
feedback, checked like a new post, then handed to the moderation workflow
(moderation/revisions.py: edit, withdraw; only the author)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from piccolo.columns import Column

from clustermarket.accounts.services import CurrentUser
from clustermarket.moderation import revisions
from clustermarket.moderation.content import COMMENT, FEEDBACK, IDEA, ContentKind
from clustermarket.sharing.ideas import SharingError, comment_link
from clustermarket.sharing.tables import Comment, Idea, PitchFeedback


@dataclass(frozen=True)
class Field:
    name: str  # the form field
    label: str
    column: Column
    longest: int
    rows: int = 0  # 0: a one-line input
    starter: str = ""  # a sentence starter shown beside the box (pitch feedback)


FIELDS: dict[str, tuple[Field, ...]] = {
    "idea": (
        Field("title", "Title", Idea.title, 120),
        Field("body", "Your idea", Idea.body, 4000, rows=6),
    ),
    "comment": (Field("body", "Your comment", Comment.body, 2000, rows=4),),
    "feedback": (
        Field("works_well", "Works well", PitchFeedback.works_well, 1000, 3, "I like the way…"),
        Field(
            "even_better_if",
            "Even better if",
            PitchFeedback.even_better_if,
            1000,
            3,
            "Have you thought about…",
        ),
    ),
}


def checked_values(kind: ContentKind, form: dict[str, str]) -> dict[Column, str]:
    """The new words by column, or SharingError naming the box to fix."""
    values = {}
    for field in FIELDS[kind.name]:
        text = (form.get(field.name) or "").strip()
        if not text:
            raise SharingError(f"Please fill in “{field.label}”.")
        if len(text) > field.longest:
            raise SharingError(f"Please keep “{field.label}” under {field.longest} characters.")
        values[field.column] = text
    return values


def form_of(kind: ContentKind, row: dict[str, Any]) -> dict[str, str]:
    """What the edit form shows first: the author's latest words."""
    return {field.name: row[field.column._meta.name] for field in FIELDS[kind.name]}


async def edit_own(actor: CurrentUser, kind: ContentKind, content_id: int, form: dict) -> str:
    values = checked_values(kind, form)
    if kind is FEEDBACK:  # nothing is taken after a pitch round's closing time
        from clustermarket.sharing.pitch import entry_by_id, round_by_id

        row = await revisions.own_item(actor, kind, content_id)
        entry = await entry_by_id(row["entry"], actor.cluster_id)
        if not (await round_by_id(entry["round"], actor.cluster_id))["open"]:
            raise SharingError("This pitch round has closed, so its feedback stays as it is.")
    return await revisions.revise(actor, kind, content_id, values)


async def where_it_shows(actor: CurrentUser, kind: ContentKind, row: dict[str, Any]) -> str:
    """The page the words appear on, for the links back from the edit page."""
    if kind is IDEA:
        return f"/ideas/{row['id']}"
    if kind is COMMENT:
        return await comment_link(actor, row["id"])
    assert kind is FEEDBACK
    return f"/pitch/entries/{row['entry']}#feedback-{row['id']}"


def after_withdrawal(kind: ContentKind, row: dict[str, Any], gone: bool) -> str:
    """Where the author lands once the words are withdrawn (`gone`: the whole item)."""
    if kind is IDEA:
        return "/ideas" if gone else f"/ideas/{row['id']}"
    if kind is COMMENT:
        if row["target_type"] == "idea":
            return f"/ideas/{row['target_id']}"
        return f"/feedback/{row['target_type']}/{row['target_id']}"
    return f"/pitch/entries/{row['entry']}"
