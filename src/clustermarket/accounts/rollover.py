"""The school year turns over: classes move up, leavers leave, Year 6 moves to high school.

1. `rollover_preview` lists every change; `run_rollover` makes them in one transaction (once
   per school year). A class in the school's last year group leaves: its pupils are marked as
   leaving (signed out, deactivated) with the date after which their data is erased.
2. `hand_over` moves Year 6 leavers of junior and primary schools to their cluster's high
   school (`high_school_of`; a cluster without one refuses the hand-over): the account
   moves (High teachers moderate it from then on); teams, projects and products stay with the
   school and team where they were made.
3. `erase_due_leavers` erases leavers not handed over once their date has passed, with the
   existing erase (the teams' sales totals stay).
Every step is written to the moderation log.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from clustermarket.accounts.classes import year_label
from clustermarket.accounts.pupil_data import erase_pupil
from clustermarket.accounts.services import (
    AccountError,
    CurrentUser,
    NotFound,
    school_for_staff,
    short_name,
)
from clustermarket.accounts.tables import Role, SchoolClass, User
from clustermarket.frozen import Prepared
from clustermarket.moderation.log import log_action
from clustermarket.moderation.tables import ModerationLog
from clustermarket.schools.tables import School
from clustermarket.timeutil import UK, today_uk
from clustermarket.transactions import write_transaction

HIGH_SCHOOL = "aylsham-high"
# The last year group of each phase: its class leaves in the summer.
LAST_YEAR = {"infant": 2, "junior": 6, "primary": 6, "high": 11}
_YEAR_IN_NAME = re.compile(r"\b(?:Year\s*(\d{1,2})|Reception)\b", re.IGNORECASE)


def default_erase_after(today: dt.date) -> dt.date:
    """The end of the autumn term after leaving in the summer (term ends before Christmas)."""
    return dt.date(today.year, 12, 20)


def moved_up_name(name: str, year_group: int) -> str:
    """ "Year 3 Hedgehogs" → "Year 4 Hedgehogs"; a name without a year is kept."""
    return _YEAR_IN_NAME.sub(f"Year {year_group + 1}", name, count=1)


def _school_year_start(today: dt.date) -> dt.datetime:
    """1 August: a rollover counts for the school year that then begins."""
    year = today.year if today.month >= 8 else today.year - 1
    return dt.datetime(year, 8, 1, tzinfo=UK)


# Built once (`frozen.Prepared`): every dashboard asks it.
_HIGH_SCHOOLS = Prepared(
    lambda cluster_id: (
        School.select(School.id, School.name, School.slug)
        .where((School.cluster == cluster_id) & (School.phase == "high"))
        .order_by(School.id)
    )
)


async def high_school_of(cluster_id: int | None) -> dict[str, Any] | None:
    """The high school of a cluster, where its Year 6 leavers go (issue 15): Aylsham High in
    the seeded cluster, else the cluster's first high school; None if it has none."""
    highs = await _HIGH_SCHOOLS.run(cluster_id)
    return next((h for h in highs if h["slug"] == HIGH_SCHOOL), highs[0] if highs else None)


# Built once (`frozen.Prepared`): the rollover page reads them on every view.
_CLASSES_OF_SCHOOL = Prepared(
    lambda school_id: (
        SchoolClass.select(SchoolClass.id, SchoolClass.name, SchoolClass.year_group)
        .where(SchoolClass.school == school_id)
        .order_by(SchoolClass.year_group)
    )
)
_CURRENT_PUPILS = Prepared(
    lambda school_id: User.select(
        User.id, User.first_name, User.last_name, User.username, User.school_class
    ).where((User.school == school_id) & (User.role == Role.pupil) & User.left_on.is_null())
)
_ROLLED_OVER_SINCE = Prepared(
    lambda school_id, since: ModerationLog.exists().where(
        (ModerationLog.action == "school.rollover")
        & (ModerationLog.school == school_id)
        & (ModerationLog.created_at >= since)
    )
)
_LEAVERS = Prepared(
    lambda school_id: (
        User.select(
            User.id,
            User.username,
            User.first_name,
            User.last_name,
            User.year_group,
            User.left_on,
            User.erase_after,
        )
        .where((User.school == school_id) & User.left_on.is_not_null())
        .order_by(User.erase_after)
        .order_by(User.last_name)
    )
)


async def _school(actor: CurrentUser, school_id: int | None) -> dict[str, Any]:
    """The school the actor rolls over: a teacher's own; any of the admin's cluster (issue
    15: another cluster's school is NotFound, like a missing one)."""
    if school_id is None:
        raise NotFound()
    return await school_for_staff(actor, school_id)


@dataclass(frozen=True)
class ClassChange:
    class_id: int
    name: str
    year_group: int | None
    new_name: str
    new_year_group: int | None
    leaving: bool
    pupils: list[dict[str, Any]]

    @property
    def description(self) -> str:
        count = f"{len(self.pupils)} pupil{'s' if len(self.pupils) != 1 else ''}"
        if self.leaving:
            return f"{self.name}: {count} leave the school"
        if self.year_group is None:
            return f"{self.name}: no year group, stays as it is ({count})"
        return f"{self.name} ({year_label(self.year_group)}) becomes {self.new_name} " + (
            f"({year_label(self.new_year_group)}), {count}"
        )


async def rollover_page(
    actor: CurrentUser, school_id: int | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The preview and the leavers of a school, as its rollover page shows both: the school
    looked up (and checked) once."""
    school = await _school(actor, school_id)
    return await _preview(school), await _leavers(actor, school)


async def rollover_preview(actor: CurrentUser, school_id: int | None) -> dict[str, Any]:
    return await _preview(await _school(actor, school_id))


async def _preview(school: dict[str, Any]) -> dict[str, Any]:
    last = LAST_YEAR.get(school["phase"], 11)
    classes = await _CLASSES_OF_SCHOOL.run(school["id"])
    pupils = await _CURRENT_PUPILS.run(school["id"])
    by_class: dict[int, list[dict[str, Any]]] = {}
    for pupil in pupils:
        pupil["short_name"] = short_name(pupil["first_name"], pupil["last_name"])
        by_class.setdefault(pupil["school_class"], []).append(pupil)
    changes = []
    for c in classes:
        year = c["year_group"]
        leaving = year is not None and year >= last
        moves = year is not None and not leaving
        changes.append(
            ClassChange(
                class_id=c["id"],
                name=c["name"],
                year_group=year,
                new_name=moved_up_name(c["name"], year) if moves else c["name"],
                new_year_group=year + 1 if moves else year,
                leaving=leaving,
                pupils=by_class.get(c["id"], []),
            )
        )
    done = await _ROLLED_OVER_SINCE.run(school["id"], _school_year_start(today_uk()))
    return {
        "school": school,
        "changes": changes,
        "already_done": done,
        "erase_after": default_erase_after(today_uk()),
    }


async def run_rollover(
    actor: CurrentUser, school_id: int | None, erase_after: dt.date | None = None
) -> dict[str, Any]:
    """Move the school's classes up a year, as the preview showed; once a school year."""
    preview = await rollover_preview(actor, school_id)
    if preview["already_done"]:
        raise AccountError("This school's classes have already moved up this school year.")
    if erase_after is None or not actor.is_admin:
        erase_after = preview["erase_after"]
    school = preview["school"]
    left_on = today_uk()
    async with write_transaction():
        for change in preview["changes"]:
            if change.leaving:
                ids = [p["id"] for p in change.pupils]
                await User.update(
                    {
                        User.left_on: left_on,
                        User.erase_after: erase_after,
                        User.school_class: None,
                        User.active: False,
                        User.session_epoch: User.session_epoch + 1,
                    }
                ).where(User.id.is_in(ids or [0]))
                for pupil in change.pupils:
                    await _log(
                        actor,
                        "account.leave",
                        "user",
                        pupil["id"],
                        pupil["username"],
                        school["id"],
                        f"erase after {erase_after.isoformat()}",
                    )
                await SchoolClass.delete().where(SchoolClass.id == change.class_id)
                await _log(
                    actor, "class.leave", "class", change.class_id, change.name, school["id"]
                )
            elif change.year_group is not None:
                await SchoolClass.update(
                    {
                        SchoolClass.name: change.new_name,
                        SchoolClass.year_group: change.new_year_group,
                    }
                ).where(SchoolClass.id == change.class_id)
                await User.update({User.year_group: change.new_year_group}).where(
                    (User.school_class == change.class_id) & (User.role == Role.pupil)
                )
                await _log(
                    actor,
                    "class.move_up",
                    "class",
                    change.class_id,
                    f"{change.name} → {change.new_name}",
                    school["id"],
                )
        await _log(actor, "school.rollover", "school", school["id"], school["name"], school["id"])
    return preview


async def _log(
    actor: CurrentUser,
    action: str,
    subject_type: str,
    subject_id: int,
    label: str,
    school_id: int | None,
    reason: str = "",
) -> None:
    await log_action(
        actor_id=actor.id,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        subject_label=label,
        school_id=school_id,
        reason=reason,
    )


# ------------------------------------------------------------------ leavers


async def leavers(actor: CurrentUser, school_id: int | None) -> dict[str, Any]:
    """The school's leavers: who may be handed over to the cluster's high school (None if it
    has none: nobody may), who is due for erasure."""
    return await _leavers(actor, await _school(actor, school_id))


async def _leavers(actor: CurrentUser, school: dict[str, Any]) -> dict[str, Any]:
    rows = await _LEAVERS.run(school["id"])
    today = today_uk()
    high = await high_school_of(actor.cluster_id)
    can_hand_over = high is not None and school["phase"] in ("junior", "primary")
    for row in rows:
        row["due"] = row["erase_after"] is not None and row["erase_after"] <= today
        row["can_hand_over"] = can_hand_over and row["year_group"] == 6
    due = [r for r in rows if r["due"]]
    return {"school": school, "leavers": rows, "due": due, "high_school": high}


async def hand_over(
    actor: CurrentUser, school_id: int | None, pupil_ids: list[int]
) -> tuple[int, str]:
    """Year 6 leavers move to their cluster's high school (Aylsham High in the seeded one),
    whose teachers moderate them from now on: how many moved, and the high school's name."""
    from clustermarket.teams.tables import Team, TeamMember  # teams builds on accounts

    listed = await leavers(actor, school_id)
    chosen = [p for p in listed["leavers"] if p["id"] in pupil_ids and p["can_hand_over"]]
    high = listed["high_school"]  # of the leavers' own cluster
    if high is None:
        raise AccountError("This cluster has no high school to hand leavers over to.")
    if not chosen:
        raise AccountError(f"Choose the Year 6 leavers who are moving to {high['name']}.")
    old_school = listed["school"]["id"]
    old_teams = Team.select(Team.id).where(Team.school == old_school)
    async with write_transaction():
        for pupil in chosen:
            await User.update(
                {
                    User.school: high["id"],
                    User.school_class: None,
                    User.year_group: 7,
                    User.left_on: None,
                    User.erase_after: None,
                    User.active: True,
                    User.session_epoch: User.session_epoch + 1,
                }
            ).where(User.id == pupil["id"])
            # Their old teams keep their work; the pupil no longer edits it.
            await TeamMember.delete().where(
                (TeamMember.user == pupil["id"]) & TeamMember.team.is_in(old_teams)
            )
            label = f"{pupil['username']} → {high['name']}"
            await _log(actor, "account.hand_over", "user", pupil["id"], label, old_school)
            await _log(actor, "account.hand_over", "user", pupil["id"], label, high["id"])
    return len(chosen), high["name"]


async def set_erase_date(actor: CurrentUser, school_id: int | None, erase_after: dt.date) -> int:
    """The admin sets when this school's current leavers are erased."""
    if not actor.is_admin:
        raise NotFound()
    school = await _school(actor, school_id)
    rows = (
        await User.update({User.erase_after: erase_after})
        .where((User.school == school["id"]) & User.left_on.is_not_null())
        .returning(User.id)
    )
    await _log(
        actor,
        "school.leavers_erase_date",
        "school",
        school["id"],
        school["name"],
        school["id"],
        erase_after.isoformat(),
    )
    return len(rows)


async def erase_due_leavers(actor: CurrentUser, school_id: int | None, reason: str = "") -> int:
    """Erase every leaver whose date has passed, with the existing erase (logged there)."""
    listed = await leavers(actor, school_id)
    for pupil in listed["due"]:
        await erase_pupil(actor, pupil["id"], pupil["username"])
    if listed["due"]:
        await _log(
            actor,
            "school.erase_leavers",
            "school",
            listed["school"]["id"],
            f"{len(listed['due'])} leavers erased",
            listed["school"]["id"],
            reason,
        )
    return len(listed["due"])
