"""Sign-in limits that stop a guesser without locking a class out (issue 16, item 3).

Every story runs on the embedded store (files under DATA_DIR) and on Redis.
"""

from __future__ import annotations

import asyncio
import re

import pytest
import redis

from clustermarket.accounts.tables import Role
from clustermarket.moderation.tables import ModerationLog
from tests.accounts.test_pupil_accounts import cards_in
from tests.conftest import REDIS_TEST_URL, make_client, make_user, post_form, sign_in
from tests.realserver import browser, form_post


@pytest.fixture(params=["files", "redis"])
def store_settings(request) -> dict:
    if request.param == "files":
        return {"REDIS_URL": ""} if "real_server" in request.fixturenames else {}
    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.flushdb()
    except redis.exceptions.ConnectionError as error:
        pytest.fail(f"Redis at {REDIS_TEST_URL} is not reachable ({error}).")
    finally:
        client.close()
    if "real_server" in request.fixturenames:
        return {"REDIS_URL": REDIS_TEST_URL}
    return {"redis_url": REDIS_TEST_URL}


class Clock:
    """Time moves on only when the story says so (the pause lengths are minutes)."""

    def __init__(self, monkeypatch):
        from clustermarket.accounts import signin_limits

        self.now = 1_800_000_000.0
        monkeypatch.setattr(signin_limits.time, "time", lambda: self.now)

    def wait(self, seconds: int) -> None:
        self.now += seconds


async def _try(client, username: str, password: str):
    return await post_form(
        client, "/login", {"username": username, "password": password}, follow_redirects=False
    )


async def test_fifty_parallel_guesses_check_at_most_the_limit(store_settings, real_server) -> None:
    """On a real server (the in-process test client answers one request at a time)."""
    await make_user("ameliab")
    server = real_server(**store_settings)
    async with browser(server) as guesser:
        await guesser.get("/login")
        answers = await asyncio.gather(
            *(
                form_post(guesser, "/login", {"username": "ameliab", "password": f"guess-{n:04}"})
                for n in range(50)
            )
        )
        checked = [a for a in answers if a.status_code == 400]
        refused = [a for a in answers if a.status_code == 429]
        assert len(checked) + len(refused) == 50
        assert 1 <= len(checked) <= 10  # the limit; the first pause comes after 5
        assert "Too many wrong passwords for this username" in refused[0].text
        # The right password, now, while the username is paused: not signed in.
        answer = await form_post(
            guesser, "/login", {"username": "ameliab", "password": "password-123"}
        )
        assert answer.status_code == 429
        assert "cm_session" not in guesser.cookies


async def test_the_pause_grows_step_by_step_and_the_right_password_ends_it(
    store_settings, monkeypatch
) -> None:
    clock = Clock(monkeypatch)
    await make_user("ameliab")
    async with make_client(**store_settings) as client:
        for _ in range(4):  # four typos cost nothing
            assert (await _try(client, "ameliab", "wrong-pass")).status_code == 400
        fifth = await _try(client, "ameliab", "wrong-pass")
        assert fifth.status_code == 400 and "now waits 30 seconds" in fifth.text
        paused = await _try(client, "ameliab", "password-123")
        assert paused.status_code == 429 and "Wait 30 seconds" in paused.text
        for wait, next_pause in ((30, "1 minute"), (60, "5 minutes"), (300, "5 minutes")):
            clock.wait(wait)
            answer = await _try(client, "ameliab", "wrong-pass")
            assert answer.status_code == 400 and f"now waits {next_pause}" in answer.text
            assert (await _try(client, "ameliab", "wrong-pass")).status_code == 429
        clock.wait(300)
        await _try(client, "ameliab", "wrong-pass")  # the ninth
        clock.wait(300)
        tenth = await _try(client, "ameliab", "wrong-pass")
        assert "now waits 15 minutes" in tenth.text
        clock.wait(14 * 60)
        assert (await _try(client, "ameliab", "password-123")).status_code == 429
        clock.wait(60)
        assert (await _try(client, "ameliab", "password-123")).status_code == 302
        # Signed in: the count starts again from nothing.
        await post_form(client, "/logout", {})
        for _ in range(4):
            assert (await _try(client, "ameliab", "wrong-pass")).status_code == 400


async def _pause(client, username: str) -> None:
    for _ in range(5):
        await _try(client, username, "wrong-pass")
    assert (await _try(client, username, "password-123")).status_code == 429


async def test_a_teacher_sees_who_is_paused_and_unlocks_them_at_once(store_settings) -> None:
    await make_user("staylor", role=Role.teacher)
    pupil_id = await make_user("ameliab", first_name="Amelia", last_name="Brown")
    await make_user("oliverg", first_name="Oliver", last_name="Green")
    async with (
        make_client(**store_settings) as pupil,
        make_client(**store_settings) as teacher,
    ):
        await _pause(pupil, "ameliab")
        await sign_in(teacher, "staylor")
        page = await teacher.get("/pupils")
        assert "Paused after wrong passwords" in page.text
        assert re.search(r"Amelia Brown \(<code>ameliab</code>\), \d\d? seconds left", page.text)
        assert "Unlock Oliver" not in page.text  # only the paused pupil
        answer = await post_form(teacher, f"/pupils/{pupil_id}/unlock", {}, follow_redirects=False)
        assert answer.status_code == 303
        log = await ModerationLog.select().where(ModerationLog.action == "account.unlock")
        assert len(log) == 1 and log[0]["subject_label"] == "ameliab"
        assert "Paused after wrong passwords" not in (await teacher.get("/pupils")).text
        await sign_in(pupil, "ameliab")


async def test_a_teachers_password_reset_lifts_the_pause(store_settings) -> None:
    await make_user("staylor", role=Role.teacher)
    pupil_id = await make_user("ameliab")
    async with (
        make_client(**store_settings) as pupil,
        make_client(**store_settings) as teacher,
    ):
        await _pause(pupil, "ameliab")
        await sign_in(teacher, "staylor")
        card = await post_form(teacher, f"/pupils/{pupil_id}/reset", {})
        [(_, password)] = cards_in(card.text)
        # The pupil signs in with the new card at once, although the pause had not run out.
        assert (await _try(pupil, "ameliab", password)).status_code == 302


async def test_a_pupil_in_another_school_cannot_be_unlocked_by_this_teacher(
    store_settings,
) -> None:
    await make_user("staylor", role=Role.teacher)
    other = await make_user("farpupil", school="bure-valley")
    async with make_client(**store_settings) as teacher:
        await sign_in(teacher, "staylor")
        answer = await post_form(teacher, f"/pupils/{other}/unlock", {}, follow_redirects=False)
        assert answer.status_code == 404
        assert await ModerationLog.count().where(ModerationLog.action == "account.unlock") == 0


async def test_a_class_of_thirty_with_typos_from_one_address_is_never_refused(
    store_settings,
) -> None:
    pupils = [f"pupil{n:02}" for n in range(30)]
    for username in pupils:
        await make_user(username)
    async with make_client(**store_settings) as school_address:
        await school_address.get("/")
        # Within one minute: everyone mistypes twice, then gets it right.
        for password in ("typo-one", "typo-two"):
            answers = await asyncio.gather(*(_try(school_address, u, password) for u in pupils))
            assert {a.status_code for a in answers} == {400}
        answers = await asyncio.gather(*(_try(school_address, u, "password-123") for u in pupils))
        assert {a.status_code for a in answers} == {302}


async def test_password_spraying_from_one_address_is_slowed(store_settings) -> None:
    await make_user("regular")
    async with make_client(login_limit_per_address=10, **store_settings) as address:
        await sign_in(address, "regular")  # signed in here before: a known-good pair
        await post_form(address, "/logout", {})
        await _try(address, "slowtypist", "wrong-pass")  # a pupil already trying here
        answers = [await _try(address, f"victim{n:02}", "Password1") for n in range(20)]
        codes = [a.status_code for a in answers]
        assert codes[:9] == [400] * 9 and codes[9:] == [429] * 11
        assert "from this network" in answers[-1].text
        # Who signed in from here before, or was already trying, is not refused.
        assert (await _try(address, "regular", "password-123")).status_code == 302
        await post_form(address, "/logout", {})
        assert (await _try(address, "slowtypist", "wrong-again")).status_code == 400
    # The spray pauses no one at another address.
    await make_user("victim15")
    async with make_client(base_url="http://elsewhere.local", **store_settings) as home:
        await sign_in(home, "victim15")


async def test_one_child_cannot_lock_out_the_school(store_settings) -> None:
    for username in ("ameliab", "oliverg", "isla"):
        await make_user(username)
    async with make_client(login_limit_per_address=10, **store_settings) as address:
        for _ in range(60):  # hammering two classmates' usernames
            await _try(address, "ameliab", "wrong-pass")
            await _try(address, "oliverg", "wrong-pass")
        assert (await _try(address, "isla", "password-123")).status_code == 302


async def test_the_admins_password_reset_lifts_a_teachers_pause(store_settings) -> None:
    await make_user("admin1", role=Role.admin, school=None)
    teacher_id = await make_user("staylor", role=Role.teacher)
    async with (
        make_client(**store_settings) as teacher,
        make_client(**store_settings) as admin,
    ):
        await _pause(teacher, "staylor")
        await sign_in(admin, "admin1")
        card = await post_form(admin, f"/admin/staff/{teacher_id}/reset", {})
        [(_, password)] = cards_in(card.text)
        assert (await _try(teacher, "staylor", password)).status_code == 302
