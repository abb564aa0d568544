"""bench/scale.py's smoke run still works (figures produced; no timing is asserted)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from clustermarket.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(get_settings().is_postgres, reason="the smoke run uses its own SQLite file")
def test_the_scale_benchmark_smoke_run_prints_its_table() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BENCH_DATABASE_URL")}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "scale.py"), "--smoke"],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| page | demo ms | scale ms | ratio |" in done.stdout
    for page in ("home", "product list", "market day (next)", "report teams", "CSV teams"):
        assert f"| {page} |" in done.stdout
    assert "10,000 products" not in done.stdout and "products" in done.stdout
