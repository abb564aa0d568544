"""Several workers share sessions and login limits through Redis (REDIS_URL)."""

from tests.conftest import make_client, make_user, post_form, sign_in


async def test_a_session_made_by_one_worker_works_on_another(redis_url) -> None:
    await make_user("ameliab", first_name="Amelia")
    async with (
        make_client(redis_url=redis_url) as worker_a,
        make_client(redis_url=redis_url) as worker_b,
    ):
        await sign_in(worker_a, "ameliab")
        for name in ("cm_session", "csrftoken"):
            worker_b.cookies.set(name, worker_a.cookies[name], domain="testserver.local")
        page = await worker_b.get("/dashboard")
        assert page.status_code == 200 and "Hello, Amelia" in page.text
        # Signing out on one worker ends the session on the other.
        await post_form(worker_b, "/logout", {})
        worker_a.cookies.clear()
        worker_a.cookies.set(
            "cm_session", worker_b.cookies.get("cm_session") or "gone", domain="testserver.local"
        )
        assert (await worker_a.get("/dashboard", follow_redirects=False)).status_code == 302


async def test_the_wrong_password_limit_counts_across_workers(redis_url) -> None:
    await make_user("ameliab")
    async with (
        make_client(redis_url=redis_url, login_limit_per_username=2) as worker_a,
        make_client(redis_url=redis_url, login_limit_per_username=2) as worker_b,
    ):
        await post_form(worker_a, "/login", {"username": "ameliab", "password": "wrong-one"})
        await post_form(worker_b, "/login", {"username": "ameliab", "password": "wrong-two"})
        response = await post_form(
            worker_a, "/login", {"username": "ameliab", "password": "password-123"}
        )
        assert response.status_code == 429


async def test_a_stopped_redis_fails_fast_with_a_clear_error() -> None:
    import time

    async with make_client(redis_url="redis://127.0.0.1:1/0") as client:
        started = time.monotonic()
        # A visitor's page needs no shared state; signing in does (the login limits).
        assert (await client.get("/login")).status_code == 200
        response = await post_form(client, "/login", {"username": "a", "password": "bbbbbbbb"})
        assert time.monotonic() - started < 10
        assert response.status_code == 503  # an outage, not a crash (issue 16, item 4)
        assert "try again in a minute" in response.text
