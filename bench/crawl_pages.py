"""The pages a signed-in phone reaches by links, for `bench/signed_in.py --crawl`.

Breadth first from /dashboard, GET only, this site's links only. Paths that differ only by
numbers are one page (`/ideas/3` and `/ideas/4`): the first one found stands for them.
Skipped: files (static, media, downloads), signing out, and any answer but 200 text/html.
"""

from __future__ import annotations

import html
import re
from collections import deque

import httpx

LIMIT_MS = 3.0  # issue 17, target 3: every non-public page ≤ 3 ms of server CPU
LINK = re.compile(r'href="([^"#]*)')
SKIP = re.compile(
    r"^/(static|media|cluster-logo)/|log-?out|sign-?out|/login"
    r"|\.(csv|ics|json|js|css|webmanifest|png|jpe?g|webp|svg|zip)$"
    r"|/(csv|export|download|backup|print|qr)(/|$)",
    re.IGNORECASE,
)


def page_kind(path: str) -> str:
    return re.sub(r"\d+", "N", path)


async def crawl(client: httpx.AsyncClient, cap: int, start: str = "/dashboard") -> list[str]:
    """Up to `cap` pages, one path for each kind of page, in the order found."""
    found: list[str] = []
    seen = {page_kind(start)}
    queue = deque([start])
    while queue and len(found) < cap:
        path = queue.popleft()
        answer = await client.get(path)
        if answer.status_code != 200 or "text/html" not in answer.headers.get("content-type", ""):
            continue
        found.append(path)
        for href in LINK.findall(answer.text):
            url = answer.url.join(html.unescape(href))
            link = url.raw_path.decode()
            kind = page_kind(link)
            if url.netloc == answer.url.netloc and kind not in seen and not SKIP.search(url.path):
                seen.add(kind)
                queue.append(link)
    return found


def print_crawl(rows: list[tuple[str, str, dict]], bare: dict) -> None:
    """The pages measured, dearest server CPU first, and how many are over the limit."""
    print(
        f"bare Litestar route `/`: {bare['rps']:.0f} req/s, p95 {bare['p95']:.1f} ms,"
        f" server CPU {bare['cpu']:.2f} ms/request"
    )
    print(f"| role | page | req/s | p95 ms | server CPU ms/request | over {LIMIT_MS:g} ms |")
    print("|---|---|---|---|---|---|")
    for role, path, r in sorted(rows, key=lambda row: row[2]["cpu"], reverse=True):
        over = "**over**" if r["cpu"] > LIMIT_MS else ""
        print(f"| {role} | `{path}` | {r['rps']:.0f} | {r['p95']:.1f} | {r['cpu']:.2f} | {over} |")
    over = sum(r["cpu"] > LIMIT_MS for _, _, r in rows)
    print(f"{len(rows)} pages, {over} over {LIMIT_MS:g} ms")
