"""Security headers on every kind of answer: page, fragment, redirect, 404, 403, 405, 413,
static file, JSON health, CSV download, image, CSRF refusal (web/security.py)."""

from __future__ import annotations

from dataclasses import replace

from litestar.testing import AsyncTestClient

from clustermarket.server import create_app
from clustermarket.settings import get_settings
from tests.audit.probe import csrf_of, missing_security_headers
from tests.audit.world import World

FORM = "application/x-www-form-urlencoded"


async def test_every_kind_of_answer_carries_the_security_headers(world: World) -> None:
    visitor, pupil, teacher = (world.clients[r] for r in ("anonymous", "pupil_a", "teacher_a"))
    photo = world.ids["A"]["photo_name"]
    answers = {
        "page": await visitor.get("/"),
        "fragment": await pupil.get("/notifications/badge", headers={"hx-request": "true"}),
        "redirect": await visitor.get("/dashboard", follow_redirects=False),
        "htmx redirect": await visitor.get("/dashboard", headers={"hx-request": "true"}),
        "404": await visitor.get("/no-such-page"),
        "403": await pupil.get("/admin/staff"),
        "405": await visitor.put("/"),
        "CSRF 403": await visitor.post("/coop/apply", data={"name": "x"}),
        "413": await visitor.post(
            "/coop/apply",
            content=b"x" * (11 * 1024 * 1024),
            headers={"x-csrftoken": csrf_of(visitor), "content-type": FORM},
        ),
        "static": await visitor.get("/static/css/site.css"),
        "JSON health": await visitor.get("/health"),
        "CSV": await teacher.get("/reports/methods/csv"),
        "image": await visitor.get(f"/media/{photo}"),
    }
    kinds = {
        "page": ("text/html", 200),
        "fragment": ("text/html", 200),
        "redirect": ("", 302),
        "htmx redirect": ("", 200),
        "404": ("text/html", 404),
        "403": ("text/html", 403),
        "405": ("text/html", 405),
        "CSRF 403": ("text/html", 403),
        "413": ("", 413),
        "static": ("text/css", 200),
        "JSON health": ("application/json", 200),
        "CSV": ("text/csv", 200),
        "image": ("image/jpeg", 200),
    }
    for kind, (content_type, status) in kinds.items():
        answer = answers[kind]
        assert answer.status_code == status, kind
        assert answer.headers.get("content-type", "").startswith(content_type), kind
        assert not missing_security_headers(answer), kind
    assert "hx-redirect" in answers["htmx redirect"].headers
    # No strict transport security over plain http (it would pin a development host).
    assert "strict-transport-security" not in answers["page"].headers


async def test_with_an_https_address_strict_transport_security_is_sent_too() -> None:
    app = create_app(replace(get_settings(), public_url="https://market.example.org"))
    async with AsyncTestClient(app=app, base_url="https://testserver.local") as client:
        for path in ("/", "/no-such-page", "/static/css/site.css", "/health"):
            answer = await client.get(path)
            assert "max-age=31536000" in answer.headers["strict-transport-security"], path
            assert not missing_security_headers(answer), path
