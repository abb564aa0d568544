"""Sign in and out; teachers' pupil accounts. Handlers parse, check, call a service, render."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, Response
from litestar.exceptions import ClientException
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from clustermarket.accounts import class_lists, pupil_data, services, staff
from clustermarket.accounts.class_lists import ClassListError
from clustermarket.accounts.pauses import lift_pause, limit_key, paused_pupils
from clustermarket.accounts.services import AccountError, CurrentUser
from clustermarket.accounts.signin_limits import limiter_for, wait_text
from clustermarket.web.auth import requires_admin, requires_staff, session_for
from clustermarket.web.clusters import current_cluster
from clustermarket.web.forms import Form
from clustermarket.web.page_cache import PUBLIC_PAGE
from clustermarket.web.routes import get, post
from clustermarket.web.sessions import rotate_session_id
from clustermarket.web.urls import local_path


@dataclass
class LoginForm:
    username: str = ""
    password: str = ""
    next: str = ""


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    return local_path(target, "/dashboard")


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class AuthController(Controller):
    @get("/login", name="login", opt=PUBLIC_PAGE)
    async def login_page(self, request: Request, next: FromQuery[str] = "") -> Template | Redirect:
        if request.user:
            return Redirect(path=safe_next(next))
        return Template("accounts/login.html", context={"next": safe_next(next), "username": ""})

    @post("/login")
    async def login(
        self, request: Request, data: Annotated[LoginForm, Form]
    ) -> Template | Redirect:
        username = data.username.strip().lower()
        context: dict[str, Any] = {"next": safe_next(data.next), "username": data.username.strip()}
        if not username or not data.password:
            context["error"] = "Type your username and your password."
            return Template("accounts/login.html", context=context, status_code=400)
        cluster_id = current_cluster(request).id
        user, verdict = await limiter_for(request.app).attempt(
            limit_key(username, cluster_id),
            _client_address(request),
            lambda: services.authenticate(username, data.password, cluster_id),
        )
        if not verdict.allowed:
            wait = wait_text(verdict.wait_seconds)
            context["error"] = (
                f"Too many tries with wrong passwords from this network. Wait {wait}, "
                "then try again, or ask your teacher."
                if verdict.by_address
                else f"Too many wrong passwords for this username. Wait {wait} and try again, "
                "or ask your teacher to unlock it or give you a new password."
            )
            return Template("accounts/login.html", context=context, status_code=429)
        if user is None:
            context["error"] = (
                "That username and password do not match. Check the spelling and try again."
            )
            if verdict.pause_next:
                context["error"] += f" (This username now waits {wait_text(verdict.pause_next)}.)"
            return Template("accounts/login.html", context=context, status_code=400)
        request.set_session(session_for(user))
        rotate_session_id(request.session)
        return Redirect(path=safe_next(data.next))

    @post("/logout")
    async def logout(self, request: Request) -> Redirect:
        request.clear_session()
        return Redirect(path="/")


@dataclass
class ClassListForm:
    class_list: str = ""
    school: int | None = None


@dataclass
class ToggleForm:
    value: str = ""


async def _staff_school(user: CurrentUser, school: int | None) -> int | None:
    """Teachers always work on their own school; admins pick one of their cluster's (another
    cluster's school id answers 404, like a missing one: issue 15)."""
    if not user.is_admin:
        return user.school_id
    if school is None:
        return None
    return int((await services.school_for_staff(user, school))["id"])


class PupilController(Controller):
    path = "/pupils"
    guards = [requires_staff]

    @get("/")
    async def list_pupils(self, request: Request, school: FromQuery[int | None] = None) -> Template:
        user: CurrentUser = request.user
        school_id = await _staff_school(user, school)
        pupils = await services.pupils_of_school(school_id) if school_id else []
        schools = await services.schools_in(user.cluster_id) if user.is_admin else []
        return Template(
            "accounts/pupils.html",
            context={
                "pupils": pupils,
                "schools": schools,
                "school_id": school_id,
                "paused": await paused_pupils(request.app, pupils, user.cluster_id),
            },
        )

    @get("/new")
    async def new_pupils_form(
        self, request: Request, school: FromQuery[int | None] = None
    ) -> Template:
        user: CurrentUser = request.user
        schools = await services.schools_in(user.cluster_id) if user.is_admin else []
        return Template(
            "accounts/new_pupils.html",
            context={
                "schools": schools,
                "school_id": await _staff_school(user, school),
                "text": "",
            },
        )

    @post("/new")
    async def create_pupils(
        self, request: Request, data: Annotated[ClassListForm, Form]
    ) -> Template:
        user: CurrentUser = request.user
        school_id = await _staff_school(user, data.school)
        schools = await services.schools_in(user.cluster_id) if user.is_admin else []
        context: dict[str, Any] = {
            "schools": schools,
            "school_id": school_id,
            "text": data.class_list,
        }
        if school_id is None:
            context["problems"] = ["Choose the school these pupils belong to."]
            return Template("accounts/new_pupils.html", context=context, status_code=400)
        try:
            cards = await class_lists.create_pupils_from_class_list(
                user, school_id, data.class_list
            )
        except ClassListError as error:
            context["problems"] = error.problems
            return Template("accounts/new_pupils.html", context=context, status_code=400)
        return Template("accounts/cards.html", context={"cards": cards, "created": True})

    @post("/{pupil_id:int}/reset")
    async def reset_password(self, request: Request, pupil_id: FromPath[int]) -> Template:
        card = await services.reset_pupil_password(request.user, pupil_id)
        await lift_pause(request.app, card.username, request.user.cluster_id)
        return Template("accounts/cards.html", context={"cards": [card], "created": False})

    @post("/{pupil_id:int}/active")
    async def set_active(
        self, request: HTMXRequest, pupil_id: FromPath[int], data: Annotated[ToggleForm, Form]
    ) -> Template | Redirect:
        pupil = await services.set_pupil_active(request.user, pupil_id, data.value == "on")
        return _row_or_back(request, pupil)

    @post("/{pupil_id:int}/photo-consent")
    async def set_photo_consent(
        self, request: HTMXRequest, pupil_id: FromPath[int], data: Annotated[ToggleForm, Form]
    ) -> Template | Redirect:
        pupil = await services.set_photo_consent(request.user, pupil_id, data.value == "on")
        return _row_or_back(request, pupil)


@dataclass
class EraseForm:
    confirm: str = ""


class PupilDataController(Controller):
    """UK GDPR: a teacher exports or erases a pupil's data."""

    path = "/pupils/{pupil_id:int}/data"
    guards = [requires_staff]

    @get("/")
    async def data_page(self, request: Request, pupil_id: FromPath[int]) -> Template:
        pupil = await services.pupil_for_staff(request.user, pupil_id)
        return Template("accounts/pupil_data.html", context={"pupil": pupil})

    @get("/export")
    async def export(self, request: Request, pupil_id: FromPath[int]) -> Response:
        data = await pupil_data.export_pupil_data(request.user, pupil_id)
        name = data["account"]["username"]
        return Response(
            content=data,
            media_type="application/json",
            headers={
                "Content-Disposition": f'attachment; filename="pupil-{name}.json"',
                "Cache-Control": "no-store",
            },
        )

    @post("/erase")
    async def erase(
        self, request: Request, pupil_id: FromPath[int], data: Annotated[EraseForm, Form]
    ) -> Template | Redirect:
        try:
            await pupil_data.erase_pupil(request.user, pupil_id, data.confirm)
        except AccountError as error:
            pupil = await services.pupil_for_staff(request.user, pupil_id)
            return Template(
                "accounts/pupil_data.html",
                context={"pupil": pupil, "error": str(error), "confirm": data.confirm},
                status_code=400,
            )
        flash(request, "The pupil's account and personal data were erased.", "success")
        return Redirect(path="/pupils")


@dataclass
class StaffForm:
    first_name: str = ""
    last_name: str = ""
    role: str = "teacher"
    school: int | None = None
    email: str = ""


class StaffController(Controller):
    """The admin's page for teacher and admin accounts."""

    path = "/admin/staff"
    guards = [requires_admin]

    async def _page(
        self, user: CurrentUser, form: StaffForm, error: str = "", status_code: int = 200
    ) -> Template:
        """The admin's cluster's staff and schools only (issue 15)."""
        return Template(
            "accounts/staff.html",
            context={
                "staff": await staff.staff_accounts(user.cluster_id),
                "schools": await services.schools_in(user.cluster_id),
                "form": form,
                "error": error,
            },
            status_code=status_code,
        )

    @get("/")
    async def staff_page(self, request: Request) -> Template:
        return await self._page(request.user, StaffForm())

    @post("/")
    async def create_staff(self, request: Request, data: Annotated[StaffForm, Form]) -> Template:
        try:
            card = await staff.create_staff_account(
                request.user,
                first_name=data.first_name,
                last_name=data.last_name,
                role=data.role,
                school_id=data.school,
                email=data.email,
            )
        except AccountError as error:
            return await self._page(request.user, data, str(error), status_code=400)
        return Template(
            "accounts/cards.html",
            context={"cards": [card], "created": True, "back": "/admin/staff"},
        )

    @post("/{user_id:int}/reset")
    async def reset_staff_password(self, request: Request, user_id: FromPath[int]) -> Template:
        account = await staff.staff_for_admin(request.user, user_id)
        card = await services.issue_new_password(request.user, account)
        await lift_pause(request.app, account["username"], request.user.cluster_id)
        return Template(
            "accounts/cards.html",
            context={"cards": [card], "created": False, "back": "/admin/staff"},
        )

    @post("/{user_id:int}/active")
    async def set_staff_active(
        self, request: Request, user_id: FromPath[int], data: Annotated[ToggleForm, Form]
    ) -> Redirect:
        account = await staff.staff_for_admin(request.user, user_id)
        if account["id"] == request.user.id:
            raise ClientException("You cannot deactivate your own account.")
        await services.set_account_active(request.user, account, data.value == "on")
        flash(request, "Account updated.", "success")
        return Redirect(path="/admin/staff")


def _row_or_back(request: HTMXRequest, pupil: dict[str, Any]) -> Template | Redirect:
    """htmx swaps the one row in place; a plain form post goes back to the list."""
    if request.htmx:
        return Template("accounts/_pupil_row.html", context={"pupil": pupil})
    school = f"?school={pupil['school']}" if request.user.is_admin else ""
    return Redirect(path=f"/pupils{school}")
