"""Benchmark: what finding a request's cluster costs (web/clusters.py), in-process.

The ClusterRouting layer around an ASGI app that answers at once, per CLUSTER_ROUTING mode
(clusters already in memory, as after a process's first request: no query), `host` watching
the shared clusters version (a file, looked at every half second), and, for `path`,
adding the prefix to the links of a page of 150 links (about 40 kB, a long product list).
Prints microseconds per request, medians of five runs.

    .venv/bin/python bench/cluster_routing.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from clustermarket.web.clusters import ClusterInfo, ClusterRouting, _url_root, prefix_links  # noqa: E402

CALLS = 20_000
AYLSHAM = ClusterInfo(1, "aylsham", "Aylsham Cluster", "aylsham.example.org")


async def _answer(scope, receive, send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})


async def _send(message) -> None:
    return None


def _scope(mode: str) -> dict:
    path = "/c/aylsham/products" if mode == "path" else "/products"
    headers = [(b"host", b"aylsham.example.org"), (b"accept", b"text/html")]
    return {"type": "http", "path": path, "root_path": "", "headers": headers}


async def _layer(mode: str | None, watch: bool = False) -> float:
    version = None
    if watch:
        from clustermarket.web.content_version import FileVersion

        version = FileVersion(Path(tempfile.mkdtemp()) / "clusters-version")
    app = ClusterRouting(_answer, mode or "single", version)
    if version is not None:
        app.directory.loaded_version = await version.current()
    app.directory.by_slug = {"aylsham": AYLSHAM}
    app.directory.by_host = {AYLSHAM.host: AYLSHAM}
    app.directory.first = AYLSHAM
    app.directory.loaded_at = time.monotonic() + 3600
    target = _answer if mode is None else app
    started = time.perf_counter()
    for _ in range(CALLS):
        await target(_scope(mode or "single"), None, _send)
    return (time.perf_counter() - started) / CALLS * 1e6


def _links() -> float:
    page = "".join(
        f'<li><a href="/products/{n}">Product {n}</a> <img src="/media/{n}.jpg" alt="">'
        f'<form action="/basket/{n}" method="post"></form></li>' + "x" * 120
        for n in range(150)
    )
    token = _url_root.set("/c/aylsham")
    try:
        started = time.perf_counter()
        for _ in range(500):
            prefix_links(page)
        return (time.perf_counter() - started) / 500 * 1e6
    finally:
        _url_root.reset(token)


def main() -> None:
    rows = []
    bare = statistics.median(asyncio.run(_layer(None)) for _ in range(5))
    rows.append(("no layer (the bare inner app)", bare))
    for mode in ("single", "host", "path"):
        rows.append(
            (
                f"CLUSTER_ROUTING={mode}",
                statistics.median(asyncio.run(_layer(mode)) for _ in range(5)),
            )
        )
    watched = statistics.median(asyncio.run(_layer("host", watch=True)) for _ in range(5))
    rows.append(("`host`, watching the clusters version (file)", watched))
    rows.append(
        ("path: prefix on a 150-link page (40 kB)", statistics.median(_links() for _ in range(5)))
    )
    print("| what | µs per request |")
    print("|---|---|")
    for what, micros in rows:
        print(f"| {what} | {micros:.1f} |")


if __name__ == "__main__":
    main()
