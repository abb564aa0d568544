"""The tap and signed-in-pages benchmarks still run (a few seconds each, `--smoke`).

Only that they produce their figures is checked: timings are never asserted in tests."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from clustermarket.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]

# CI's PostgreSQL pass would only repeat it.
pytestmark = pytest.mark.skipif(
    get_settings().is_postgres,
    reason="the smoke run makes its own SQLite database whatever DATABASE_URL says: "
    "the SQLite pass ran it already",
)


def _run(script: str, *args: str, **settings: str) -> str:
    # The bench sets up its own server: none of the test run's settings (conftest.py).
    skip = ("DATABASE_URL", "REDIS_URL", "DATABASE_POOL_SIZE", "JOBS_IN_APP", "SECRET_KEY")
    env = {k: v for k, v in os.environ.items() if k not in skip} | settings
    done = subprocess.run(
        [sys.executable, f"bench/{script}", "--smoke", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_the_tap_bench_records_every_tap_once() -> None:
    out = _run("stall_sales.py")
    assert re.search(r"server CPU\s+[\d.]+ ms per tap", out), out
    assert "60 sales, stock down by 60  OK" in out, out  # 30 tickets, 30 htmx taps


@pytest.mark.skipif(not shutil.which("wrk"), reason="wrk is not installed (.ci/run installs it)")
def test_the_tap_bench_with_wrk_records_every_answered_tap() -> None:
    out = _run("stall_sales.py", LOAD="wrk")
    assert "for 1 s each (wrk)" in out, out
    for kind in ("bare Litestar route", "till: one-line ticket", "htmx sale button"):
        assert kind in out, out
    assert re.search(r"p95\s+[\d.]+ ms", out), out
    found = re.search(r"recorded\s+(\d+) sales, stock down by (\d+)  OK \((\d+) answered", out)
    assert found, out  # every answered tap recorded, at most one a phone more (in flight)
    assert int(found.group(3)) > 6, out


def test_the_in_process_tap_bench_prints_the_cpu_per_tap() -> None:
    out = _run("tap_cpu.py")
    for kind in ("ticket", "sale"):
        assert re.search(rf"{kind}\s+CPU per tap: [\d.]+ ms \(median [\d.]+\)", out), out


def test_the_signed_in_pages_bench_prints_a_row_per_page() -> None:
    out = _run("signed_in.py")
    rows = [line for line in out.splitlines() if line.startswith("| ") and "`/" in line]
    assert len(rows) == 18, out  # the bare route and the 17 signed-in pages
    for row in rows:
        assert re.fullmatch(r"\| .+ \| \d+ \| [\d.]+% \| [\d.]+ \| [\d.]+ \| [\d.]+ \|", row), row


def test_the_signed_in_crawl_measures_pages_of_every_role_dearest_first() -> None:
    out = _run("signed_in.py", "--crawl")
    rows = [line for line in out.splitlines() if re.match(r"\| \w+ \| `/", line)]
    for row in rows:
        assert re.fullmatch(
            r"\| \w+ \| `/\S*` \| \d+ \| [\d.]+ \| [\d.]+ \| (\*\*over\*\*)? \|", row
        ), row
    assert {row.split(" | ")[0][2:] for row in rows} == {"admin", "teacher", "pupil", "buyer"}, out
    cpu = [float(row.split(" | ")[4]) for row in rows]
    assert cpu == sorted(cpu, reverse=True), out
    summary = re.search(r"^(\d+) pages, (\d+) over 3 ms$", out, re.MULTILINE)
    assert summary and int(summary.group(1)) == len(rows), out
