"""Who may use the members' forum: the co-operative trust's members, by the co-op's own rule
(`coop/members.py`: pupils and staff automatically, community accounts of parents and of
approved groups' contacts). A visitor is sent to sign in; any other account is refused."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from clustermarket.coop.members import is_member


def requires_member(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    user = connection.scope.get("user")
    if user is None:
        raise NotAuthorizedException("Please sign in to read the members' forum.")
    if not is_member(user):
        raise PermissionDeniedException("The forum is for the co-operative trust's members.")
