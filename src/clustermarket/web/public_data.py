"""Public data that signed-in people see too, kept in this process between views.

The public page cache (`page_cache.py`) serves a signed-out visitor the whole page; a
signed-in one gets the page rendered for them (their name, their links), and with it every
query of the page's public part again: the home page's next market day, products, projects,
impact totals and schools were seven statements on every signed-in view (issue 17, target 3:
every page that is not public ≤ 3 ms of server CPU). The public part is the same for every
viewer of a cluster, so it is kept here under the same rule as a cached page: only while the
content version it was read under is still the current one (any write anywhere retires it at
once, in every process: `content_version.py`) and for at most `page_cache.MAX_AGE` seconds
(times shown move on). What is kept is only ever what a signed-out visitor is shown, or
what every viewer of its key may see: staff pages keep a school's (or the admin's
cluster's) lists, keyed by that school or cluster (the moderation queue's class filter and
its "how long items wait" table).

Kept values are shared between requests: callers and templates read them, never change them.
A second `PublicData` of the app keeps, under the same rule, the items waiting for each
school's teachers that the header's badge counts (web/badge.py): not public, but the same for
every teacher of the school.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from litestar import Request

from clustermarket.web.content_version import ContentVersion
from clustermarket.web.page_cache import MAX_AGE

MAX_KEPT = 256  # entries: a handful of pages for each cluster
STATE_KEY = "public_data"  # app.state: this app's `PublicData` (server.create_app)

T = TypeVar("T")


class PublicData:
    """One app's kept public data, checked against its content version."""

    def __init__(self, version: ContentVersion) -> None:
        self.version = version
        self.entries: OrderedDict[tuple[Any, ...], tuple[bytes, float, Any]] = OrderedDict()

    async def kept(self, key: tuple[Any, ...], load: Callable[[], Awaitable[T]]) -> T:
        current = await self.version.current()
        held = self.entries.get(key)
        if held is not None and held[0] == current and time.monotonic() - held[1] < MAX_AGE:
            self.entries.move_to_end(key)
            return held[2]
        value = await load()
        self.entries[key] = (current, time.monotonic(), value)
        self.entries.move_to_end(key)
        while len(self.entries) > MAX_KEPT:
            self.entries.popitem(last=False)
        return value


async def kept(request: Request, key: tuple[Any, ...], load: Callable[[], Awaitable[T]]) -> T:
    """`load()`'s answer for `key` (which names the page and the cluster), read again only
    when the content has changed since, or after MAX_AGE seconds."""
    return await request.app.state[STATE_KEY].kept(key, load)
