"""The app's own route list, and concrete URLs for it: each path parameter filled with a
row of side A or B of the audit world (tests/audit/world.py), or an IDOR variant."""

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from litestar import Litestar

SAFE = {"GET"}
PARAM = re.compile(r"\{(\w+):(\w+)\}")
# Words that pick the row a generic parameter means, from the path's first segment.
CONTENT_BY_PREFIX = {"products": "product_id", "projects": "project_id"}
FIXED_WORDS = {
    "kind_name": "product",  # /moderation/{kind}/..., /flag/{kind}/...
    "action": "approve",
    "target_type": "product",
    "decision": "approve",
    "size": "thumb",
    "kind": "like",
    "logo_name": "logo-none.jpg",  # the audit world has no logo (see tests/clusters/test_setup)
}


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # as written in the table: "/teams/{team_id}/workspace"
    raw: str  # as Litestar has it: "/teams/{team_id:int}/workspace"
    fields: tuple[tuple[str, str], ...] = ()  # the form's (field name, type), if any

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    @property
    def unsafe(self) -> bool:
        return self.method not in SAFE

    @property
    def numeric_params(self) -> list[str]:
        return [name for name, kind in PARAM.findall(self.raw) if kind == "int"]


def app_routes(app: Litestar) -> list[Route]:
    """Every (method, path) the app answers, HEAD and OPTIONS aside."""
    found = []
    for route in app.routes:
        for method in sorted(getattr(route, "methods", ()) or ()):
            if method in ("HEAD", "OPTIONS"):
                continue
            handler = route.route_handler_map[method][0]  # type: ignore[attr-defined]
            found.append(
                Route(method, PARAM.sub(r"{\1}", route.path), route.path, _form_fields(handler))
            )
    return sorted(found, key=lambda r: (r.path, r.method))


def _form_fields(handler: Any) -> tuple[tuple[str, str], ...]:
    """The fields of the handler's form dataclass (`data: Annotated[SomeForm, Form]`)."""
    data = handler.parsed_fn_signature.parameters.get("data")
    if data is None:
        return ()
    form = data.annotation
    if typing.get_origin(form) is typing.Annotated:
        form = typing.get_args(form)[0]
    if not dataclasses.is_dataclass(form):
        return ()
    hints = typing.get_type_hints(form)
    return tuple((f.name, _kind(hints[f.name])) for f in dataclasses.fields(form))


def _kind(hint: Any) -> str:
    text = repr(hint)
    if "UploadFile" in text:
        return "file"
    return "int" if "int" in text else "str"


# A value each field would accept on a real form, so a refused request is refused for who
# sent it, not for what it sent.
PLAUSIBLE = {
    "price": "1.50",
    "unit_cost": "0.50",
    "amount": "1.00",
    "quantity": "1",
    "method": "cash",
    "kind": "materials",
    "status": "open",
    "role": "member",
    "date": "2030-06-01",
    "opens": "09:00",
    "closes": "13:00",
    "closes_at": "2030-06-01T12:00",
    "email": "audit@example.org",
    "contact_email": "audit@example.org",
    "choice": "yes",
    "tag": "general",
    "value": "1",
    "confirm": "yes",
    "active": "on",
    "class_list": "Audit Pupil",
    "changed": "on",
    "back": "/",
}


def plausible_form(route: Route, ids: dict[str, Any]) -> dict[str, str]:
    form = {}
    for name, kind in route.fields:
        if kind == "file":
            continue
        if name == "pupil":
            form[name] = str(ids["pupil_id"])
        elif name in ("user", "team"):
            form[name] = str(ids["member_id"] if name == "user" else ids["team_id"])
        elif name in ("school",):
            form[name] = str(ids["school_id"])
        elif name in ("product_id", "idea", "market_day", "item"):
            key = {"product_id": "product_id", "idea": "idea_id", "market_day": "day_id"}
            form[name] = str(ids[key[name]]) if name in key else f"product:{ids['product_id']}"
        else:
            form[name] = PLAUSIBLE.get(name, "Audit text 1")
    return form


def param_value(route: Route, name: str, ids: dict[str, Any]) -> Any:
    if name in FIXED_WORDS:
        return FIXED_WORDS[name]
    first = route.path.split("/")[1]
    if name == "content_id":
        return ids[CONTENT_BY_PREFIX.get(first, "product_id")]
    if name == "slug":
        return {
            "schools": "aylsham-high" if ids["side"] == "A" else "erpingham",
            "reports": "methods",
        }.get(first, ids["slug"])
    if name == "token" and first == "confirm-order":
        return ids["confirm_token"]
    if name == "target_id":
        return ids["product_id"]
    if name == "name":
        return ids["photo_name"]
    if name == "pupil_id" and first in ("sign-in", "classes"):
        return ids["class_pupil_id"]  # the pupil in the side's class
    if name == "photo_id" and first == "projects":
        return ids["project_photo_id"]
    if name == "feedback_id" and route.path.endswith(("/edit", "/withdraw")):
        return ids["own_feedback_id"]  # the side's pupil's own (on the other side's entry)
    return ids[name]


def url(route: Route, ids: dict[str, Any], override: tuple[str, Any] | None = None) -> str:
    """The route's URL for a side's rows; `override` replaces one parameter's value."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if override and override[0] == name:
            return str(override[1])
        return str(param_value(route, name, ids))

    return PARAM.sub(fill, route.raw)


def idor_variants(route: Route, other: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(parameter, variant name, value) for each numeric path id."""
    for name in route.numeric_params:
        if name not in ("day_id", "event_id"):  # market days and events: the cluster's
            yield name, "other school's row", param_value(route, name, other)
        yield name, "missing", 987654
        yield name, "zero", 0
        yield name, "negative", -1
        yield name, "huge", 10**30
        yield name, "not a number", "1x"
