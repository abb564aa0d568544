"""A restart signs nobody out and forgets no pause (issue 16, item 5).

Without Redis, sessions and sign-in counters are files under DATA_DIR/stores; a real server
is killed (no clean shutdown) and started again on the same database and DATA_DIR.
"""

from __future__ import annotations

import asyncio

from litestar.stores.file import FileStore

from tests.conftest import make_user
from tests.realserver import browser, form_post


async def test_a_signed_in_pupil_stays_signed_in_after_the_server_is_killed(real_server) -> None:
    await make_user("ameliab", first_name="Amelia")
    server = real_server()
    async with browser(server) as pupil:
        answer = await form_post(
            pupil, "/login", {"username": "ameliab", "password": "password-123"}
        )
        assert answer.status_code == 302
        assert "Hello, Amelia" in (await pupil.get("/dashboard")).text

        await asyncio.to_thread(server.restart)  # SIGKILL, then a fresh process

        page = await pupil.get("/dashboard")
        assert page.status_code == 200 and "Hello, Amelia" in page.text
        # The stored session still signs out properly.
        await form_post(pupil, "/logout", {})
        assert (await pupil.get("/dashboard")).status_code == 302


async def test_a_paused_username_stays_paused_after_a_restart(real_server) -> None:
    await make_user("ameliab")
    server = real_server()
    async with browser(server) as guesser:
        for _ in range(5):
            await form_post(guesser, "/login", {"username": "ameliab", "password": "wrong-pw"})
        await asyncio.to_thread(server.restart)
        answer = await form_post(
            guesser, "/login", {"username": "ameliab", "password": "password-123"}
        )
        assert answer.status_code == 429


async def test_expired_sessions_are_removed_when_the_server_starts(real_server) -> None:
    server = real_server()
    server.stop()
    sessions = FileStore(server.data_dir / "stores" / "sessions")
    await sessions.set("old-session", b"{}", expires_in=1)
    await sessions.set("live-session", b"{}", expires_in=3600)
    assert await sessions.exists("old-session")  # on disk until someone removes it
    await asyncio.sleep(1.2)
    await asyncio.to_thread(server.start)
    assert [await sessions.exists(key) for key in ("old-session", "live-session")] == [
        False,
        True,
    ]
