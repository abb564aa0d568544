"""The privacy notices: docs/privacy.md (parents and staff) and docs/privacy-young.md (pupils),
rendered from the same files the project ships, so there is one text to keep true."""

from __future__ import annotations

from functools import lru_cache

from litestar import Request, get
from litestar.response import Template
from markdown_it import MarkdownIt
from markupsafe import Markup

from clustermarket.settings import PROJECT_ROOT
from clustermarket.web.clusters import current_cluster
from clustermarket.web.page_cache import PUBLIC_PAGE

NOTICES = {"privacy": "privacy.md", "privacy-young": "privacy-young.md"}


@lru_cache(maxsize=len(NOTICES))
def notice_html(name: str) -> Markup:
    text = (PROJECT_ROOT / "docs" / NOTICES[name]).read_text(encoding="utf-8")
    # Our own files; raw HTML in them is still not passed through.
    return Markup(MarkdownIt("commonmark", {"html": False}).enable("table").render(text))


@get("/privacy", name="privacy", opt=PUBLIC_PAGE)
async def privacy(request: Request) -> Template:
    return Template(
        "site/privacy.html",
        context={
            "body": notice_html("privacy"),
            "description": f"How Cluster Market and the schools of {current_cluster(request).name}"
            " use personal data: what is kept, why, for how long, and your rights.",
        },
    )


@get("/privacy/young", name="privacy-young", opt=PUBLIC_PAGE)
async def privacy_young() -> Template:
    return Template(
        "site/privacy.html",
        context={
            "body": notice_html("privacy-young"),
            "description": "Privacy for pupils: what Cluster Market keeps about you, who can "
            "see it, and how to ask for it to be changed or removed.",
        },
    )


ROUTES = [privacy, privacy_young]
