"""Signing in and out, for every role, and what goes wrong gets a clear message."""

import pytest

from clustermarket.accounts.tables import Role, User
from tests.conftest import make_client, make_user, post_form, sign_in


@pytest.mark.parametrize(
    ("role", "school", "shown"),
    [
        (Role.pupil, "aylsham-high", "Pupil"),
        (Role.teacher, "aylsham-high", "Teacher"),
        (Role.admin, None, "Cluster admin"),
        (Role.community, None, "Community member"),
    ],
)
async def test_each_role_signs_in_and_sees_their_dashboard(client, role, school, shown) -> None:
    await make_user("someone", role=role, school=school, first_name="Robin")
    response = await sign_in(client, "someone")
    assert response.headers["location"] == "/dashboard"
    page = await client.get("/dashboard")
    assert page.status_code == 200
    assert "Hello, Robin" in page.text and shown in page.text
    assert (await User.select(User.last_login_at).first())["last_login_at"] is not None


async def test_username_is_not_case_sensitive(client) -> None:
    await make_user("ameliab")
    await sign_in(client, "  AmeliaB ")
    assert (await client.get("/dashboard")).status_code == 200


async def test_wrong_password_and_unknown_user_get_the_same_clear_message(client) -> None:
    await make_user("ameliab")
    wrong = await post_form(client, "/login", {"username": "ameliab", "password": "nope-nope"})
    unknown = await post_form(client, "/login", {"username": "nobody", "password": "nope-nope"})
    for response in (wrong, unknown):
        assert response.status_code == 400
        assert "That username and password do not match" in response.text
    # What the pupil typed as username stays in the form.
    assert 'value="ameliab"' in wrong.text
    assert (await client.get("/dashboard", follow_redirects=False)).status_code == 302


async def test_empty_form_is_answered_not_crashed(client) -> None:
    response = await post_form(client, "/login", {})
    assert response.status_code == 400
    assert "Type your username and your password" in response.text


async def test_a_signed_out_visitor_is_sent_to_sign_in_and_back(client) -> None:
    await make_user("teacher1", role=Role.teacher)
    response = await client.get("/pupils", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/login?next=/pupils"
    response = await post_form(
        client,
        "/login",
        {"username": "teacher1", "password": "password-123", "next": "/pupils"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/pupils"


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example", "/\\evil.example"])
async def test_next_never_leaves_the_site(client, target) -> None:
    await make_user("ameliab")
    response = await post_form(
        client,
        "/login",
        {"username": "ameliab", "password": "password-123", "next": target},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/dashboard"


async def test_session_cookie_is_httponly_lax_and_renewed_at_sign_in(client) -> None:
    await make_user("ameliab")
    await client.get("/login")
    assert "cm_session" not in client.cookies  # visitors get no session
    await post_form(client, "/login", {"username": "nobody", "password": "x-x-x-x-x"})
    response = await sign_in(client, "ameliab")
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    first_id = client.cookies["cm_session"]
    await client.post("/logout", data={"_csrf_token": client.cookies["csrftoken"]})
    await sign_in(client, "ameliab")
    assert client.cookies["cm_session"] != first_id


async def test_cookies_are_secure_when_served_over_https() -> None:
    await make_user("ameliab")
    async with make_client(
        public_url="https://market.example", base_url="https://market.example"
    ) as client:
        page = await client.get("/login")
        assert "Secure" in page.headers["set-cookie"]  # the CSRF cookie
        response = await sign_in(client, "ameliab")
        assert "Secure" in response.headers["set-cookie"]
        assert "max-age=31536000" in response.headers["strict-transport-security"]


async def test_sign_out_ends_the_session(client) -> None:
    await make_user("ameliab")
    await sign_in(client, "ameliab")
    old_cookie = client.cookies["cm_session"]
    response = await post_form(client, "/logout", {}, follow_redirects=False)
    assert response.status_code == 302 and response.headers["location"] == "/"
    client.cookies.set("cm_session", old_cookie)  # a copied cookie no longer works
    assert (await client.get("/dashboard", follow_redirects=False)).status_code == 302


async def test_too_many_wrong_passwords_for_one_username_are_refused() -> None:
    await make_user("ameliab")
    async with make_client(login_limit_per_username=3) as client:
        for _ in range(3):
            await post_form(client, "/login", {"username": "ameliab", "password": "guess-1234"})
        # Even the right password is refused now, with a message saying what to do.
        response = await post_form(
            client, "/login", {"username": "ameliab", "password": "password-123"}
        )
        assert response.status_code == 429
        assert "Too many wrong passwords" in response.text
        assert "ask your teacher" in response.text
        # Another pupil on the same computer is not affected.
        await make_user("oliverg")
        await sign_in(client, "oliverg")


async def test_a_flood_of_sign_in_posts_from_one_address_is_refused() -> None:
    """Litestar's rate limit stays as a flood guard, far above what a class needs."""
    await make_user("ameliab")
    async with make_client(login_flood_per_address=4) as client:
        for n in range(4):
            await post_form(client, "/login", {"username": f"x{n}", "password": "yyyyyyyy"})
        response = await post_form(
            client, "/login", {"username": "ameliab", "password": "password-123"}
        )
        assert response.status_code == 429
        assert "Too many tries" in response.text
        # Other pages still work for that address.
        assert (await client.get("/")).status_code == 200


def test_the_sign_in_rate_limit_check_runs_on_the_event_loop() -> None:
    """A plain function would be run in a worker thread on every request of the site."""
    from litestar.middleware import DefineMiddleware
    from litestar.middleware.rate_limit import RateLimitConfig
    from litestar.utils.sync import AsyncCallable

    from clustermarket.server import create_app
    from clustermarket.settings import get_settings

    app = create_app(get_settings())
    [config] = [
        m.kwargs["config"]
        for m in app.middleware
        if isinstance(m, DefineMiddleware) and isinstance(m.kwargs.get("config"), RateLimitConfig)
    ]
    assert config.check_throttle_handler is not None
    assert not isinstance(config.check_throttle_handler, AsyncCallable)
