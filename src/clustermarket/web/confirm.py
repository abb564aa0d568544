"""A second step for what cannot be undone: a page that says what will happen and posts the
real form only when the person presses the button (works without JavaScript)."""

from __future__ import annotations

from dataclasses import dataclass, field

from litestar.response import Template


@dataclass
class Confirm:
    title: str
    action: str  # where the confirmed form posts
    button: str
    back: str
    happens: list[str] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    error: str = ""

    def page(self, status: int = 200) -> Template:
        return Template("confirm.html", context={"confirm": self}, status_code=status)
