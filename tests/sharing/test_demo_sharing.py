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
