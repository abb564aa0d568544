"""The members' ballots: any signed-in account is a member and votes once per ballot; the
admin creates ballots, lists them and closes one early. Results only once closed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Request
from litestar.exceptions import HTTPException
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from clustermarket.accounts.services import CurrentUser
from clustermarket.coop import ballots
from clustermarket.coop.services import CoopError
from clustermarket.rows import parse_row_id
from clustermarket.web.auth import requires_admin, requires_signed_in
from clustermarket.web.forms import Form
from clustermarket.web.routes import get, post


async def _ballot_page(user: CurrentUser, ballot_id: int, error: str | None = None) -> Template:
    return Template(
        "coop/ballot.html",
        context={"ballot": await ballots.ballot_for(user, ballot_id), "error": error},
        status_code=400 if error else 200,
    )


@get("/coop/votes/{ballot_id:int}", guards=[requires_signed_in])
async def ballot_page(request: Request, ballot_id: FromPath[int]) -> Template:
    return await _ballot_page(request.user, ballot_id)


@dataclass
class VoteForm:
    option: str = ""


@post("/coop/votes/{ballot_id:int}", guards=[requires_signed_in])
async def vote(
    request: Request, ballot_id: FromPath[int], data: Annotated[VoteForm, Form]
) -> Template | Redirect:
    try:
        await ballots.cast_vote(request.user, ballot_id, parse_row_id(data.option))
    except CoopError as error:
        return await _ballot_page(request.user, ballot_id, str(error))
    flash(request, "Thank you: your vote is counted.", "success")
    return Redirect(path=f"/coop/votes/{ballot_id}")


@dataclass
class BallotForm:
    question: str = ""
    options: str = ""
    idea: str = ""
    opens_at: str = ""
    closes_at: str = ""


async def _admin_page(user: CurrentUser, form: BallotForm, error: str | None = None) -> Template:
    return Template(
        "coop/admin_ballots.html",
        context={
            "ballots": await ballots.ballots(user),
            "ideas": await ballots.ideas_without_ballot(user.cluster_id),
            "form": form,
            "error": error,
        },
        status_code=400 if error else 200,
    )


@get("/admin/coop/ballots", guards=[requires_admin])
async def ballots_admin(request: Request) -> Template:
    return await _admin_page(request.user, BallotForm())


@post("/admin/coop/ballots", guards=[requires_admin])
async def create_ballot(request: Request, data: Annotated[BallotForm, Form]) -> Template | Redirect:
    try:
        ballot_id = await ballots.create_ballot(
            request.user,
            question=data.question,
            options=data.options,
            opens_at=data.opens_at,
            closes_at=data.closes_at,
            idea_id=parse_row_id(data.idea),
        )
    except CoopError as error:
        return await _admin_page(request.user, data, str(error))
    flash(request, "The ballot is set up for the members.", "success")
    return Redirect(path=f"/coop/votes/{ballot_id}")


@post("/admin/coop/ballots/{ballot_id:int}/close", guards=[requires_admin])
async def close_ballot(request: Request, ballot_id: FromPath[int]) -> Redirect:
    try:
        await ballots.close_early(request.user, ballot_id)
    except CoopError as error:  # closed already: a conflict with its reason
        raise HTTPException(status_code=409, detail=str(error)) from None
    flash(request, "The ballot is closed; its result is published.", "success")
    return Redirect(path=f"/coop/votes/{ballot_id}")


ROUTES = [ballot_page, vote, ballots_admin, create_ballot, close_ballot]
