"""One handler serves a whole page or, to htmx, just the fragment the page includes."""

from __future__ import annotations

from typing import Any

from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template


def page_or_fragment(
    request: HTMXRequest, page: str, fragment: str, context: dict[str, Any], status_code: int = 200
) -> Template:
    # A history restore asks for the whole page even though htmx sends it.
    wants_fragment = bool(request.htmx) and not request.htmx.history_restore_request
    return Template(
        fragment if wants_fragment else page,
        context=context,
        status_code=status_code,
        headers={"Vary": "HX-Request"},
    )
