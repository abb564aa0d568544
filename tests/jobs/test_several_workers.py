"""Several workers, really: two app workers (uvicorn) and one job worker (SAQ) on PostgreSQL
and Redis. Buyers reserve across both app workers and each gets one confirmation e-mail from
the job worker; then they race to confirm the last candles: every reservation that got stock
is e-mailed exactly once."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from clustermarket.jobs.saq_engine import QUEUE
from clustermarket.jobs.tables import Job, JobStatus
from clustermarket.orders.tables import Order
from clustermarket.settings import PROJECT_ROOT, get_settings
from tests.conftest import REDIS_TEST_URL, post_form
from tests.jobs.mail_sink import free_port
from tests.market.helpers import left_of, open_market
from tests.orders.helpers import check_out, fill_basket
from tests.orders.test_hoarding import confirm_link

pytestmark = pytest.mark.skipif(
    not get_settings().is_postgres, reason="several workers need PostgreSQL (DATABASE_URL)"
)


def _spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("a") as out:
        return subprocess.Popen(
            [sys.executable, *args], cwd=PROJECT_ROOT, env=env, stdout=out, stderr=out
        )


def _forget_saq_state() -> None:
    """The test Redis may hold the queue of an earlier run's killed worker: start clean."""
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL)
    if keys := client.keys(f"saq:*{QUEUE}*"):
        client.delete(*keys)
    client.close()


@pytest.fixture
def cluster(sink, tmp_path: Path) -> Iterator[str]:
    """Two app workers and one job worker; yields the app's address."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATA_DIR": str(tmp_path),
        "PUBLIC_URL": url,
        "REDIS_URL": REDIS_TEST_URL,
        "JOBS_IN_APP": "0",
        "DATABASE_POOL_SIZE": "10",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(sink.port),
    }
    log = tmp_path / "servers.log"
    _forget_saq_state()
    web = ["-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", str(port)]
    processes = [
        _spawn([*web, "--workers", "2"], env, log),
        _spawn(["-m", "clustermarket", "worker"], env, log),
    ]
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                    pytest.fail(f"The servers did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.2)
        yield url
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def test_a_race_across_two_app_workers_emails_each_reservation_once(
    sink, cluster: str
) -> None:
    sink.up()
    market = await open_market(candles=5)

    async def buyer(n: int) -> int:
        async with httpx.AsyncClient(base_url=cluster, timeout=30) as client:
            await fill_basket(client, market.day, {market.candle: 1})
            response = await check_out(client, f"Buyer {n}", f"buyer{n}@example.org")
            return response.status_code

    answers = await asyncio.gather(*(buyer(n) for n in range(12)))
    assert answers == [303] * 12  # placed, holding nothing until confirmed
    await _until_sent(sink, 12)
    links = [confirm_link(m) for m in sink.messages[:12]]
    assert len(set(links)) == 12

    async def confirm(link: str) -> int:
        async with httpx.AsyncClient(base_url=cluster, timeout=30) as client:
            await client.get(link)
            return (await post_form(client, link, {})).status_code

    confirmed = await asyncio.gather(*(confirm(link) for link in links))
    reserved = await Order.select(Order.id).where(Order.status == "reserved")
    assert len(reserved) == 5 and confirmed.count(303) == 5  # the others were told: sold out
    assert await left_of(market.stall, market.candle) == 0

    await _until_sent(sink, 12 + 5)
    await asyncio.sleep(1)  # and nothing more comes
    subjects = sorted(m["Subject"] for m in sink.messages[12:])
    assert subjects == sorted(f"Your Cluster Market order {r['id']} is reserved" for r in reserved)
    for kind, count in (("orders.confirmation", 12), ("orders.receipt", 5)):
        jobs = await Job.select(Job.status, Job.attempts).where(Job.kind == kind)
        assert [(j["status"], j["attempts"]) for j in jobs] == [(JobStatus.done, 1)] * count


async def _until_sent(sink, count: int) -> None:
    for _ in range(150):  # the job worker picks them up within seconds
        if len(sink.messages) >= count and await Job.count().where(Job.status != "done") == 0:
            return
        await asyncio.sleep(0.2)
