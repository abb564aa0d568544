"""The demo data shows a living ideas board, pitch round and co-op."""

from clustermarket.demo import load_demo_data
from tests.conftest import sign_in


async def test_demo_sharing_content(client, people) -> None:
    await load_demo_data()
    await sign_in(client, "noahw", "daisy-rocket-21")
    board = await client.get("/ideas")
    assert "A cluster compost bin at the market" in board.text and "Amelia B." in board.text
    assert "Brown" not in board.text
    assert "Bee hotels" not in board.text  # still waiting for its teacher
    assert "Pitch round before the next market" in (await client.get("/pitch")).text
    assert "Should the cluster buy a compost bin" in (await client.get("/coop")).text

    client.cookies.clear()
    await sign_in(client, "pshah", "teacher-demo-3")
    queue = await client.get("/moderation")
    assert (
        "Bee hotels from old canes" in queue.text and "smaller one for pocket money" in queue.text
    )

    client.cookies.clear()
    await sign_in(client, "ameliab", "apple-otter-12")
    entry = await client.get("/pitch/entries/1")
    assert "It smells lovely" in entry.text and "pocket money" not in entry.text


async def test_every_sharing_page_opens_for_every_demo_role(client) -> None:
    await load_demo_data()
    pages = [
        "/ideas",
        "/ideas?order=discussed&tag=eco",
        "/ideas/1",
        "/ideas/new",
        "/feedback/product/1",
        "/pitch",
        "/pitch/rounds/1",
        "/pitch/entries/1",
        "/notifications",
        "/notifications/badge",
        "/coop",
        "/coop/votes/1",
        "/flag/idea/1",
        "/dashboard",
    ]
    for username, password in (
        ("admin", "cluster-admin-demo"),
        ("staylor", "teacher-demo-1"),
        ("harryp", "robin-cake-65"),
        ("jpatel", "parent-demo-1"),
    ):
        client.cookies.clear()
        await sign_in(client, username, password)
        for path in pages:
            assert (await client.get(path)).status_code == 200, (username, path)
        for tab in ("waiting", "live", "hidden", "flagged"):
            page = await client.get(f"/moderation?tab={tab}")
            assert page.status_code == (200 if username in ("admin", "staylor") else 403)
    assert (await client.get("/admin/coop")).status_code == 403
    client.cookies.clear()
    await sign_in(client, "admin", "cluster-admin-demo")
    admin_page = await client.get("/admin/coop")
    assert "Aylsham Allotment Society" in admin_page.text
