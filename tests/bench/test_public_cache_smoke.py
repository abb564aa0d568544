"""The public-pages benchmark still runs (a few seconds): figures come out, no timing asserted."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not shutil.which("wrk"), reason="wrk is installed by .ci/run (apt-get)")
def test_the_benchmark_prints_its_figures() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "public_cache.py"), "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": ""},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for page in ("bare Litestar route", "home", "product list"):
        assert re.search(rf"\| {page} \| [\d,]+ \| [\d.]+% \| [\d.]+ ms \|", done.stdout), page
