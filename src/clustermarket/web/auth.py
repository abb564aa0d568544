"""Who is signed in: read from the server-side session on every request."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from clustermarket.accounts.services import CurrentUser, load_signed_in
from clustermarket.web import badge
from clustermarket.web.clusters import cluster_or_none

SESSION_USER = "uid"
SESSION_EPOCH = "epoch"
SESSION_WHO = "who"  # the signed-in user's own fields, kept in the (server-side) session
SESSION_CLUSTER = "cluster"  # the cluster signed in to: elsewhere the session is worth nothing
# A route whose own SQL checks the session's user (active, same epoch) names a function in
# its `opt` under this key; when it answers True the user is taken from the session alone,
# without the users query (the sale tap: market/tap.py).
CHECKS_USER_ITSELF = "checks_session_user"


def session_for(user: CurrentUser) -> dict[str, Any]:
    """What a sign-in keeps in the session: the id, epoch and cluster, and the user's fields."""
    return {
        SESSION_USER: user.id,
        SESSION_EPOCH: user.session_epoch,
        SESSION_CLUSTER: user.cluster_id,
        SESSION_WHO: asdict(user),
    }


def _from_session(session: dict[str, Any], user_id: int, epoch: int) -> CurrentUser | None:
    who = session.get(SESSION_WHO)
    if not isinstance(who, dict) or who.get("id") != user_id or who.get("session_epoch") != epoch:
        return None
    try:
        return CurrentUser(**who)
    except TypeError:  # a session from an older version of the app
        return None


class SessionUserMiddleware(AbstractAuthenticationMiddleware):
    """Sets `request.user` to the signed-in `CurrentUser`, or None for visitors.

    Unlike Litestar's SessionAuth, a visitor is not refused here: most pages are public,
    and the guards below decide per route."""

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        session: dict[str, Any] = connection.scope.get("session") or {}
        user_id, epoch = session.get(SESSION_USER), session.get(SESSION_EPOCH)
        cluster = cluster_or_none(connection.scope)
        user = counted = None  # counted: read with its unread notifications
        unread = 0
        # A session made in another cluster (another host or /c/ prefix) is a visitor's here.
        if cluster is None or session.get(SESSION_CLUSTER) != cluster.id:
            pass
        elif isinstance(user_id, int) and isinstance(epoch, int):
            checks_itself = connection.route_handler.opt.get(CHECKS_USER_ITSELF)
            if checks_itself is not None and checks_itself():
                user = _from_session(session, user_id, epoch)
            if user is None:
                # The header badge's unread count in the same statement (web/badge.py).
                user, unread = await load_signed_in(user_id, epoch)
                counted = user
            if user is not None and user.cluster_id != cluster.id:
                user = counted = None
        await badge.counted(connection.scope, connection.app, counted, unread)
        return AuthenticationResult(user=user, auth=None)


def _user(connection: ASGIConnection) -> CurrentUser:
    user = connection.scope.get("user")
    if user is None:
        raise NotAuthorizedException("Please sign in to see this page.")
    return user


# Guards are async: Litestar runs a plain function in a worker thread on every request.
async def requires_signed_in(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    _user(connection)


async def requires_staff(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if not _user(connection).is_staff:
        raise PermissionDeniedException("This page is for teachers.")


async def requires_admin(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if not _user(connection).is_admin:
        raise PermissionDeniedException("This page is for the cluster admin.")


async def requires_platform_admin(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if not _user(connection).is_platform_admin:
        raise PermissionDeniedException("This page is for the platform admin.")
