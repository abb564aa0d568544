"""The co-operative trust: the public page and application, the admin's decisions on
community groups, and the contact person's one-time set-password link. Ballots:
coop/ballot_controllers.py."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated

from litestar import Request
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from clustermarket.accounts.services import CurrentUser
from clustermarket.coop import ballots, members, services
from clustermarket.coop.ballot_controllers import ROUTES as BALLOT_ROUTES
from clustermarket.coop.services import CoopError, Decision
from clustermarket.settings import Settings
from clustermarket.web.auth import requires_admin
from clustermarket.web.clusters import current_cluster, site_address
from clustermarket.web.forms import Form
from clustermarket.web.page_cache import PUBLIC_PAGE
from clustermarket.web.routes import get, post


def _settings(request: Request) -> Settings:
    return request.app.state.settings


@get("/coop", opt=PUBLIC_PAGE)
async def coop_home(request: Request) -> Template:
    """What membership is; members also see the ballots."""
    user: CurrentUser | None = request.user
    return Template(
        "coop/home.html",
        context={"ballots": await ballots.ballots(user) if user else []},
    )


@dataclass
class ApplicationForm:
    name: str = ""
    contact_name: str = ""
    contact_email: str = ""
    offers: str = ""


def _application_page(form: ApplicationForm, errors: dict[str, str]) -> Template:
    return Template(
        "coop/apply.html",
        context={"form": form, "errors": errors},
        status_code=400 if errors else 200,
    )


@get("/coop/apply", opt=PUBLIC_PAGE)
async def application_form() -> Template:
    return _application_page(ApplicationForm(), {})


@post("/coop/apply")
async def apply(request: Request, data: Annotated[ApplicationForm, Form]) -> Template:
    errors = services.application_errors(**asdict(data))
    if errors:
        return _application_page(data, errors)
    try:
        await services.apply_as_group(**asdict(data), cluster_id=current_cluster(request).id)
    except CoopError as error:  # the name matches another group's: keep what was typed
        return _application_page(data, {"name": str(error)})
    return Template("coop/applied.html", context={"form": data})


@get("/admin/coop", guards=[requires_admin])
async def coop_admin(request: Request) -> Template:
    groups = await services.groups(current_cluster(request).id)
    return Template("coop/admin.html", context={"groups": groups})


def _link_page(request: Request, decision: Decision) -> Template:
    """Shown once: the contact's set-password link, for the admin to pass on."""
    base = site_address(request)  # the cluster's own: its host, or its /c/<slug> prefix
    link = members.welcome_url(base, decision.welcome_token) if decision.welcome_token else ""
    return Template("coop/contact_link.html", context={"decision": decision, "link": link})


@post("/admin/coop/groups/{group_id:int}/{decision:str}", guards=[requires_admin])
async def decide_group(
    request: Request, group_id: FromPath[int], decision: FromPath[str]
) -> Template | Redirect:
    if decision not in ("approve", "decline"):
        raise NotFoundException()
    mail = bool(_settings(request).smtp_host)
    try:
        done = await services.decide_group(request.user, group_id, decision == "approve", mail=mail)
    except CoopError as error:  # decided already: a conflict with its reason, not a success
        raise HTTPException(status_code=409, detail=str(error)) from None
    if done.welcome_token:
        return _link_page(request, done)
    if done.approved:
        sent = "The e-mail with the decision is on its way" if mail else "No mail server is set"
        flash(
            request,
            f"Approved. {done.group_name}'s contact is member {done.username}. {sent}.",
            "success",
        )
    else:
        flash(request, "Declined.", "success")
    return Redirect(path="/admin/coop")


@post("/admin/coop/contacts/{group_id:int}/link", guards=[requires_admin])
async def new_contact_link(request: Request, group_id: FromPath[int]) -> Template:
    try:
        done = await services.new_welcome_link(request.user, group_id)
    except CoopError as error:
        raise HTTPException(status_code=409, detail=str(error)) from None
    return _link_page(request, done)


@dataclass
class PasswordForm:
    password: str = ""
    password_again: str = ""


def _welcome_page(token: str, account: dict | None, error: str | None) -> Template:
    return Template(
        "coop/welcome.html",
        context={"token": token, "account": account, "error": error},
        status_code=400 if error else 200,
    )


@get("/coop/welcome/{token:str}")
async def welcome(request: Request, token: FromPath[str]) -> Template:
    try:
        account = await members.welcome_account(token, current_cluster(request).id)
        return _welcome_page(token, account, None)
    except members.WelcomeError as error:
        return _welcome_page(token, None, str(error))


@post("/coop/welcome/{token:str}")
async def choose_password(
    request: Request, token: FromPath[str], data: Annotated[PasswordForm, Form]
) -> Template | Redirect:
    try:
        cluster_id = current_cluster(request).id
        username = await members.use_welcome_link(
            token, cluster_id, data.password, data.password_again
        )
    except members.WelcomeError as error:
        try:
            account = await members.welcome_account(token, cluster_id)
        except members.WelcomeError:
            account = None
        return _welcome_page(token, account, str(error))
    flash(request, f"Your password is set. Sign in as {username}.", "success")
    return Redirect(path="/login")


ROUTES = [
    coop_home,
    application_form,
    apply,
    coop_admin,
    decide_group,
    new_contact_link,
    welcome,
    choose_password,
    *BALLOT_ROUTES,
]
