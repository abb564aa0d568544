"""Login cards for a class: the site address, a QR code of the class sign-in link, the name
to tap (or the username) and the picture PIN drawn as its pictures.

PINs and passwords are stored only as hashes, so a card is printed when its secret is made:
a class list pasted in, a new PIN for one pupil, new cards for the whole class (all logged).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import segno
from markupsafe import Markup

from clustermarket.accounts import picture_pin
from clustermarket.accounts.class_lists import create_pupils_from_class_list
from clustermarket.accounts.classes import class_for_staff, class_pupil_for_staff, pupils_of_class
from clustermarket.accounts.services import CurrentUser, _log_account, short_name
from clustermarket.accounts.tables import SignInKind, User
from clustermarket.transactions import write_transaction


def class_link(site: str, school_class: dict[str, Any]) -> str:
    """`site`: the cluster's own address (web.clusters.site_address), prefix and all."""
    return f"{site}/sign-in/{school_class['school_slug']}/{school_class['code']}"


def qr_svg(url: str) -> Markup:
    """An inline SVG (no file, no outside service); the card's text says what it opens."""
    svg = segno.make(url, error="m").svg_inline(scale=3, dark="#000", light="#fff")
    # The picture itself is decoration for screen readers: the link is printed beside it.
    return Markup(svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1))


def card_context(site: str, school_class: dict[str, Any], cards: list[Any]) -> dict:
    link = class_link(site, school_class)
    return {
        "class": school_class,
        "cards": cards,
        "site": site,
        "link": link,
        "qr": qr_svg(link),
    }


@dataclass(frozen=True)
class ClassCard:
    """A login card: for a picture class the PIN, for a password class the password."""

    first_name: str
    last_name: str
    username: str
    school_name: str
    class_name: str
    pin: list[str] | None = None
    password: str | None = None

    @property
    def short_name(self) -> str:
        return short_name(self.first_name, self.last_name)


async def _new_pins(pupil_ids: list[int]) -> dict[int, list[str]]:
    """A new picture PIN for each pupil; older sessions end and any pause is lifted."""
    pins = {pupil_id: picture_pin.generate_pin() for pupil_id in pupil_ids}
    hashes = {pupil_id: await picture_pin.hash_pin(pin) for pupil_id, pin in pins.items()}
    async with write_transaction():
        for pupil_id, pin_hash in hashes.items():
            await User.update(
                {
                    User.pin_hash: pin_hash,
                    User.pin_failures: 0,
                    User.pin_paused_until: None,
                    User.session_epoch: User.session_epoch + 1,
                }
            ).where(User.id == pupil_id)
    return pins


async def new_card(actor: CurrentUser, class_id: int, pupil_id: int) -> list[ClassCard]:
    """One pupil's card again: a new picture PIN, or a new password in a password class."""
    from clustermarket.accounts.services import issue_new_password

    school_class, pupil = await class_pupil_for_staff(actor, class_id, pupil_id)
    if school_class["sign_in_kind"] != SignInKind.picture:
        login = await issue_new_password(
            actor, {**pupil, "school_name": school_class["school_name"]}
        )
        return [_card(school_class, pupil, password=login.password)]
    pins = await _new_pins([pupil_id])
    await _log_account(actor, "new_picture_pin", pupil)
    return [_card(school_class, pupil, pin=pins[pupil_id])]


async def new_class_cards(actor: CurrentUser, class_id: int) -> list[ClassCard]:
    """Cards for the whole class: PINs are stored only as hashes, so printing the class's
    cards again gives every pupil a new picture PIN (password classes: a new password)."""
    from clustermarket.accounts.services import issue_new_password

    school_class = await class_for_staff(actor, class_id)
    pupils = [p for p in await pupils_of_class(class_id) if p["active"]]
    if school_class["sign_in_kind"] == SignInKind.picture:
        pins = await _new_pins([p["id"] for p in pupils])
        for pupil in pupils:
            await _log_account(actor, "new_picture_pin", pupil)
        return [_card(school_class, p, pin=pins[p["id"]]) for p in pupils]
    cards = []
    for pupil in pupils:
        login = await issue_new_password(
            actor, {**pupil, "school_name": school_class["school_name"]}
        )
        cards.append(_card(school_class, pupil, password=login.password))
    return cards


def _card(
    school_class: dict[str, Any],
    pupil: dict[str, Any],
    pin: list[str] | None = None,
    password: str | None = None,
) -> ClassCard:
    return ClassCard(
        first_name=pupil["first_name"],
        last_name=pupil["last_name"],
        username=pupil["username"],
        school_name=school_class["school_name"],
        class_name=school_class["name"],
        pin=pin,
        password=password,
    )


async def add_class_list(actor: CurrentUser, class_id: int, text: str) -> list[ClassCard]:
    """Paste a class list into a class: accounts are made as on the pupils page (all or
    nothing), join the class, and a picture class's pupils get their picture PINs."""
    school_class = await class_for_staff(actor, class_id)
    logins = await create_pupils_from_class_list(actor, school_class["school"], text)
    usernames = [login.username for login in logins]
    values: dict[Any, Any] = {User.school_class: class_id}
    if school_class["year_group"] is not None:
        values[User.year_group] = school_class["year_group"]
    # usernames are unique per cluster only: these are the new accounts of this cluster
    made = User.username.is_in(usernames) & (User.cluster == actor.cluster_id)
    await User.update(values).where(made)
    pins: dict[str, list[str]] = {}
    if school_class["sign_in_kind"] == SignInKind.picture:
        rows = await User.select(User.id, User.username).where(made)
        by_id = await _new_pins([row["id"] for row in rows])
        pins = {row["username"]: by_id[row["id"]] for row in rows}
    return [
        _card(
            school_class,
            vars(login),
            pin=pins.get(login.username),
            password=None if pins else login.password,
        )
        for login in logins
    ]
