"""The app as a real uvicorn process on the tests' own database, for what the in-process test
client cannot show: truly parallel requests, a killed and restarted server, its memory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import httpx
import pytest

from clustermarket.settings import PROJECT_ROOT, get_settings

START_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RealServer:
    """One server process; `restart()` keeps its DATA_DIR (sessions, counters, media)."""

    def __init__(self, data_dir: Path, **env: str):
        self.data_dir = data_dir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir / "server.log"
        self.env = {
            **os.environ,
            "APP_ENV": "test",
            "DATA_DIR": str(data_dir),
            "DATABASE_URL": get_settings().database_url,  # the tests' database
            "SECRET_KEY": get_settings().secret_key,
            "PASSWORD_HASH_PROFILE": "fast",
            "PUBLIC_URL": self.url,
            "DATABASE_POOL_SIZE": "10",  # asyncpg opens 10 at least
            **env,
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> RealServer:
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "app:app", "--host", "127.0.0.1",
                 "--port", str(self.port)],
                cwd=PROJECT_ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"The server stopped at start-up:\n{self.log()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        pytest.fail(f"The server did not start:\n{self.log()[-3000:]}")

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def kill(self) -> None:
        """As a power cut or `kill -9` would: no clean shutdown."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def restart(self) -> RealServer:
        self.kill()
        return self.start()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def browser(server: RealServer, **kwargs: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=server.url, timeout=120, **kwargs)


async def form_post(client: httpx.AsyncClient, url: str, data: dict[str, Any], **kwargs: Any):
    """A form post with the CSRF token, as a browser sends it."""
    if not client.cookies.get("csrftoken"):
        await client.get("/login")
    return await client.post(
        url, data={**data, "_csrf_token": client.cookies["csrftoken"]}, **kwargs
    )


@pytest.fixture
def real_server(tmp_path: Path):
    """Start with `real_server(**env)`; every server started is stopped after the test."""
    started: list[RealServer] = []

    def start(**env: str) -> RealServer:
        server = RealServer(tmp_path / f"server{len(started)}", **env)
        server.data_dir.mkdir()
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()
