"""Pitch rounds: the admin opens one, teams put work up, other schools answer in two boxes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Request
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from clustermarket.accounts.services import CurrentUser
from clustermarket.frozen import Prepared
from clustermarket.market.tables import MarketDay
from clustermarket.moderation.services import TextProblems
from clustermarket.rows import parse_row_id
from clustermarket.sharing import pitch
from clustermarket.sharing.controllers import SIGNED_IN, WAITING, problem_text
from clustermarket.sharing.ideas import SharingError
from clustermarket.sharing.own_words import FIELDS
from clustermarket.teams.services import team_for_worker
from clustermarket.timeutil import today_uk
from clustermarket.web.auth import requires_admin
from clustermarket.web.forms import Form
from clustermarket.web.public_data import kept
from clustermarket.web.routes import get, post


@dataclass
class RoundForm:
    title: str = ""
    closes_at: str = ""
    market_day: str = ""


# Built once (`frozen.Prepared`): the admin's rounds page offers them on every view.
_COMING_DAYS = Prepared(
    lambda today, cluster_id: (
        MarketDay.select(MarketDay.id, MarketDay.date, MarketDay.location)
        .where((MarketDay.date >= today) & (MarketDay.cluster == cluster_id))
        .order_by(MarketDay.date)
    )
)


async def _rounds_page(request: Request, form: RoundForm, error: str | None = None) -> Template:
    user: CurrentUser = request.user
    cluster_id = user.cluster_id

    async def coming_days() -> list[dict[str, Any]]:  # public: kept (`web/public_data.py`)
        return await _COMING_DAYS.run(today_uk(), cluster_id)

    market_days = (
        await kept(request, ("coming-market-days", cluster_id), coming_days)
        if user.is_admin
        else []
    )
    return Template(
        "sharing/pitch_rounds.html",
        context={
            "rounds": await pitch.rounds(user.cluster_id),
            "form": form,
            "error": error,
            "market_days": market_days,
        },
        status_code=400 if error else 200,
    )


@get("/pitch", guards=SIGNED_IN)
async def pitch_rounds(request: Request) -> Template:
    return await _rounds_page(request, RoundForm())


@post("/pitch/rounds", guards=[requires_admin])
async def open_round(request: Request, data: Annotated[RoundForm, Form]) -> Template | Redirect:
    try:
        round_id = await pitch.open_round(
            request.user,
            title=data.title,
            closes_at=data.closes_at,
            market_day_id=parse_row_id(data.market_day),
        )
    except SharingError as error:
        return await _rounds_page(request, data, str(error))
    flash(request, "The pitch round is open.", "success")
    return Redirect(path=f"/pitch/rounds/{round_id}")


@dataclass
class EntryForm:
    item: str = ""
    question: str = ""


async def _round_page(
    request: Request, round_id: int, form: EntryForm, error: str | None = None
) -> Template:
    user: CurrentUser = request.user
    cluster_id = user.cluster_id

    async def shown() -> tuple[dict[str, Any], list[dict[str, Any]]]:
        return await pitch.round_by_id(round_id, cluster_id), await pitch.entries_of(round_id)

    # the same for every viewer of the cluster: kept (`web/public_data.py`); open or not now
    kept_round, entries = await kept(request, ("pitch-round", cluster_id, round_id), shown)
    round_row = {**kept_round, "open": pitch.is_open(kept_round)}
    return Template(
        "sharing/pitch_round.html",
        context={
            "round": round_row,
            "entries": entries,
            "items": await pitch.pitchable_items(user) if round_row["open"] else [],
            "form": form,
            "error": error,
        },
        status_code=400 if error else 200,
    )


@get("/pitch/rounds/{round_id:int}", guards=SIGNED_IN)
async def pitch_round(request: Request, round_id: FromPath[int]) -> Template:
    return await _round_page(request, round_id, EntryForm())


@post("/pitch/rounds/{round_id:int}/entries", guards=SIGNED_IN)
async def add_entry(
    request: Request, round_id: FromPath[int], data: Annotated[EntryForm, Form]
) -> Template | Redirect:
    try:
        entry_id = await pitch.add_entry(request.user, round_id, data.item, data.question)
    except SharingError as error:
        return await _round_page(request, round_id, data, str(error))
    flash(request, "Your team's work is up for feedback.", "success")
    return Redirect(path=f"/pitch/entries/{entry_id}")


@dataclass
class FeedbackForm:
    works_well: str = ""
    even_better_if: str = ""


async def _entry_page(
    user: CurrentUser, entry_id: int, form: FeedbackForm, error: str | None = None
) -> Template:
    entry = await pitch.entry_by_id(entry_id, user.cluster_id)
    round_row = await pitch.round_by_id(entry["round"], user.cluster_id)
    is_team = await team_for_worker(user, entry["team"]) is not None
    return Template(
        "sharing/pitch_entry.html",
        context={
            "entry": entry,
            "round": round_row,
            "is_team": is_team,
            "feedback": await pitch.feedback_on(user, entry, is_team=is_team),
            "fields": FIELDS["feedback"],  # the two boxes, with their sentence starters
            "form": form,
            "error": error,
        },
        status_code=400 if error else 200,
    )


@get("/pitch/entries/{entry_id:int}", guards=SIGNED_IN)
async def pitch_entry(request: Request, entry_id: FromPath[int]) -> Template:
    """What is judged (photo, price, description); the team sees all approved feedback
    here; others answer in the two boxes, helped by sentence starters."""
    return await _entry_page(request.user, entry_id, FeedbackForm())


@post("/pitch/entries/{entry_id:int}/feedback", guards=SIGNED_IN)
async def give_pitch_feedback(
    request: Request, entry_id: FromPath[int], data: Annotated[FeedbackForm, Form]
) -> Template | Redirect:
    user: CurrentUser = request.user
    try:
        await pitch.give_feedback(user, entry_id, data.works_well, data.even_better_if)
    except (SharingError, TextProblems) as error:
        return await _entry_page(user, entry_id, data, problem_text(error))
    flash(request, "Thank you for your feedback." if user.is_staff else WAITING, "success")
    return Redirect(path=f"/pitch/entries/{entry_id}")


@dataclass
class ChangedForm:
    changed: str = ""


@post("/pitch/feedback/{feedback_id:int}/changed", guards=SIGNED_IN)
async def mark_changed(
    request: Request, feedback_id: FromPath[int], data: Annotated[ChangedForm, Form]
) -> Redirect:
    entry_id = await pitch.mark_changed(request.user, feedback_id, data.changed == "yes")
    return Redirect(path=f"/pitch/entries/{entry_id}#feedback-{feedback_id}")


@get("/pitch/feedback/{feedback_id:int}", guards=SIGNED_IN)
async def feedback_link(request: Request, feedback_id: FromPath[int]) -> Redirect:
    entry_id = await pitch.feedback_entry(request.user, feedback_id)
    return Redirect(path=f"/pitch/entries/{entry_id}")


ROUTES = [
    pitch_rounds,
    open_round,
    pitch_round,
    add_entry,
    pitch_entry,
    give_pitch_feedback,
    mark_changed,
    feedback_link,
]
