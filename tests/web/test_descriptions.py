"""Findable pages: every public page says in its own words what it is (a meta description,
shown under the link in search results)."""

from __future__ import annotations

import html
import re

from tests.demo_rows import restore_demo_data

DESCRIPTION = re.compile(r'<meta name="description" content="([^"]*)">')
FIXED = [
    "/",
    "/products",
    "/projects",
    "/schools",
    "/market-days",
    "/events",
    "/coop",
    "/coop/apply",
    "/login",
    "/privacy",
    "/privacy/young",
    "/basket",
]
# One of each page kind with a row in it, found by following the site's own links.
LINKED = {
    "/products": r'href="(/products/\d+)"',
    "/projects": r'href="(/projects/\d+)"',
    "/schools": r'href="(/schools/[a-z0-9-]+)"',
    "/market-days": r'href="(/market-days/\d+)"',
    "/events": r'href="(/events/\d+)"',
}


def description_of(page: str) -> str:
    found = DESCRIPTION.findall(page)
    assert len(found) == 1, "one meta description"
    return html.unescape(found[0])


async def test_every_public_page_has_its_own_description(client) -> None:
    await restore_demo_data()
    pages = {}
    for path in FIXED:
        answer = await client.get(path)
        assert answer.status_code == 200, path
        pages[path] = answer.text
    for listing, pattern in LINKED.items():
        path = re.findall(pattern, pages[listing])[0]
        pages[path] = (await client.get(path)).text
    product = next(p for p in pages if re.fullmatch(r"/products/\d+", p))
    team = re.findall(r'href="(/teams/[a-z0-9-]+)"', pages[product])[0]
    pages[team] = (await client.get(team)).text
    day = next(p for p in pages if p.startswith("/market-days/"))
    pages["pre-order"] = (await client.get(f"{day}/pre-order")).text

    descriptions = {path: description_of(page) for path, page in pages.items()}
    for path, text in descriptions.items():
        assert 50 <= len(text) <= 200, (path, text)  # what search results show in full
        assert "{{" not in text and "None" not in text, (path, text)
    repeated = {t for t in descriptions.values() if list(descriptions.values()).count(t) > 1}
    assert not repeated, repeated
    # Page-specific: a product's or a project's own name and maker are in it.
    name = html.unescape(re.search(r"<h1>([^<]+)</h1>", pages[product]).group(1))
    assert descriptions[product].startswith(name)
    project = next(p for p in pages if re.fullmatch(r"/projects/\d+", p))
    title = html.unescape(re.search(r"<h1>([^<]+)</h1>", pages[project]).group(1))
    assert descriptions[project].startswith(title)


async def test_a_description_never_shows_a_pupils_name(client) -> None:
    await restore_demo_data()
    from clustermarket.accounts.tables import Role, User

    pupils = await User.select(User.first_name, User.last_name).where(User.role == Role.pupil)
    for path in ("/", "/products", "/projects", "/schools", "/market-days"):
        page = (await client.get(path)).text
        for link in re.findall(r'href="(/(?:products|projects)/\d+)"', page)[:5]:
            text = description_of((await client.get(link)).text)
            for pupil in pupils:
                assert f"{pupil['first_name']} {pupil['last_name']}" not in text, link
