"""Who may use the members' forum: the co-operative trust's members.

The co-op's rule (README, "the co-operative trust"): students, staff and parents are members
automatically, and community groups join through an approved application, their contact
person getting a community account. So every signed-in pupil, teacher, admin and community
account is a member; a visitor is sent to sign in, and any other account is refused."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from clustermarket.accounts.services import CurrentUser
from clustermarket.accounts.tables import Role

MEMBER_ROLES = frozenset({Role.pupil, Role.teacher, Role.admin, Role.community})


def is_member(user: CurrentUser | None) -> bool:
    return user is not None and user.role in MEMBER_ROLES


def requires_member(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    user = connection.scope.get("user")
    if user is None:
        raise NotAuthorizedException("Please sign in to read the members' forum.")
    if not is_member(user):
        raise PermissionDeniedException("The forum is for the co-operative trust's members.")
