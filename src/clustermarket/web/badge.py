"""The header's notifications badge, counted with the session's user (issue 17, target 3).

Every signed-in page's header shows the user's unread notifications and, for staff, the
items waiting in their moderation queue. The page used to ask for the count with a second
request as it loaded (`/notifications/badge`: a whole signed-in request and two counts, about
as dear as a small page). Now the GET of a whole page carries the count, and the browser asks
again only every minute (sharing/_badge.html):
- the unread notifications are read in the session user's statement (`load_signed_in`);
- the waiting items are kept per school under the content version's rule (web/public_data.py:
  any write retires them at once, in every process, and they are read again after 30 s).

The count is never older than the page: only a GET of a whole page gets one (a POST may change
what it counts; its page asks once loaded, as before), and a request that changes
notifications (sharing/notifications.py: the list marks some read) drops it with `changed()`,
so that its page asks once loaded too."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from litestar import Litestar

from clustermarket.accounts.services import CurrentUser

UNREAD = "unread_notifications"  # scope state: the user's unread notifications, as read
COUNT = "badge_count"  # scope state: the count a whole page's header shows
KEPT_KEY = "kept_counts"  # app.state: the waiting counts kept (a `public_data.PublicData`)

# The state of the request being served, for `changed()` (the services have no request).
_state: ContextVar[dict[str, Any] | None] = ContextVar("badge_state", default=None)


def _whole_page(scope: dict[str, Any]) -> bool:
    """A GET answered with a whole page: not an htmx request, or htmx restoring history."""
    if scope["method"] != "GET":
        return False
    htmx = False
    for name, _ in scope["headers"]:
        if name == b"hx-history-restore-request":
            return True
        if name == b"hx-request":
            htmx = True
    return not htmx


async def counted(
    scope: dict[str, Any], app: Litestar, user: CurrentUser | None, unread: int
) -> None:
    """With the session's user (web/auth.py): what this request's page may show."""
    if user is None:
        _state.set(None)
        return
    state = scope.setdefault("state", {})
    _state.set(state)
    state[UNREAD] = unread
    if _whole_page(scope):
        state[COUNT] = unread + (await waiting(app, user) if user.is_staff else 0)


# How many items wait for a member of staff: moderation gives it (`moderation/queue.py`
# sets it when imported), as web/ imports no domain (tests/test_layers.py).
WAITING_COUNT: list[Any] = []


async def waiting(app: Litestar, user: CurrentUser) -> int:
    """The items waiting for a teacher or the admin: the same for everyone of the school."""
    if not WAITING_COUNT:
        return 0
    count = WAITING_COUNT[0]
    key = ("waiting", user.school_id, user.is_admin, user.cluster_id)
    return await app.state[KEPT_KEY].kept(key, lambda: count(user))


def changed() -> None:
    """This request changed notifications: its page asks for the count once loaded."""
    state = _state.get()
    if state is not None:
        state.pop(UNREAD, None)
        state.pop(COUNT, None)


def unread_of(scope: dict[str, Any]) -> int | None:
    """The user's unread notifications read with the user in this request, if still true."""
    return scope.get("state", {}).get(UNREAD)


def count_of(scope: dict[str, Any]) -> int | None:
    """The header badge's count for this page, or None: the page asks for it once loaded."""
    return scope.get("state", {}).get(COUNT)
