"""Static files, served in front of the app (none of its middleware runs for them).

- Every file under static/ is read once per process, with its gzip (and brotli, when the
  `brotli` package is installed) copy made then, and kept in memory (the folder is small).
- Each file has two names: its own (`/static/css/site.css`) and a content-hashed one
  (`/static/css/site.1a2b3c4d5e.css`). Templates use the hashed one through `static_url()`;
  it never changes meaning, so it is cached for a year (`immutable`). The plain name stays for
  what must keep a fixed address (the till's service worker and the ES modules it imports);
  it is answered with `no-cache`, so browsers revalidate it and get a 304.
- ETag and Last-Modified on every answer; If-None-Match / If-Modified-Since answer 304.
- The security headers of web/security.py are on every answer here too.
- Anything else (another method, an unknown file) goes on to the app, which answers 404.

Files are read at start-up: a changed file is served after the next restart.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

try:  # optional: a pinned dependency in pyproject.toml, but static files work without it
    import brotli
except ImportError:  # pragma: no cover
    brotli = None

from clustermarket.settings import PROJECT_ROOT

PREFIX = "/static/"
IMMUTABLE = b"public, max-age=31536000, immutable"
REVALIDATE = b"no-cache"
# Worth compressing: text formats (images such as PNG are compressed already).
TEXT_TYPES = ("text/", "application/javascript", "image/svg+xml", "application/json")
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("application/manifest+json", ".webmanifest")


@dataclass(frozen=True)
class Variant:
    body: bytes
    headers: list[tuple[bytes, bytes]]  # for 200; a 304 drops content-length


@dataclass(frozen=True)
class Asset:
    etags: frozenset[bytes]  # of every encoding: one content, one match
    mtime: int
    variants: dict[str, Variant]  # by content-coding: "identity", "gzip", "br"


def _hashed_name(relative: str, digest: str) -> str:
    stem, dot, suffix = relative.rpartition(".")
    return f"{stem}.{digest}.{suffix}" if dot and "/" not in suffix else f"{relative}.{digest}"


def _content_type(relative: str) -> str:
    kind = mimetypes.guess_type(relative)[0] or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith(TEXT_TYPES) else kind


def _encodings(body: bytes, content_type: str) -> dict[str, bytes]:
    found = {"identity": body}
    if not content_type.startswith(TEXT_TYPES) or len(body) < 256:
        return found
    zipped = gzip.compress(body, compresslevel=9, mtime=0)
    if len(zipped) < len(body):
        found["gzip"] = zipped
    if brotli is not None:
        squeezed = brotli.compress(body, quality=11)
        if len(squeezed) < len(zipped):
            found["br"] = squeezed
    return found


@dataclass(frozen=True)
class StaticTable:
    """Every static file by both its names, and the hashed URL of each."""

    by_path: dict[str, tuple[Asset, bool]]  # URL path -> (asset, is the hashed name)
    hashed_urls: dict[str, str]  # "css/site.css" -> "/static/css/site.1a2b3c4d5e.css"

    def url(self, relative: str) -> str:
        return self.hashed_urls[relative.lstrip("/")]


@lru_cache(maxsize=4)
def load_static(directory: Path = PROJECT_ROOT / "static") -> StaticTable:
    by_path: dict[str, tuple[Asset, bool]] = {}
    hashed_urls: dict[str, str] = {}
    for file in sorted(p for p in directory.rglob("*") if p.is_file()):
        relative = file.relative_to(directory).as_posix()
        body = file.read_bytes()
        digest = hashlib.sha256(body).hexdigest()[:10]
        mtime = int(file.stat().st_mtime)
        content_type = _content_type(relative)
        variants: dict[str, Variant] = {}
        etags = []
        for coding, encoded in _encodings(body, content_type).items():
            etag = (f'"{digest}"' if coding == "identity" else f'"{digest}-{coding}"').encode()
            etags.append(etag)
            headers = [
                (b"content-type", content_type.encode()),
                (b"etag", etag),
                (b"last-modified", formatdate(mtime, usegmt=True).encode()),
            ]
            if coding != "identity":
                headers.append((b"content-encoding", coding.encode()))
            if content_type.startswith(TEXT_TYPES):
                headers.append((b"vary", b"accept-encoding"))
            variants[coding] = Variant(encoded, headers)
        asset = Asset(frozenset(etags), mtime, variants)
        hashed = PREFIX + _hashed_name(relative, digest)
        by_path[PREFIX + relative] = (asset, False)
        by_path[hashed] = (asset, True)
        hashed_urls[relative] = hashed
    return StaticTable(by_path, hashed_urls)


def static_url(relative: str) -> str:
    """The content-hashed URL of a file under static/: `static_url('css/site.css')`."""
    return load_static().url(relative)


def _accepted(scope: dict[str, Any]) -> set[str]:
    for name, value in scope["headers"]:
        if name == b"accept-encoding":
            accepted = set()
            for part in value.decode("latin-1").lower().split(","):
                coding, _, params = part.strip().partition(";")
                if params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000"):
                    accepted.add(coding.strip())
            return accepted
    return set()


def _not_modified(scope: dict[str, Any], asset: Asset) -> bool:
    if_none_match = if_modified_since = None
    for name, value in scope["headers"]:
        if name == b"if-none-match":
            if_none_match = value
        elif name == b"if-modified-since":
            if_modified_since = value
    if if_none_match is not None:  # it wins over the date (RFC 9110, 13.2.2)
        tags = {t.strip().removeprefix(b"W/") for t in if_none_match.split(b",")}
        return b"*" in tags or not asset.etags.isdisjoint(tags)
    if if_modified_since is not None:
        try:
            since = parsedate_to_datetime(if_modified_since.decode("latin-1")).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
        return asset.mtime <= since
    return False


class StaticFiles:
    """An ASGI app: files under /static/ from memory, everything else to `app`."""

    def __init__(
        self, app: Any, extra_headers: dict[str, str], table: StaticTable | None = None
    ) -> None:
        self.app = app
        self.table = table or load_static()
        self.extra = [(k.encode(), v.encode()) for k, v in extra_headers.items()]

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        found = None
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            found = self.table.by_path.get(scope["path"])
        if found is None:
            await self.app(scope, receive, send)
            return
        asset, hashed = found
        accepted = _accepted(scope)
        variants = asset.variants
        coding = next((c for c in ("br", "gzip") if c in variants and c in accepted), "identity")
        variant = variants[coding]
        headers = [
            *variant.headers,
            (b"cache-control", IMMUTABLE if hashed else REVALIDATE),
            *self.extra,
        ]
        if _not_modified(scope, asset):
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        headers.append((b"content-length", str(len(variant.body)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        body = variant.body if scope["method"] == "GET" else b""
        await send({"type": "http.response.body", "body": body})
