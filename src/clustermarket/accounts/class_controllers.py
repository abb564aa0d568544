"""Teachers' class pages: create classes, paste class lists, sign-in kind and link, cards.

Access: staff only (guard); a teacher sees only their school's classes (the services answer
NotFound for any other), an admin chooses the school.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from clustermarket.accounts import cards as login_cards
from clustermarket.accounts import classes, picture_pin
from clustermarket.accounts.cards import card_context, class_link
from clustermarket.accounts.class_lists import ClassListError
from clustermarket.accounts.services import (
    AccountError,
    CurrentUser,
    school_for_staff,
    schools_in,
)
from clustermarket.accounts.tables import SignInKind
from clustermarket.rows import parse_row_id
from clustermarket.web.auth import requires_staff
from clustermarket.web.clusters import site_address
from clustermarket.web.forms import Form
from clustermarket.web.routes import get, post


@dataclass
class ClassForm:
    name: str = ""
    year_group: str = ""
    sign_in_kind: str = SignInKind.password
    school: str = ""


@dataclass
class KindForm:
    sign_in_kind: str = ""


@dataclass
class MemberForm:
    pupil: str = ""


@dataclass
class PasteForm:
    class_list: str = ""


def parse_year(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if text.upper() == "R":
        return 0
    if text.isdigit() and len(text) <= 2:
        return int(text)
    raise AccountError("Choose a year group from Reception to Year 13.")


async def school_choice(user: CurrentUser, school: str | int | None) -> int | None:
    """A teacher's own school; the school the admin chose, if it is of their cluster (issue
    15: another cluster's school id answers 404, like a missing one)."""
    if not user.is_admin:
        return user.school_id
    school_id = parse_row_id(str(school or ""))
    if school_id is None:
        return None
    return int((await school_for_staff(user, school_id))["id"])


class ClassController(Controller):
    path = "/classes"
    guards = [requires_staff]

    async def _list(
        self, user: CurrentUser, school_id: int | None, form: ClassForm, error: str = ""
    ) -> Template:
        return Template(
            "accounts/classes.html",
            context={
                "classes": await classes.classes_of_school(school_id) if school_id else [],
                "schools": await schools_in(user.cluster_id) if user.is_admin else [],
                "school_id": school_id,
                "form": form,
                "error": error,
                "year_label": classes.year_label,
            },
            status_code=400 if error else 200,
        )

    @get("/")
    async def list_classes(self, request: Request, school: FromQuery[str] = "") -> Template:
        return await self._list(
            request.user, await school_choice(request.user, school), ClassForm()
        )

    @post("/")
    async def create_class(
        self, request: Request, data: Annotated[ClassForm, Form]
    ) -> Template | Redirect:
        user: CurrentUser = request.user
        school_id = await school_choice(user, data.school)
        try:
            created = await classes.create_class(
                user, school_id, data.name, parse_year(data.year_group), data.sign_in_kind
            )
        except AccountError as error:
            return await self._list(user, school_id, data, str(error))
        flash(request, f"Class {created['name']} created.", "success")
        return Redirect(path=f"/classes/{created['id']}")

    async def _page(
        self,
        request: Request,
        class_id: int,
        text: str = "",
        problems: list[str] | None = None,
    ) -> Template:
        school_class = await classes.class_for_staff(request.user, class_id)
        others = await classes.pupils_not_in_class(school_class["school"], class_id)
        return Template(
            "accounts/class.html",
            context={
                "class": school_class,
                "pupils": await classes.pupils_of_class(class_id),
                "others": others,
                "link": class_link(site_address(request), school_class),
                "year_label": classes.year_label,
                "text": text,
                "problems": problems or [],
            },
            status_code=400 if problems else 200,
        )

    @get("/{class_id:int}")
    async def class_page(self, request: Request, class_id: FromPath[int]) -> Template:
        return await self._page(request, class_id)

    @get("/{class_id:int}/print")
    async def class_print(self, request: Request, class_id: FromPath[int]) -> Template:
        school_class = await classes.class_for_staff(request.user, class_id)
        return Template(
            "accounts/class_print.html",
            context={"class": school_class, "pupils": await classes.pupils_of_class(class_id)},
        )

    @post("/{class_id:int}/kind")
    async def set_kind(
        self, request: Request, class_id: FromPath[int], data: Annotated[KindForm, Form]
    ) -> Redirect:
        try:
            await classes.set_sign_in_kind(request.user, class_id, data.sign_in_kind)
            flash(request, "Sign-in kind saved.", "success")
        except AccountError as error:
            flash(request, str(error), "error")
        return Redirect(path=f"/classes/{class_id}")

    @post("/{class_id:int}/code")
    async def change_code(self, request: Request, class_id: FromPath[int]) -> Redirect:
        await classes.change_code(request.user, class_id)
        flash(request, "The class has a new sign-in link; the old one no longer works.", "success")
        return Redirect(path=f"/classes/{class_id}")

    @post("/{class_id:int}/pupils")
    async def paste_list(
        self, request: Request, class_id: FromPath[int], data: Annotated[PasteForm, Form]
    ) -> Template:
        try:
            cards = await login_cards.add_class_list(request.user, class_id, data.class_list)
        except ClassListError as error:
            return await self._page(request, class_id, data.class_list, error.problems)
        return await self._cards(request, class_id, cards, created=True)

    @post("/{class_id:int}/members")
    async def add_member(
        self, request: Request, class_id: FromPath[int], data: Annotated[MemberForm, Form]
    ) -> Redirect:
        await classes.class_for_staff(request.user, class_id)  # another school's: not found
        pupil_id = parse_row_id(data.pupil)
        if pupil_id is None:
            flash(request, "Choose a pupil to move into this class.", "error")
        else:
            await classes.move_pupil(request.user, pupil_id, class_id)
            flash(request, "The pupil is now in this class.", "success")
        return Redirect(path=f"/classes/{class_id}")

    @post("/{class_id:int}/cards")
    async def class_cards(self, request: Request, class_id: FromPath[int]) -> Template:
        cards = await login_cards.new_class_cards(request.user, class_id)
        return await self._cards(request, class_id, cards)

    @post("/{class_id:int}/pupils/{pupil_id:int}/card")
    async def new_card(
        self, request: Request, class_id: FromPath[int], pupil_id: FromPath[int]
    ) -> Template:
        cards = await login_cards.new_card(request.user, class_id, pupil_id)
        return await self._cards(request, class_id, cards)

    @post("/{class_id:int}/pupils/{pupil_id:int}/unlock")
    async def unlock(
        self, request: Request, class_id: FromPath[int], pupil_id: FromPath[int]
    ) -> Redirect:
        await classes.unlock_pupil(request.user, class_id, pupil_id)
        flash(request, "Unpaused: the pupil can sign in again.", "success")
        return Redirect(path=f"/classes/{class_id}")

    async def _cards(
        self, request: Request, class_id: int, cards: list[Any], created: bool = False
    ) -> Template:
        school_class = await classes.class_for_staff(request.user, class_id)
        context = card_context(site_address(request), school_class, cards)
        return Template(
            "accounts/class_cards.html",
            context={**context, "created": created, "pictures": picture_pin.LABELS},
        )
