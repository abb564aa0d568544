"""The home page's public part is kept between signed-in views (web/public_data.py; issue 17,
target 3) and never shown stale: a hide, an approval or a sale retires it at once."""

from __future__ import annotations

import re

import pytest

from tests.conftest import QueryCounter, another_browser, post_form, sign_in
from tests.demo_rows import restore_demo_data


def _products_on(page: str) -> list[str]:
    return re.findall(r'href="/products/(\d+)"', page)


async def test_a_signed_in_home_reads_only_the_session_user_again(client) -> None:
    await restore_demo_data()
    await sign_in(client, "ameliab", "apple-otter-12")
    first = await client.get("/")
    assert first.status_code == 200 and _products_on(first.text)
    with QueryCounter() as queries:
        again = await client.get("/")
    assert again.status_code == 200
    assert _products_on(again.text) == _products_on(first.text)
    assert "Amelia" in again.text  # still the signed-in page, not the cached public one
    assert queries.count == 1, f"{queries.count} statements on a second view"


async def test_a_hidden_product_leaves_a_signed_in_home_at_once(client) -> None:
    await restore_demo_data()
    await sign_in(client, "ameliab", "apple-otter-12")
    shown = _products_on((await client.get("/")).text)
    hidden = shown[0]
    async with another_browser(client) as admin:
        await sign_in(admin, "admin", "cluster-admin-demo")
        answer = await post_form(
            admin, f"/moderation/product/{hidden}/hide", {"feedback": "A brand name"}
        )
        assert answer.status_code in (200, 303), answer.text
    now_shown = _products_on((await client.get("/")).text)
    assert hidden not in now_shown
    assert now_shown  # the rest of the home page is still there


async def test_the_queues_class_filter_and_waits_are_kept_until_a_write(client) -> None:
    """The moderation queue's class filter and the admin's "how long items wait" table are
    the same for every viewer of the school (the admin's cluster): a second view reads
    neither again, and a class made on the classes page is in the filter at once."""
    await restore_demo_data()
    await sign_in(client, "admin", "cluster-admin-demo")
    with QueryCounter() as first:
        page = await client.get("/moderation")
    assert page.status_code == 200 and "How long items wait" in page.text
    with QueryCounter() as again:
        second = await client.get("/moderation")
    assert second.status_code == 200 and "How long items wait" in second.text
    # Neither list read again (the header's waiting count, kept the same way, may or may
    # not have been read on the first view: it is kept from any earlier page).
    assert again.count <= first.count - 2, (first.count, again.count)

    async with another_browser(client) as teacher:
        await sign_in(teacher, "staylor", "teacher-demo-1")
        made = await post_form(
            teacher, "/classes", {"name": "Kestrels", "year_group": "8"}, follow_redirects=False
        )
        assert made.status_code in (302, 303), made.text
        assert "Kestrels" in (await teacher.get("/moderation")).text
    assert "Kestrels" in (await client.get("/moderation")).text


def _days_offered(page: str) -> list[str]:
    picker = page.split('id="range-day"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="(\d+)"', picker)


async def test_a_new_market_day_is_offered_by_the_reports_at_once(client) -> None:
    """The reports' schools and market days to pick from are kept between views; a market
    day the admin adds is in the list on the next view."""
    await restore_demo_data()
    await sign_in(client, "admin", "cluster-admin-demo")
    before = _days_offered((await client.get("/reports")).text)
    answer = await post_form(
        client,
        "/admin/market-days/",
        {"date": "2099-06-05", "location": "Aylsham Market Place", "opens": "09:00"},
        follow_redirects=False,
    )
    assert answer.status_code in (302, 303), answer.text
    new_day = answer.headers["location"].rsplit("/", 1)[1]
    after = _days_offered((await client.get("/reports")).text)
    assert after[0] == new_day and after[1:] == before[: len(after) - 1]


def _projects_on(page: str) -> list[str]:
    return re.findall(r'href="/projects/(\d+)"', page)


async def _demo_paths(page: str) -> str:
    from clustermarket.market.tables import MarketDay
    from clustermarket.projects.tables import Project

    project = await Project.select(Project.id).where(Project.is_public == True).first()  # noqa: E712
    day = await MarketDay.select(MarketDay.id).order_by(MarketDay.id).first()
    return page.format(project=project["id"], day=day["id"])


@pytest.mark.parametrize(
    "page",
    [
        "/products",
        "/products?page=2",
        "/products?school=erpingham",
        "/products/6",
        "/projects",
        "/projects?kind=eco",
        "/projects?school=aylsham-high",
        "/projects/{project}",
        "/market-days",
        "/market-days/{day}",
        "/teams/erpingham-bees",
    ],
)
async def test_a_signed_in_public_page_reads_only_the_session_user_again(client, page) -> None:
    await restore_demo_data()
    await sign_in(client, "ameliab", "apple-otter-12")
    path = await _demo_paths(page)
    first = await client.get(path)
    assert first.status_code == 200, first.text
    with QueryCounter() as queries:
        again = await client.get(path)
    assert again.status_code == 200
    assert again.text == first.text  # these pages hold no form, so no CSRF token
    assert "Amelia" in again.text  # still the signed-in page, not the cached public one
    assert queries.count == 1, f"{queries.count} statements on a second view of {path}"


async def test_a_hidden_product_leaves_the_signed_in_lists_and_its_page_at_once(client) -> None:
    await restore_demo_data()
    await sign_in(client, "ameliab", "apple-otter-12")
    listed = await client.get("/products")
    hidden = _products_on(listed.text)[0]
    product = await client.get(f"/products/{hidden}")
    assert product.status_code == 200
    team = re.search(r'href="(/teams/[a-z0-9-]+)"', product.text).group(1)
    assert hidden in _products_on((await client.get(team)).text)
    async with another_browser(client) as admin:
        await sign_in(admin, "admin", "cluster-admin-demo")
        answer = await post_form(
            admin, f"/moderation/product/{hidden}/hide", {"feedback": "A brand name"}
        )
        assert answer.status_code in (200, 303), answer.text
    assert hidden not in _products_on((await client.get("/products")).text)
    assert (await client.get(f"/products/{hidden}")).status_code == 404
    assert hidden not in _products_on((await client.get(team)).text)


async def test_a_hidden_project_leaves_the_signed_in_list_and_its_page_at_once(client) -> None:
    await restore_demo_data()
    await sign_in(client, "ameliab", "apple-otter-12")
    hidden = _projects_on((await client.get("/projects")).text)[0]
    assert (await client.get(f"/projects/{hidden}")).status_code == 200
    async with another_browser(client) as admin:
        await sign_in(admin, "admin", "cluster-admin-demo")
        answer = await post_form(admin, f"/moderation/project/{hidden}/hide", {"feedback": "x"})
        assert answer.status_code in (200, 303), answer.text
    assert hidden not in _projects_on((await client.get("/projects")).text)
    assert (await client.get(f"/projects/{hidden}")).status_code == 404


async def test_a_new_market_day_shows_on_the_signed_in_list_at_once(client) -> None:
    await restore_demo_data()
    await sign_in(client, "ameliab", "apple-otter-12")
    before = (await client.get("/market-days")).text
    assert "Wymondham Fair" not in before
    async with another_browser(client) as admin:
        await sign_in(admin, "admin", "cluster-admin-demo")
        answer = await post_form(
            admin,
            "/admin/market-days/",
            {
                "date": "2099-06-01",
                "location": "Wymondham Fair",
                "opens": "09:00",
                "closes": "13:00",
            },
            follow_redirects=False,
        )
        assert answer.status_code in (302, 303), answer.text
    assert "Wymondham Fair" in (await client.get("/market-days")).text
