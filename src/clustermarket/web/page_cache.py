"""Signed-out public pages cached whole, served before the app's middleware runs.

Litestar's response cache runs inside the route, after the session, CSRF and rate-limit
middleware; this thin ASGI layer sits outside all of them (inside the request log). It caches:

- only GET requests without a session cookie, for routes marked `opt=PUBLIC_PAGE`;
- only 200 answers without a Set-Cookie of their own (the CSRF cookie is handled here);
- htmx fragments under their own key (the HX-Request and history-restore headers are in it);
- in this process's memory (LRU), each page with the content version it was rendered under
  (web/content_version.py); a page is served only while that version is the current one and
  for at most MAX_AGE seconds (times on a page, such as an order window closing, move on);
- with the cluster (its name and look, web/clusters.py) it was rendered for: a page is served
  only while this process knows the cluster as it was, so a page rendered just before the
  process read a cluster's new look is not kept showing the old one.

A page that holds a form holds a CSRF token: it is stored with a placeholder in its place,
and each visitor gets their own token (their cookie's, or a new one with its cookie), exactly
what Litestar's CSRF middleware gives a GET. Unsafe requests are never cached; one that
succeeds changes the content version before its answer leaves, so the next page is fresh.

Pages are compressed here (gzip), once per render: the app is asked for the plain page, and
the parts between tokens are deflated apart, so a visitor's token is spliced in as a stored
block without compressing the page again for each visitor.
"""

from __future__ import annotations

import asyncio
import re
import struct
import time
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from litestar.config.csrf import CSRFConfig
from litestar.datastructures import Cookie
from litestar.middleware.csrf import generate_csrf_token
from litestar.utils.scope.state import ScopeState

from clustermarket.web.clusters import STATE_KEY
from clustermarket.web.content_version import ContentVersion, content_changed

PUBLIC_PAGE = {"public_page": True}  # opt= of a route whose signed-out page may be cached
MAX_AGE = 30.0
MAX_PAGES = 512
MAX_BODY = 512 * 1024
PLACEHOLDER = b"CSRF-TOKEN-PLACEHOLDER-0b7f5d2c9e".ljust(128, b"-")
SAFE = ("GET", "HEAD", "OPTIONS", "TRACE")
TOKEN = re.compile(r"[0-9a-f]{1,256}")  # what a real token looks like (hex, nothing to escape)
CANDIDATE = "page_cache_candidate"  # scope key: this request may be served from the cache
FILES = ("/static/", "/media/")  # files: never pages, and their own caching and compression


GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
LAST_BLOCK = b"\x01\x00\x00\xff\xff"  # an empty final stored block
COMPRESS_FROM = 600  # bytes; a smaller page is sent as it is


def _deflate(part: bytes) -> bytes:
    """Raw deflate ending byte-aligned and not final, so that parts can follow each other."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(part) + compressor.flush(zlib.Z_SYNC_FLUSH)


@dataclass(frozen=True)
class Visitor:
    cookies: dict[str, str]
    gzip: bool


@dataclass(frozen=True)
class Page:
    version: bytes
    stored_at: float
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    has_token: bool
    deflated: tuple[bytes, ...] = ()  # the parts between the tokens, each deflated
    crc: int = 0  # of the body, when it holds no token
    cluster: Any = None  # the ClusterInfo it was rendered for

    @classmethod
    def of(cls, version: bytes, status: int, headers: list, body: bytes, cluster: Any) -> Page:
        deflated: tuple[bytes, ...] = ()
        textual = any(n == b"content-type" and v.startswith(b"text/") for n, v in headers)
        if textual and len(body) >= COMPRESS_FROM:
            deflated = tuple(_deflate(part) for part in body.split(PLACEHOLDER))
            headers = [*headers, (b"vary", b"Accept-Encoding")]
        has_token = PLACEHOLDER in body
        crc = 0 if has_token else zlib.crc32(body)
        return cls(
            version, time.monotonic(), status, headers, body, has_token, deflated, crc, cluster
        )

    def gzipped(self, token: bytes) -> bytes:
        """The page with this token, gzipped: its deflated parts with the token between."""
        if not self.has_token:
            crc, body = self.crc, self.body
        else:
            body = self.body.replace(PLACEHOLDER, token)
            crc = zlib.crc32(body)
        stored = b"\x00" + struct.pack("<HH", len(token), len(token) ^ 0xFFFF) + token
        return b"".join(
            (
                GZIP_HEADER,
                stored.join(self.deflated),
                LAST_BLOCK,
                struct.pack("<II", crc, len(body) & 0xFFFFFFFF),
            )
        )


def _cookies(scope: dict[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in scope["headers"]:
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, val = part.strip().partition("=")
                found.setdefault(key, val)
    return found


def _accepts_gzip(scope: dict[str, Any]) -> bool:
    for name, value in scope["headers"]:
        if name == b"accept-encoding":
            return b"gzip" in value
    return False


def _cluster(scope: dict[str, Any]) -> Any:
    return scope.get("state", {}).get(STATE_KEY)


def _key(scope: dict[str, Any]) -> tuple:
    hx = restore = host = b""
    for name, value in scope["headers"]:
        if name == b"hx-request":
            hx = value
        elif name == b"hx-history-restore-request":
            restore = value
        elif name == b"host":
            host = value
    # root_path: the cluster's prefix under CLUSTER_ROUTING=path (web/clusters.py).
    path = scope.get("root_path", "") + scope["path"]
    return (path, scope["query_string"], hx, restore, host, scope.get("scheme"))


class PublicPageCache:
    def __init__(
        self, app: Any, version: ContentVersion, csrf: CSRFConfig, session_cookie: str
    ) -> None:
        self.app = app
        self.version = version
        self.csrf = csrf
        self.session_cookie = session_cookie
        self.pages: OrderedDict[tuple, Page] = OrderedDict()
        self.rendering: dict[tuple, asyncio.Event] = {}
        self.cookie_header = cookie_header(csrf)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
        elif scope["method"] not in SAFE:
            await self.app(scope, receive, self._changes_content(send))
        elif scope["method"] != "GET" or scope["path"].startswith(FILES):
            await self.app(scope, receive, send)
        else:
            cookies = _cookies(scope)
            if self.session_cookie in cookies:
                await self.app(scope, receive, send)
            else:
                await self._get(scope, receive, send, Visitor(cookies, _accepts_gzip(scope)))

    def _changes_content(self, send: Any) -> Any:
        async def send_after_change(message: dict[str, Any]) -> None:
            # Before the answer leaves: the client's next page must not be an old one.
            if message["type"] == "http.response.start" and message["status"] < 400:
                await content_changed()
            await send(message)

        return send_after_change

    async def _get(self, scope: dict[str, Any], receive: Any, send: Any, visitor: Visitor) -> None:
        try:
            version = await self.version.current()
        except Exception:  # Redis away: no cache; the app answers (or reports the outage)
            await self.app(scope, receive, send)
            return
        key = _key(scope)
        page = self.pages.get(key)
        if page is not None and key in self.rendering:
            # A known public page being rendered anew: wait for it rather than render it too.
            await self.rendering[key].wait()
            page = self.pages.get(key)
        fresh = page is not None and time.monotonic() - page.stored_at < MAX_AGE
        if fresh and page.version == version and page.cluster == _cluster(scope):
            self.pages.move_to_end(key)
            await self._serve(page, visitor, send)
            return
        scope[CANDIDATE] = True
        # The plain page from the app (its compression, if any, is for uncached answers).
        scope["headers"] = [h for h in scope["headers"] if h[0] != b"accept-encoding"]
        if page is None:  # maybe not a public page at all: no waiting on it
            await self._render(scope, receive, send, visitor, key, version)
            return
        rendered = self.rendering[key] = asyncio.Event()
        try:
            await self._render(scope, receive, send, visitor, key, version)
        finally:
            if self.rendering.get(key) is rendered:
                del self.rendering[key]
            rendered.set()

    async def _render(
        self, scope: dict, receive: Any, send: Any, visitor: Visitor, key: tuple, version: bytes
    ) -> None:
        """A miss: the app answers; a public page is kept (if it may be) and served."""
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                handler = scope.get("route_handler")
                if handler is None or not handler.opt.get("public_page"):
                    scope[CANDIDATE] = False  # not a public page: straight through
            if not scope[CANDIDATE]:
                await send(message)
            elif message["type"] == "http.response.start":
                start.update(message)
            else:
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        if not start:
            return
        if any(name.lower() == b"content-encoding" for name, _ in start.get("headers") or ()):
            # Compressed all the same (the token inside is this visitor's own): as it came.
            await send(start)
            await send({"type": "http.response.body", "body": b"".join(chunks)})
            return
        token = ScopeState.from_scope(scope).csrf_token
        body = b"".join(chunks)
        if isinstance(token, str) and token:
            body = body.replace(token.encode(), PLACEHOLDER)
        headers, own_cookies = [], False
        for name, value in start.get("headers") or ():
            if name.lower() == b"set-cookie":
                if value.startswith(f"{self.csrf.cookie_name}=".encode()):
                    continue  # the visitor's token is given below, per visitor
                own_cookies = True
            if name.lower() != b"content-length":
                headers.append((name, value))
        page = Page.of(version, start["status"], headers, body, _cluster(scope))
        if start["status"] == 200 and not own_cookies and len(body) <= MAX_BODY:
            self.pages[key] = page
            self.pages.move_to_end(key)
            if len(self.pages) > MAX_PAGES:
                self.pages.popitem(last=False)
        else:
            self.pages.pop(key, None)
        await self._serve(page, visitor, send)

    async def _serve(self, page: Page, visitor: Visitor, send: Any) -> None:
        headers, body, token = list(page.headers), page.body, b""
        if page.has_token:
            cookie = visitor.cookies.get(self.csrf.cookie_name, "")
            if not TOKEN.fullmatch(cookie):  # none, or not a token: a new one, as for a GET
                cookie = generate_csrf_token(secret=self.csrf.secret)
                headers.append((b"set-cookie", self._cookie(cookie)))
            token = cookie.encode("ascii")
        if visitor.gzip and page.deflated:
            body = page.gzipped(token)
            headers.append((b"content-encoding", b"gzip"))
        elif token:
            body = body.replace(PLACEHOLDER, token)
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": page.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _cookie(self, token: str) -> bytes:
        return self.cookie_header.replace(b"TOKEN-SLOT", token.encode("ascii"))


def cookie_header(config: CSRFConfig) -> bytes:
    """The CSRF cookie as Litestar's middleware sets it, built once (it costs ~0.2 ms)."""
    cookie = Cookie(
        key=config.cookie_name,
        value="TOKEN-SLOT",
        path=config.cookie_path,
        secure=config.cookie_secure,
        httponly=config.cookie_httponly,
        samesite=config.cookie_samesite,
        domain=config.cookie_domain,
    )
    return cookie.to_header(header="").encode("latin-1")
