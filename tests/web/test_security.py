"""CSRF on every unsafe request, security headers everywhere, error pages that leak nothing."""

import re

from litestar import get

from clustermarket.accounts.tables import Role
from clustermarket.server import create_app
from clustermarket.settings import get_settings
from tests.conftest import make_user, post_form, sign_in


async def test_a_post_without_the_csrf_token_is_refused_with_a_clear_page(client) -> None:
    await make_user("ameliab")
    await client.get("/login")
    response = await client.post("/login", data={"username": "ameliab", "password": "password-123"})
    assert response.status_code == 403
    assert "This form had expired" in response.text
    assert "cm_session" not in client.cookies  # not signed in


async def test_a_wrong_csrf_token_is_refused(client) -> None:
    await client.get("/login")
    response = await client.post("/logout", data={"_csrf_token": "0" * 128})
    assert response.status_code == 403


async def test_htmx_requests_send_the_token_as_a_header(client) -> None:
    pupil_id = await make_user("ameliab")
    await make_user("staylor", role=Role.teacher)
    await sign_in(client, "staylor")
    page = await client.get("/pupils")
    token = client.cookies["csrftoken"]
    assert f'hx-headers=\'{{"x-csrftoken": "{token}"}}\'' in page.text
    response = await client.post(
        f"/pupils/{pupil_id}/active",
        data={"value": "off"},
        headers={"HX-Request": "true", "x-csrftoken": token},
    )
    assert response.status_code == 200
    missing = await client.post(
        f"/pupils/{pupil_id}/active", data={"value": "on"}, headers={"HX-Request": "true"}
    )
    assert missing.status_code == 403
    # htmx gets a small message to swap in, not a whole page.
    assert "<html" not in missing.text and 'role="alert"' in missing.text


async def test_security_headers_on_pages_errors_and_static_files(client) -> None:
    for path in ("/", "/login", "/no-such-page", "/static/css/site.css"):
        response = await client.get(path)
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in response.headers  # plain http here


async def test_pages_have_no_inline_script_and_htmx_is_served_locally(client) -> None:
    page = await client.get("/")
    src = re.search(r'<script src="(/static/vendor/htmx-2\.0\.11\.min\.\w+\.js)"', page.text)
    assert src, "htmx is loaded from this site under its content-hashed name"
    assert "<script>" not in page.text and "onclick=" not in page.text
    js = await client.get(src.group(1))
    assert js.status_code == 200 and "htmx" in js.text


async def test_friendly_404(client) -> None:
    response = await client.get("/products/999999")
    assert response.status_code == 404
    assert "We could not find that page" in response.text
    assert "Traceback" not in response.text


async def test_a_crash_shows_a_friendly_500_that_leaks_nothing() -> None:
    from litestar.testing import AsyncTestClient

    @get("/boom")
    async def boom() -> str:
        raise RuntimeError("secret database password is hunter2")

    app = create_app(get_settings())
    app.register(boom)
    async with AsyncTestClient(app=app) as client:
        response = await client.get("/boom")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "hunter2" not in response.text and "RuntimeError" not in response.text


async def test_a_bad_path_parameter_is_a_4xx_not_a_500(client) -> None:
    await make_user("staylor", role=Role.teacher)
    await sign_in(client, "staylor")
    response = await post_form(client, "/pupils/not-a-number/reset", {})
    assert 400 <= response.status_code < 500
    response = await client.get("/pupils?school=abc")
    assert response.status_code == 400
    assert "Some of what was sent was not valid" in response.text


async def test_health_check(client) -> None:
    response = await client.get("/health")
    assert response.json() == {"status": "ok"}
