"""A second step before a pupil is given a new password (the old one stops working)."""

from __future__ import annotations

from litestar import Request
from litestar.params import FromPath
from litestar.response import Template

from clustermarket.accounts.services import NotFound, pupil_for_staff
from clustermarket.rows import MAX_ROW_ID
from clustermarket.web.auth import requires_staff
from clustermarket.web.confirm import Confirm
from clustermarket.web.routes import get


@get("/pupils/{pupil_id:int}/new-password", guards=[requires_staff])
async def confirm_new_password(request: Request, pupil_id: FromPath[int]) -> Template:
    if not 0 < pupil_id <= MAX_ROW_ID:
        raise NotFound()
    pupil = await pupil_for_staff(request.user, pupil_id)
    name = f"{pupil['first_name']} {pupil['last_name']}"
    return Confirm(
        title=f"Give {name} a new password?",
        action=f"/pupils/{pupil_id}/reset",
        button="Yes, make a new password",
        back="/pupils",
        happens=[
            f"{name}'s current password stops working at once; anywhere they are signed in, "
            "they are signed out.",
            "A new login card is shown next: print it or copy the new password for them.",
            "The change is kept in the moderation log.",
        ],
    ).page()


ROUTES = [confirm_new_password]
