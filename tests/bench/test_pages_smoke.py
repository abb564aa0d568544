"""The page benchmark (bench/pages.py) still runs: its few-second smoke run prints figures.
No timing is asserted here: the figures depend on the machine."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from clustermarket.settings import PROJECT_ROOT, get_settings

# The bench makes its own database and servers; the test run's settings are not its.
TEST_SETTINGS = ("DATABASE_URL", "DATABASE_POOL_SIZE", "JOBS_IN_APP", "APP_ENV", "DATA_DIR")

# It makes its own SQLite database whatever DATABASE_URL says, so one of CI's two passes runs
# it: the PostgreSQL pass (.ci/run sets PAGES_SMOKE_PASS), which is otherwise the shorter one
# (the browser tests run in the SQLite pass). A plain `make test` runs it on either engine.
_PASS = os.environ.get("PAGES_SMOKE_PASS")
_THIS_PASS = "postgres" if get_settings().is_postgres else "sqlite"
pytestmark = pytest.mark.skipif(
    _PASS is not None and _PASS != _THIS_PASS,
    reason=f"the smoke run makes its own SQLite database: CI runs it in the {_PASS} pass",
)


def test_the_page_benchmark_smoke_run_prints_every_figure() -> None:
    env = {k: v for k, v in os.environ.items() if k not in TEST_SETTINGS}
    env.pop("BENCH_DATABASE_URL", None)  # SQLite in a scratch folder
    done = subprocess.run(
        [sys.executable, "bench/pages.py", "--smoke"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    for label in ("bare Litestar route", "home", "product list", "product page", "market day"):
        assert re.search(rf"\| {label} `/[^`]*` \| [\d,]+ \| [\d.]+% \| [\d.]+ ms \|", out), label
    assert re.search(r"\| htmx from static/ `/static/vendor/htmx[^`]*` \| [\d,]+ \|", out)
    assert re.search(r"\| fixed page \(privacy notice\) `/privacy` \| [\d,]+ \|", out)
    weights = re.findall(r"\| [a-z ]+ \| ([\d.]+) KB \(\d+ files\) \| ([\d.]+) KB \|", out)
    assert len(weights) == 4 and all(float(a) > 0 and float(b) > 0 for a, b in weights)
    assert "non-2xx" not in out
    assert "Lighthouse skipped" in out
