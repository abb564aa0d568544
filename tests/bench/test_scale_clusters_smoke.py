"""bench/scale_clusters.py's smoke run still works: 5 clusters built, every row printed for the
demo cluster and a new one (figures produced; no timing is asserted)."""

from __future__ import annotations

import re

import pytest

from clustermarket.settings import get_settings
from tests.bench.test_perfdb_bench_smoke import _run


@pytest.mark.skipif(get_settings().is_postgres, reason="the smoke run uses its own SQLite file")
def test_the_many_clusters_benchmark_smoke_run_prints_its_table() -> None:
    out = _run("scale_clusters.py")
    assert re.search(r"built in [\d.]+ s: 5 clusters, 50 schools", out), out
    assert "| bare Litestar route |" in out
    for page in ("home", "product list", "dashboard (pupil)", "report schools (admin)"):
        # demo, demo cluster at scale, new cluster at scale: three query counts each
        assert re.search(rf"\| {re.escape(page)} \|.*\| \d+/\d+/\d+ \|$", out, re.M), out
    assert re.search(r"\| platform clusters \|.*\| \d+/\d+/— \|$", out, re.M), out
