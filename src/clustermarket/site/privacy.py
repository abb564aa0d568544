"""The privacy notices: docs/privacy.md (parents and staff) and docs/privacy-young.md (pupils),
rendered from the same files the project ships, so there is one text to keep true. Each
cluster's pages name its own trust and high school: the files say `{cluster}` and
`{high_school}`, filled in (escaped) after the Markdown is rendered."""

from __future__ import annotations

from functools import lru_cache

from litestar import Request
from litestar.response import Template
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from clustermarket.accounts.rollover import high_school_of
from clustermarket.settings import PROJECT_ROOT
from clustermarket.web.clusters import current_cluster
from clustermarket.web.page_cache import PUBLIC_PAGE
from clustermarket.web.routes import get

NOTICES = {"privacy": "privacy.md", "privacy-young": "privacy-young.md"}


@lru_cache(maxsize=len(NOTICES))
def notice_html(name: str) -> Markup:
    text = (PROJECT_ROOT / "docs" / NOTICES[name]).read_text(encoding="utf-8")
    # Our own files; raw HTML in them is still not passed through.
    return Markup(MarkdownIt("commonmark", {"html": False}).enable("table").render(text))


async def notice_for(name: str, request: Request) -> Markup:
    """The notice as the request's cluster says it: its name, its own high school."""
    cluster = current_cluster(request)
    high = await high_school_of(cluster.id)
    words = {
        "{cluster}": cluster.name,
        "{high_school}": high["name"] if high else "the high school",
    }
    html = str(notice_html(name))
    for token, value in words.items():
        html = html.replace(token, str(escape(value)))
    return Markup(html)


@get("/privacy", name="privacy", opt=PUBLIC_PAGE)
async def privacy(request: Request) -> Template:
    return Template(
        "site/privacy.html",
        context={
            "body": await notice_for("privacy", request),
            "description": f"How Cluster Market and the schools of {current_cluster(request).name}"
            " use personal data: what is kept, why, for how long, and your rights.",
        },
    )


@get("/privacy/young", name="privacy-young", opt=PUBLIC_PAGE)
async def privacy_young(request: Request) -> Template:
    return Template(
        "site/privacy.html",
        context={
            "body": await notice_for("privacy-young", request),
            "description": "Privacy for pupils: what Cluster Market keeps about you, who can "
            "see it, and how to ask for it to be changed or removed.",
        },
    )


ROUTES = [privacy, privacy_young]
