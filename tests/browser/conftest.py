"""Real-browser tests: the app runs as a real uvicorn server on 127.0.0.1 with its own fresh
SQLite database, and Debian's Chromium (driven by Playwright) clicks through it with htmx running.

Fixtures: `app_server` (its base URL), `browser`, `open_page(size)` for a page in a fresh
context (its own cookies: one person on one device), and `desktop_page` / `phone_page`.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import pytest
from playwright.async_api import Browser, Error, Page, async_playwright

from clustermarket.settings import PROJECT_ROOT
from tests.browser.checks import CSP_LISTENER, OUTPUT_DIR, register_page, sizes
from tests.orders.stripe_standin import StripeStandIn

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_SECONDS = 30
# Settings the browser server must not inherit from the shell or from the unit tests' set-up.
NOT_INHERITED = (
    "DATABASE_URL",
    "DATABASE_POOL_SIZE",
    "REDIS_URL",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "STRIPE_PUBLISHABLE_KEY",
    "STRIPE_API_BASE",
    "PUBLIC_URL",
    "LOGIN_LIMIT_PER_ADDRESS",
    "LOGIN_LIMIT_PER_USERNAME",
    "DATA_DIR",
)
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The browser server always runs on SQLite, so the PostgreSQL pass would only repeat them.
    if not ON_POSTGRES:
        return
    skip = pytest.mark.skip(
        reason="browser tests run on SQLite with their own server; they ran in the SQLite "
        "pass (unset DATABASE_URL, or `make test-browser`, to run them)"
    )
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def clean_db() -> None:
    """The unit tests' per-test clean-up is not needed: the server has its own database."""


# ------------------------------------------------------------------------ the app server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env: dict[str, str], *command: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "clustermarket", *command],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        pytest.fail(f"`clustermarket {' '.join(command)}` failed:\n{result.stdout}{result.stderr}")


def _start(env: dict[str, str], log_path: Path) -> tuple[subprocess.Popen, str] | None:
    """Start uvicorn on a free port; None when the port was taken meanwhile."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**env, "PUBLIC_URL": url}
    log = log_path.open("a")
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            if "address already in use" in log_path.read_text().lower():
                return None
            pytest.fail(f"The app server stopped at start-up:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.1)
    process.kill()
    pytest.fail(
        f"The app server did not answer /health within {SERVER_START_SECONDS} s:\n"
        f"{log_path.read_text()[-3000:]}"
    )


def server_env(data_dir: Path) -> dict[str, str]:
    """The settings of a browser test server with its own SQLite database in `data_dir`."""
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env.update(
        APP_ENV="test",
        DATA_DIR=str(data_dir),
        DATABASE_URL=f"sqlite:///{data_dir}/browser.sqlite3",
        SECRET_KEY="browser-test-secret-key-0123456789-abcdefghijkl",
        PASSWORD_HASH_PROFILE="fast",
        # Every test signs in from 127.0.0.1; the limit itself is tested in tests/accounts.
        LOGIN_LIMIT_PER_ADDRESS="1000",
    )
    return env


def with_stripe_standin(env: dict[str, str]) -> StripeStandIn:
    """Online payment against the Stripe stand-in of tests/orders: the SDK talks to it over
    HTTP, and its test checkout page delivers a signed webhook to the server (set its
    `webhook_url` once the server runs)."""
    standin = StripeStandIn("sk_test_browser", webhook_secret="whsec_browser").start()
    env.update(
        STRIPE_SECRET_KEY=standin.api_key,
        STRIPE_WEBHOOK_SECRET="whsec_browser",
        STRIPE_PUBLISHABLE_KEY="pk_test_browser",
        STRIPE_API_BASE=standin.url,
    )
    return standin


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """What test-output/ holds is what this run made: no stale pictures of renamed tests."""
    shutil.rmtree(OUTPUT_DIR, ignore_errors=True)
    OUTPUT_DIR.mkdir(parents=True)
    return OUTPUT_DIR


@contextmanager
def serving(env: dict[str, str], log_path: Path) -> Iterator[str]:
    """A uvicorn server with `env` for the block (its log in `log_path`); yields its base URL."""
    log_path.write_text("")
    for _attempt in range(3):
        started = _start(env, log_path)
        if started:
            break
    else:
        pytest.fail("No free port for the app server after three tries.")
    process, url = started
    try:
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory, output_dir: Path) -> Iterator[str]:
    """The app as its users meet it: a real server with a fresh, migrated database and the
    demo data (so the demo sign-ins from the README work). Yields its base URL."""
    env = server_env(tmp_path_factory.mktemp("browser-server"))
    standin = with_stripe_standin(env)
    try:
        _manage(env, "migrate")
        _manage(env, "demo")
        with serving(env, output_dir / "server.log") as url:
            standin.webhook_url = f"{url}/stripe/webhook"
            yield url
    finally:
        standin.stop()


# ------------------------------------------------------------------------ the browser


def _require_chromium() -> None:
    """Fail at once, saying how to install it, rather than hang or skip quietly."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}. The browser tests use Debian's Chromium: "
            "`apt-get update && apt-get install -y chromium` (or set CHROMIUM_PATH). "
            "Never `playwright install`.",
            pytrace=False,
        )


@asynccontextmanager
async def chromium(*extra_flags: str) -> AsyncIterator[Browser]:
    """Debian's Chromium with the fixed flags (and any given), closed after the block."""
    _require_chromium()
    async with async_playwright() as playwright:
        try:
            launched = await playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=[*CHROMIUM_FLAGS, *extra_flags],
                headless=True,
                timeout=30_000,
            )
        except Error as error:
            pytest.fail(
                f"Chromium at {CHROMIUM} did not start ({error.message.splitlines()[0]}). "
                "Reinstall it with `apt-get install -y chromium`.",
                pytrace=False,
            )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


_report_key = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator:
    report = yield
    item.stash.setdefault(_report_key, {})[report.when] = report
    return report


def output_name(node: pytest.Item) -> str:
    """`test_visitor_browses[phone]` -> `visitor_browses`: the start of screenshot names."""
    name = getattr(node, "originalname", node.name)
    return re.sub(r"[^a-z0-9_]+", "-", name.removeprefix("test_").lower())


OpenPage = Callable[..., Awaitable[Page]]


@asynccontextmanager
async def page_opener(
    browser: Browser, base_url: str, request: pytest.FixtureRequest
) -> AsyncIterator[OpenPage]:
    """`await opener(size)` (or `opener(size, base_url=...)`): a new page in a fresh context
    (no cookies), at a size from `sizes`; relative URLs go to `base_url`. After the block a
    failed test leaves its pages in test-output/failures/ and the contexts are closed."""
    contexts = []
    pages: list[Page] = []

    async def _open(size: str = "desktop", base_url: str = base_url) -> Page:
        context = await browser.new_context(base_url=base_url, **sizes[size])
        context.set_default_timeout(10_000)
        await context.add_init_script(CSP_LISTENER)
        contexts.append(context)
        page = await context.new_page()
        register_page(page, output_name(request.node), size)
        pages.append(page)
        return page

    try:
        yield _open
    finally:
        report = request.node.stash.get(_report_key, {}).get("call")
        if report is not None and report.failed:
            folder = OUTPUT_DIR / "failures"
            folder.mkdir(parents=True, exist_ok=True)
            for number, page in enumerate(pages, 1):
                if not page.is_closed():
                    await page.screenshot(
                        path=folder / f"{output_name(request.node)}-{number}.png", full_page=True
                    )
        for context in contexts:
            await context.close()


@pytest.fixture
async def open_page(
    browser: Browser, app_server: str, request: pytest.FixtureRequest
) -> AsyncIterator[OpenPage]:
    """`await open_page("phone")`: a new page in a fresh context (no cookies), at a size from
    `sizes`; relative URLs go to the app server. Several per test for several people."""
    async with page_opener(browser, app_server, request) as opener:
        yield opener


@pytest.fixture
async def desktop_page(open_page: OpenPage) -> Page:
    """A class computer: 1280 x 800."""
    return await open_page("desktop")


@pytest.fixture
async def phone_page(open_page: OpenPage) -> Page:
    """A parent's phone at the market stall: 360 x 740, touch."""
    return await open_page("phone")
