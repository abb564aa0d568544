"""A `back` or `next` link never leaves the site; control characters in a form are refused
with the right message on both engines; a wrong DATABASE_URL host or port is one line."""

import os
import subprocess
import sys

import pytest

from clustermarket.settings import PROJECT_ROOT
from clustermarket.sharing.tables import Idea
from clustermarket.web.urls import local_path
from tests.conftest import make_user, post_form, sign_in
from tests.sharing.helpers import post_idea, two_schools

LEAVING = [
    "//evil.example/phish",
    "/\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    " //evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "evil.example",
    "",
]


@pytest.mark.parametrize("target", LEAVING)
def test_only_a_path_on_this_site_is_kept(target) -> None:
    assert local_path(target, "/ideas") == "/ideas"


def test_a_local_path_with_a_query_is_kept() -> None:
    assert local_path("/ideas/3?page=2#c4") == "/ideas/3?page=2#c4"


async def test_go_back_without_reporting_stays_on_the_site(client) -> None:
    await make_user("ameliab")
    await sign_in(client, "ameliab")
    page = await client.get("/flag/idea/1", params={"back": "//evil.example/phish"})
    assert page.status_code == 200
    assert "evil.example" not in page.text
    assert '<a href="/ideas">Go back without reporting</a>' in page.text
    # The form's hidden field and the redirect after a (refused) report stay local too.
    refused = await post_form(client, "/flag/idea/999", {"reason": "", "back": "//evil.example"})
    assert "evil.example" not in refused.text


async def test_sign_in_never_sends_anyone_off_the_site(client) -> None:
    await make_user("ameliab")
    page = await client.get("/login", params={"next": "//evil.example/phish"})
    assert "evil.example" not in page.text
    response = await post_form(
        client,
        "/login",
        {"username": "ameliab", "password": "password-123", "next": "/\\evil.example"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/dashboard"


@pytest.mark.parametrize(
    "bad", ["\x00", "\x07", "\x1b[31m", "\x7f", "\x85", "\u202e", "\u2066", "\u202a"]
)
async def test_a_control_character_in_a_form_is_refused_and_nothing_is_stored(client, bad) -> None:
    await two_schools()
    await sign_in(client, "ameliab")
    response = await post_form(
        client, "/ideas/new", {"title": f"Seed{bad}bombs", "body": "Clay.", "tag": "eco"}
    )
    assert response.status_code == 400
    assert "control character" in response.text and "too large" not in response.text
    assert await Idea.count() == 0


async def test_tabs_newlines_and_emoji_are_fine(client) -> None:
    await two_schools()
    await sign_in(client, "ameliab")
    # A family emoji is joined with U+200D (zero-width joiner), which stays allowed.
    await post_idea(
        client, body="Clay,\tcompost\r\nand seeds \U0001f468\u200d\U0001f469\u200d\U0001f467."
    )
    assert await Idea.count() == 1


async def test_a_control_character_in_a_search_gets_the_right_message(client) -> None:
    response = await client.get("/products", params={"q": "candle\x00"})
    assert response.status_code == 400 and "control character" in response.text


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("postgresql://postgres@127.0.0.1:1/clustermarket", "connection was refused"),
        ("postgresql://postgres@no-such-host.invalid:5432/x", "host name is not known"),
    ],
)
@pytest.mark.parametrize("command", [["-m", "clustermarket", "migrate"], ["-c", "import app"]])
def test_a_wrong_database_host_or_port_is_one_line(tmp_path, url, reason, command) -> None:
    env = {**os.environ, "DATABASE_URL": url, "DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, *command],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Setting error: DATABASE_URL: cannot open PostgreSQL at ")
    assert reason in lines[0]
