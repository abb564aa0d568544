"""The class sign-in link: a child taps their name, then their four pictures.

Open to anyone who has the link (it is on the class's cards and QR code, never listed).
Each picture tap is a plain form post (no script needed); the taps so far travel in a hidden
field. The fourth tap posts to the pupil's own address, which the per-address sign-in limit
counts like /login (see `is_picture_sign_in` in server.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request
from litestar.datastructures import ResponseHeader
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from clustermarket.accounts import classes, picture_pin
from clustermarket.accounts.tables import SignInKind
from clustermarket.timeutil import uk_time
from clustermarket.web.auth import SESSION_CLUSTER, SESSION_EPOCH, SESSION_USER
from clustermarket.web.clusters import current_cluster
from clustermarket.web.forms import Form
from clustermarket.web.routes import get, post
from clustermarket.web.sessions import rotate_session_id

_VERIFY_PATH = re.compile(r"^/sign-in/[^/]+/[^/]+/\d+$")


def is_picture_sign_in(path: str) -> bool:
    """The post that checks a whole picture PIN (the per-address limit counts it)."""
    return _VERIFY_PATH.match(path) is not None


@dataclass
class PickForm:
    picks: str = ""
    pick: str = ""


async def _class(request: Request, school: str, code: str) -> dict[str, Any]:
    found = await classes.class_by_link(school, code, current_cluster(request).id)
    if found is None:
        raise NotFoundException(
            "This class sign-in link does not work any more. Ask your teacher for the new one."
        )
    return found


async def _pupil(school_class: dict[str, Any], pupil_id: int) -> dict[str, Any]:
    if school_class["sign_in_kind"] != SignInKind.picture:
        raise NotFoundException("This class signs in with a username and password.")
    pupil = await picture_pin.class_pupil(school_class["id"], pupil_id)
    if pupil is None:
        raise NotFoundException("We could not find that name in this class.")
    return pupil


def _pad(
    school_class: dict[str, Any],
    pupil: dict[str, Any],
    picks: list[str],
    error: str = "",
    status_code: int = 200,
) -> Template:
    base = f"/sign-in/{school_class['school_slug']}/{school_class['code']}/{pupil['id']}"
    return Template(
        "accounts/picture_pad.html",
        context={
            "class": school_class,
            "pupil": pupil,
            "picks": picks,
            "picks_text": picture_pin.pin_text(picks),
            # the fourth tap goes to the checking address; the others only collect taps
            "action": base if len(picks) == picture_pin.PIN_LENGTH - 1 else f"{base}/pick",
            "restart": base,
            "back": f"/sign-in/{school_class['school_slug']}/{school_class['code']}",
            "pictures": picture_pin.PICTURES,
            "pin_length": picture_pin.PIN_LENGTH,
            "error": error,
        },
        status_code=status_code,
    )


def _paused_message(until: Any) -> str:
    return (
        f"Too many wrong pictures: your sign-in is paused until {uk_time(until, '%H:%M')}. "
        "Ask your teacher to unpause it."
    )


class PictureSignInController(Controller):
    path = "/sign-in/{school:str}/{code:str}"
    # The link is the class's key: keep it out of search engines and shared caches.
    response_headers = [
        ResponseHeader(name="X-Robots-Tag", value="noindex, nofollow"),
        ResponseHeader(name="Cache-Control", value="no-store"),
    ]

    @get("/")
    async def class_names(
        self, request: Request, school: FromPath[str], code: FromPath[str]
    ) -> Template:
        school_class = await classes.class_by_link(school, code, current_cluster(request).id)
        if school_class is None:
            # An old link (the teacher made a new one) or a mistyped one: say what to do.
            return Template("accounts/class_link_gone.html", status_code=404)
        names = (
            await picture_pin.tap_list(school_class["id"])
            if school_class["sign_in_kind"] == SignInKind.picture
            else []
        )
        return Template(
            "accounts/class_sign_in.html", context={"class": school_class, "names": names}
        )

    @get("/{pupil_id:int}")
    async def pad(
        self, request: Request, school: FromPath[str], code: FromPath[str], pupil_id: FromPath[int]
    ) -> Template:
        school_class = await _class(request, school, code)
        pupil = await _pupil(school_class, pupil_id)
        until = await picture_pin.paused_until(pupil_id)
        return _pad(school_class, pupil, [], _paused_message(until) if until else "")

    @post("/{pupil_id:int}/pick")
    async def pick(
        self,
        request: Request,
        school: FromPath[str],
        code: FromPath[str],
        pupil_id: FromPath[int],
        data: Annotated[PickForm, Form],
    ) -> Template:
        school_class = await _class(request, school, code)
        pupil = await _pupil(school_class, pupil_id)
        picks = picture_pin.parse_picks(f"{data.picks}-{data.pick}")
        return _pad(school_class, pupil, picks[: picture_pin.PIN_LENGTH - 1])

    @post("/{pupil_id:int}")
    async def check(
        self,
        request: Request,
        school: FromPath[str],
        code: FromPath[str],
        pupil_id: FromPath[int],
        data: Annotated[PickForm, Form],
    ) -> Template | Redirect:
        school_class = await _class(request, school, code)
        pupil = await _pupil(school_class, pupil_id)
        picks = picture_pin.parse_picks(f"{data.picks}-{data.pick}")
        if len(picks) < picture_pin.PIN_LENGTH:
            return _pad(school_class, pupil, picks)
        result = await picture_pin.check_pin(pupil_id, pupil["pin_hash"], picks)
        if result.ok:
            request.set_session(
                {
                    SESSION_USER: pupil_id,
                    SESSION_EPOCH: pupil["session_epoch"],
                    SESSION_CLUSTER: current_cluster(request).id,
                }
            )
            rotate_session_id(request.session)
            return Redirect(path="/dashboard")
        if result.paused_until:
            return _pad(school_class, pupil, [], _paused_message(result.paused_until), 429)
        return _pad(
            school_class,
            pupil,
            [],
            "Those pictures are not right. Try again, one picture at a time.",
            400,
        )
