"""The co-operative trust: the public application page, votes for members, admin pages."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated

from litestar import Request, get, post
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from clustermarket.accounts.services import CurrentUser
from clustermarket.coop import services
from clustermarket.coop.services import CoopError
from clustermarket.rows import parse_row_id
from clustermarket.sharing.tables import Idea
from clustermarket.web.auth import requires_admin, requires_signed_in
from clustermarket.web.forms import Form
from clustermarket.web.page_cache import PUBLIC_PAGE


@get("/coop", opt=PUBLIC_PAGE)
async def coop_home(request: Request) -> Template:
    """What membership is; members also see the votes."""
    user: CurrentUser | None = request.user
    return Template(
        "coop/home.html",
        context={"ballots": await services.ballots(user) if user else []},
    )


@dataclass
class ApplicationForm:
    name: str = ""
    contact_name: str = ""
    contact_email: str = ""
    offers: str = ""


@get("/coop/apply", opt=PUBLIC_PAGE)
async def application_form() -> Template:
    return Template("coop/apply.html", context={"form": ApplicationForm(), "errors": {}})


@post("/coop/apply")
async def apply(request: Request, data: Annotated[ApplicationForm, Form]) -> Template:
    errors = services.application_errors(**asdict(data))
    if errors:
        return Template(
            "coop/apply.html", context={"form": data, "errors": errors}, status_code=400
        )
    await services.apply_as_group(**asdict(data))
    return Template("coop/applied.html", context={"form": data})


@get("/coop/votes/{ballot_id:int}", guards=[requires_signed_in])
async def ballot_page(request: Request, ballot_id: FromPath[int]) -> Template:
    return Template(
        "coop/ballot.html", context={"ballot": await services.ballot_for(request.user, ballot_id)}
    )


@dataclass
class VoteForm:
    choice: str = ""


@post("/coop/votes/{ballot_id:int}", guards=[requires_signed_in])
async def vote(
    request: Request, ballot_id: FromPath[int], data: Annotated[VoteForm, Form]
) -> Template | Redirect:
    try:
        await services.cast_vote(request.user, ballot_id, data.choice)
    except CoopError as error:
        return Template(
            "coop/ballot.html",
            context={
                "ballot": await services.ballot_for(request.user, ballot_id),
                "error": str(error),
            },
            status_code=400,
        )
    flash(request, "Thank you: your vote is counted.", "success")
    return Redirect(path=f"/coop/votes/{ballot_id}")


@dataclass
class BallotForm:
    idea: str = ""
    question: str = ""
    closes_at: str = ""


async def _admin_page(form: BallotForm, error: str | None = None) -> Template:
    ideas = (
        await Idea.select(Idea.id, Idea.title)
        .where(Idea.is_public == True)
        .order_by(Idea.created_at, ascending=False)
        .limit(200)
    )
    return Template(
        "coop/admin.html",
        context={"groups": await services.groups(), "ideas": ideas, "form": form, "error": error},
        status_code=400 if error else 200,
    )


@get("/admin/coop", guards=[requires_admin])
async def coop_admin() -> Template:
    return await _admin_page(BallotForm())


@post("/admin/coop/groups/{group_id:int}/{decision:str}", guards=[requires_admin])
async def decide_group(
    request: Request, group_id: FromPath[int], decision: FromPath[str]
) -> Redirect:
    if decision not in ("approve", "decline"):
        raise NotFoundException()
    try:
        await services.decide_group(request.user, group_id, decision == "approve")
    except CoopError as error:  # decided already: a conflict with its reason, not a success
        raise HTTPException(status_code=409, detail=str(error)) from None
    flash(request, "Approved." if decision == "approve" else "Declined.", "success")
    return Redirect(path="/admin/coop")


@post("/admin/coop/votes", guards=[requires_admin])
async def put_to_vote(request: Request, data: Annotated[BallotForm, Form]) -> Template | Redirect:
    try:
        ballot_id = await services.put_to_vote(
            request.user,
            parse_row_id(data.idea) or 0,
            data.question,
            data.closes_at,
        )
    except CoopError as error:
        return await _admin_page(data, str(error))
    flash(request, "The vote is open to members.", "success")
    return Redirect(path=f"/coop/votes/{ballot_id}")


ROUTES = [
    coop_home,
    application_form,
    apply,
    ballot_page,
    vote,
    coop_admin,
    decide_group,
    put_to_vote,
]
