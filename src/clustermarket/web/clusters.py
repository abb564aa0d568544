"""Which cluster a request is for (issue 15), decided once, in front of the app.

CLUSTER_ROUTING chooses how a request names its cluster:
- `single` (the default): the installation's one cluster (the first made); today's URLs.
- `host`: the host name (`aylsham.example.org`), matched against `cluster.host`.
- `path`: a prefix `/c/<slug>/...`. The prefix moves from `path` into `root_path`, so the app
  routes `/schools` as ever while `request.url` keeps the whole address; site links in
  rendered pages (`prefix_links`, called by web/templating.py) and redirects get the prefix
  on the way out. Addresses that scripts use come from the page: templates write
  `site_root()` (this prefix) into `data-` attributes and the `<html>` tag (the till).

The resolved cluster is in the scope's state; `current_cluster(connection)` is the one way to
read it. A request for no known cluster reaches no handler: the `requires_cluster` guard
answers 404 with a page saying so (the health check and the Stripe webhook need no cluster).
Clusters are held in memory per process; an unknown name reloads them (at most once a second),
so a cluster made on another worker is found on its first request. A change to a cluster
(made, renamed, its market or look) changes the shared clusters version (Redis or a file,
web/content_version.py); each process looks at it at most every CHECK_EVERY seconds and
reloads when it moved, so every worker shows the change within a second, without a query
per request.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import re
import time
import weakref
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from clustermarket.schools.tables import Cluster
from clustermarket.web.content_version import ContentVersion, clusters_changed

log = logging.getLogger("clustermarket")

PATH_PREFIX = "/c/"
STATE_KEY = "cluster"
ERROR_KEY = "cluster_error"  # the database could not be asked: raised again in the app
RELOAD_AFTER = 1.0  # seconds between reloads caused by unknown names
CHECK_EVERY = 0.5  # seconds between looks at the shared clusters version


class UnknownCluster(Exception):
    """No cluster is served at this address."""


@dataclass(frozen=True)
class ClusterInfo:
    id: int
    slug: str
    name: str
    host: str | None
    # Its own look and market (clusters/look.py; "" is the default)
    market_name: str = ""
    market_place: str = ""
    colour_primary: str = ""
    colour_accent: str = ""
    logo_name: str = ""

    @property
    def market(self) -> str:
        """The market's name as pages say it after "the": "Aylsham farmers' market"."""
        return self.market_name or "farmers' market"

    @property
    def look_version(self) -> str:
        """Changes with the colours, for the stylesheet's address (cached for long)."""
        return (self.colour_primary + self.colour_accent).replace("#", "") or "default"


_INFO_COLUMNS = (
    Cluster.id,
    Cluster.slug,
    Cluster.name,
    Cluster.host,
    Cluster.market_name,
    Cluster.market_place,
    Cluster.colour_primary,
    Cluster.colour_accent,
    Cluster.logo_name,
)


class ClusterDirectory:
    """The installation's clusters, by id, slug and host, read from the database on demand."""

    def __init__(self, version: ContentVersion | None = None) -> None:
        self.by_slug: dict[str, ClusterInfo] = {}
        self.by_host: dict[str, ClusterInfo] = {}
        self.first: ClusterInfo | None = None
        self.loaded_at = 0.0
        self.lock = asyncio.Lock()
        self.version = version  # the shared clusters version; None: never looked at
        self.loaded_version: bytes | None = None
        self.checked_at = 0.0
        self.failing = False  # the last look failed: said once in the log, not twice a second

    async def reload(self) -> None:
        version = self.loaded_version
        if self.version is not None:  # read first: a change during the query reloads again
            try:
                version = await self.version.current()
            except Exception as error:  # noqa: BLE001 - Redis away: reloads by unknown name
                log.warning("Could not read the clusters version: %s", error)
        rows = await Cluster.select(*_INFO_COLUMNS).order_by(Cluster.id)
        self.loaded_version = version  # only once read: a failed query is tried again
        clusters = [ClusterInfo(**r) for r in rows]
        self.by_slug = {c.slug: c for c in clusters}
        self.by_host = {c.host: c for c in clusters if c.host}
        self.first = clusters[0] if clusters else None
        self.loaded_at = time.monotonic()

    async def preload(self) -> None:
        """At start-up, so no request pays for it; a database still down is tried again later."""
        try:
            await self.reload()
        except Exception as error:  # noqa: BLE001 - the first request will say what is wrong
            log.warning("Clusters not loaded at start-up: %s", error)

    async def find(self, mode: str, name: str) -> ClusterInfo | None:
        if self.version is not None and time.monotonic() - self.checked_at > CHECK_EVERY:
            await self._reload_if_changed(self.version)
        found = self._lookup(mode, name)
        if found is None and time.monotonic() - self.loaded_at > RELOAD_AFTER:
            async with self.lock:
                if time.monotonic() - self.loaded_at > RELOAD_AFTER:
                    await self.reload()
            found = self._lookup(mode, name)
        return found

    async def _reload_if_changed(self, version: ContentVersion) -> None:
        """Another worker changed a cluster: read them again. A failure keeps the clusters
        known (the app reports an outage where it matters) and is tried again later."""
        self.checked_at = time.monotonic()  # one look per interval, however many requests
        try:
            current = await version.current()
            if current != self.loaded_version:
                async with self.lock:
                    if current != self.loaded_version:
                        await self.reload()
        except Exception as error:  # noqa: BLE001
            if not self.failing:
                log.warning("Could not reload the clusters (said once until it works): %s", error)
            self.failing = True
        else:
            if self.failing:
                log.warning("The clusters can be read again.")
            self.failing = False

    def _lookup(self, mode: str, name: str) -> ClusterInfo | None:
        if mode == "host":
            return self.by_host.get(name)
        if mode == "path":
            return self.by_slug.get(name)
        return self.first


def _host(scope: dict[str, Any]) -> str:
    for key, value in scope["headers"]:
        if key == b"host":
            return value.decode("latin-1").rsplit(":", 1)[0].strip().lower().rstrip(".")
    return ""


# The path prefix of the request being served ("" unless CLUSTER_ROUTING=path), for links.
_url_root: contextvars.ContextVar[str] = contextvars.ContextVar("url_root", default="")


def url_root() -> str:
    return _url_root.get()


_REDIRECT_HEADERS = {b"location", b"hx-redirect", b"hx-location", b"hx-push-url"}


def _prefixed(value: bytes, prefix: bytes) -> bytes:
    """A site path gets the cluster's prefix; other addresses and prefixed paths stay."""
    if value.startswith(b"/") and not value.startswith((b"//", b"/c/", b"/static/")):
        return prefix + value
    return value


# The directories of this process, reloaded after a cluster's settings change (clusters/look.py).
_DIRECTORIES: weakref.WeakSet[ClusterDirectory] = weakref.WeakSet()


async def reload_clusters() -> None:
    """A cluster was made or its name, market or look changed: this process's pages show it
    at once, the other workers' within a second (they watch the clusters version)."""
    await clusters_changed()
    for directory in list(_DIRECTORIES):
        await directory.reload()


class ClusterRouting:
    """ASGI layer: finds the request's cluster and puts it in the scope's state."""

    def __init__(self, app: Any, mode: str, version: ContentVersion | None = None) -> None:
        self.app = app
        self.mode = mode
        self.directory = ClusterDirectory(version)
        _DIRECTORIES.add(self.directory)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        name, prefix = "", ""
        if self.mode == "host":
            name = _host(scope)
        elif self.mode == "path":
            name, prefix = self._strip_prefix(scope)
        state = scope.setdefault("state", {})
        try:
            cluster = await self.directory.find(self.mode, name)
        except Exception as error:  # noqa: BLE001 - e.g. the database is down: the app's
            cluster, state[ERROR_KEY] = None, error  # outage handlers answer (503)
        state[STATE_KEY] = cluster
        if not prefix or cluster is None:
            await self.app(scope, receive, send)
            return
        token = _url_root.set(prefix)
        try:
            await self.app(scope, receive, self._prefix_redirects(send, prefix.encode()))
        finally:
            _url_root.reset(token)

    def _strip_prefix(self, scope: dict[str, Any]) -> tuple[str, str]:
        path: str = scope["path"]
        if not path.startswith(PATH_PREFIX):
            return "", ""
        slug, _, rest = path[len(PATH_PREFIX) :].partition("/")
        prefix = PATH_PREFIX + slug
        scope["path"] = "/" + rest
        scope["raw_path"] = scope["path"].encode()
        scope["root_path"] = scope.get("root_path", "") + prefix
        return slug, prefix

    @staticmethod
    def _prefix_redirects(send: Any, prefix: bytes) -> Any:
        async def send_prefixed(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    (k, _prefixed(v, prefix) if k.lower() in _REDIRECT_HEADERS else v)
                    for k, v in message.get("headers", [])
                ]
            await send(message)

        return send_prefixed


def current_cluster(connection: ASGIConnection) -> ClusterInfo:
    """The cluster this request is for (the guard below let no request through without one)."""
    state = connection.scope.get("state", {})
    cluster = state.get(STATE_KEY)
    if cluster is None:
        raise state.get(ERROR_KEY) or UnknownCluster()
    return cluster


def cluster_address(public_url: str, routing: str, host: str | None, slug: str | None) -> str:
    """A cluster's own address, for addresses that leave the page whole (e-mails, printed
    sign-in cards, calendar files, links to copy), which `prefix_links` never sees: its host
    (CLUSTER_ROUTING=host), PUBLIC_URL and its `/c/<slug>` prefix (path), or PUBLIC_URL."""
    if routing == "host" and host:
        parts = urlsplit(public_url)
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{host}{port}"
    if routing == "path" and slug:
        return f"{public_url}{PATH_PREFIX}{slug}"
    return public_url


def site_address(connection: ASGIConnection) -> str:
    """The address of the request's cluster: `https://market.example.org/c/aylsham`."""
    settings = connection.app.state.settings
    cluster = current_cluster(connection)
    return cluster_address(
        settings.public_url, settings.cluster_routing, cluster.host, cluster.slug
    )


def cluster_or_none(scope: dict[str, Any]) -> ClusterInfo | None:
    """For the layers that run before the guard (the session's user)."""
    return scope.get("state", {}).get(STATE_KEY)


def requires_cluster(*served_anyway: str) -> Any:
    """The app's guard: no handler runs without a cluster, except at the paths given (the
    health check; the Stripe webhook, whose events name their own orders)."""

    async def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        if connection.scope["path"] not in served_anyway:
            current_cluster(connection)

    return guard


# Attributes whose site paths carry the cluster's prefix under CLUSTER_ROUTING=path; never
# another site's (`//`), the shared static files, or a path prefixed already. The attribute
# must follow a space or quote: twice as fast as a word boundary (bench/cluster_routing.py).
_LINK = re.compile(
    r"""[\s"'](href|action|src|formaction|hx-get|hx-post|hx-put|hx-patch|hx-delete|hx-push-url)"""
    r"""=(["'])/(?!/|static/|c/)"""
)


def prefix_links(html: str) -> str:
    """Under CLUSTER_ROUTING=path, every rendered page's site links (`href="/schools"`, also
    those made in code) get the request's prefix; otherwise the page is returned as it is."""
    root = _url_root.get()
    if not root:
        return html
    return _LINK.sub(lambda m: f"{m[0][0]}{m[1]}={m[2]}{root}/", html)
