"""bench/scale_clusters.py's smoke run still works: 5 clusters built, every row printed for the
demo cluster and a new one (figures produced; no timing is asserted)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from clustermarket.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(get_settings().is_postgres, reason="the smoke run uses its own SQLite file")
def test_the_many_clusters_benchmark_smoke_run_prints_its_table() -> None:
    skip = ("DATABASE_URL", "BENCH_DATABASE_URL", "REDIS_URL", "CLUSTER_ROUTING")
    env = {k: v for k, v in os.environ.items() if k not in skip}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "scale_clusters.py"), "--smoke"],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert re.search(r"built in [\d.]+ s: 5 clusters, 50 schools", out), out
    assert "| bare Litestar route |" in out
    for page in ("home", "product list", "dashboard (pupil)", "report schools (admin)"):
        # demo, demo cluster at scale, new cluster at scale: three query counts each
        assert re.search(rf"\| {re.escape(page)} \|.*\| \d+/\d+/\d+ \|$", out, re.M), out
    assert re.search(r"\| platform clusters \|.*\| \d+/\d+/— \|$", out, re.M), out
