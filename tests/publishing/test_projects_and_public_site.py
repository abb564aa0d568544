"""Projects with impact tallies, the public lists with search and filters, names on pages."""

import re

from clustermarket.accounts.tables import User
from clustermarket.catalogue.tables import Product
from clustermarket.projects.tables import ImpactTally
from clustermarket.timeutil import now
from tests.conftest import QueryCounter, as_user, make_client, make_team, post_form, sign_in


async def new_project(client, team, title="Bottle-top recycling") -> int:
    response = await post_form(
        client,
        f"/teams/{team['id']}/projects/new",
        {"title": title, "summary": "We recycle tops.", "body": "Every class has a tub."},
        follow_redirects=False,
    )
    assert response.status_code == 302, response.text
    return int(re.search(r"/projects/(\d+)/edit", response.headers["location"]).group(1))


async def approve(kind: str, content_id: int, teacher: str = "staylor") -> None:
    async with make_client() as client:
        await sign_in(client, teacher)
        response = await post_form(client, f"/moderation/{kind}/{content_id}/approve", {})
        assert response.status_code in (200, 302)


async def test_impact_tallies_add_up_across_the_cluster(client) -> None:
    eco = await make_team(kind="eco", name="Eco Warriors", pupils=("ameliab",))
    await sign_in(client, "ameliab")
    project_id = await new_project(client, eco)
    bad = await post_form(
        client,
        f"/projects/{project_id}/tallies",
        {"quantity": "lots", "unit": "bottles", "label": "recycled"},
    )
    assert bad.status_code == 400 and "whole number" in bad.text
    assert 'value="lots"' in bad.text
    await post_form(
        client,
        f"/projects/{project_id}/tallies",
        {"quantity": "120", "unit": "bottles", "label": "recycled"},
    )
    await post_form(client, f"/projects/{project_id}/submit", {})
    await approve("project", project_id)

    other = await make_team(
        school="buxton", kind="eco", teacher="bteacher", pupils=("buxpupil",), name="Buxton Green"
    )
    async with make_client() as buxton:
        await sign_in(buxton, "buxpupil")
        other_id = await new_project(buxton, other, "Bottle bank")
        await post_form(
            buxton,
            f"/projects/{other_id}/tallies",
            {"quantity": "80", "unit": "Bottles", "label": "Recycled"},
        )
        await post_form(buxton, f"/projects/{other_id}/submit", {})
    await approve("project", other_id, teacher="bteacher")

    home = await client.get("/")
    assert re.search(r"<strong>200</strong> <span>bottles recycled</span>", home.text)
    school_page = await client.get("/schools/buxton")
    assert re.search(r"<strong>80</strong> <span>bottles recycled</span>", school_page.text)

    # A pupil's change of a tally waits for approval; the public total stays.
    tally = await ImpactTally.select().where(ImpactTally.project == project_id).first()
    await post_form(client, f"/projects/{project_id}/tallies/{tally['id']}/remove", {})
    await post_form(
        client,
        f"/projects/{project_id}/tallies",
        {"quantity": "150", "unit": "bottles", "label": "recycled"},
    )
    home = await client.get("/")
    assert re.search(r"<strong>200</strong> <span>bottles recycled</span>", home.text)
    await post_form(client, f"/projects/{project_id}/submit", {})
    await approve("project", project_id)
    home = await client.get("/")
    assert re.search(r"<strong>230</strong> <span>bottles recycled</span>", home.text)


async def _public_products(count: int) -> None:
    team = await make_team(pupils=())
    await Product.insert(
        *[
            Product(
                team=team["id"],
                name=f"Thing {i}",
                price_pence=100 + i,
                published_name=f"Thing {i}",
                published_price_pence=100 + i,
                is_public=True,
                status="approved",
                created_at=now(),
                updated_at=now(),
            )
            for i in range(count)
        ]
    )


async def test_search_and_filters_work_as_plain_get_and_as_htmx(client) -> None:
    team = await make_team(pupils=())
    await Product.insert(
        Product(
            team=team["id"],
            name="Beeswax candle",
            price_pence=450,
            published_name="Beeswax candle",
            published_price_pence=450,
            is_public=True,
            status="approved",
            created_at=now(),
            updated_at=now(),
        ),
        Product(
            team=team["id"],
            name="Secret draft",
            price_pence=100,
            status="draft",
            created_at=now(),
            updated_at=now(),
        ),
    )
    page = await client.get("/products?q=candle&school=aylsham-high")
    assert page.status_code == 200 and "<html" in page.text
    assert "Beeswax candle" in page.text and 'value="candle"' in page.text
    assert "Secret draft" not in (await client.get("/products?q=secret")).text
    assert "Beeswax candle" not in (await client.get("/products?school=buxton")).text
    fragment = await client.get("/products?q=wax", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and fragment.text.lstrip().startswith('<div id="results"')
    assert "Beeswax candle" in fragment.text
    assert fragment.headers["vary"] == "HX-Request"
    restore = await client.get(
        "/products?q=wax", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.text
    # A wildcard typed into the box is just text.
    assert "Beeswax candle" not in (await client.get("/products?q=%25%25zz")).text

    projects = await client.get("/projects?kind=eco&school=aylsham-high&q=x")
    assert projects.status_code == 200


async def test_list_pages_use_a_constant_number_of_queries(client, settings) -> None:
    async def count_queries(path: str) -> int:
        with QueryCounter() as counter:
            response = await client.get(path)
            assert response.status_code == 200
        return counter.count

    await _public_products(5)
    await sign_in(client, "staylor")
    paths = [
        "/",
        "/products",
        "/projects",
        "/schools/aylsham-high",
        "/moderation",
        "/dashboard",
        "/pupils",
    ]
    few = {path: await count_queries(path) for path in paths}
    await _public_products(195)
    from tests.conftest import make_user

    for i in range(60):
        await make_user(f"extra{i}", school="aylsham-high")
    many = {path: await count_queries(path) for path in paths}
    assert few == many
    assert "Thing 194" in (await client.get("/products")).text


async def test_signed_in_pages_name_pupils_by_first_name_and_initial(client) -> None:
    team = await make_team(pupils=("ameliab",))
    await User.update({User.first_name: "Amelia", User.last_name: "Brown"}).where(
        User.username == "ameliab"
    )
    await sign_in(client, "ameliab")
    workspace = await client.get(f"/teams/{team['id']}/workspace")
    assert "Amelia B." in workspace.text and "Brown" not in workspace.text
    header = await client.get("/dashboard")
    assert "Amelia B." in header.text and "Brown" not in header.text
    assert (await as_user("ameliab")).short_name == "Amelia B."
