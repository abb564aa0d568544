"""Login cards for a class: the site address, a QR code of the class sign-in link, the name
to tap (or the username) and the picture PIN drawn as its pictures."""

from __future__ import annotations

from typing import Any

import segno
from markupsafe import Markup


def class_link(public_url: str, school_class: dict[str, Any]) -> str:
    return f"{public_url}/sign-in/{school_class['school_slug']}/{school_class['code']}"


def qr_svg(url: str) -> Markup:
    """An inline SVG (no file, no outside service); the card's text says what it opens."""
    svg = segno.make(url, error="m").svg_inline(scale=3, dark="#000", light="#fff")
    # The picture itself is decoration for screen readers: the link is printed beside it.
    return Markup(svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1))


def card_context(public_url: str, school_class: dict[str, Any], cards: list[Any]) -> dict:
    link = class_link(public_url, school_class)
    return {
        "class": school_class,
        "cards": cards,
        "site": public_url,
        "link": link,
        "qr": qr_svg(link),
    }
