from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from clustermarket.accounts.services import CurrentUser
from clustermarket.moderation.services import log_entries
from clustermarket.web.auth import requires_staff


@get("/moderation/log", guards=[requires_staff])
async def moderation_log(request: Request) -> Template:
    """Teachers read their school's log; admins read everyone's."""
    user: CurrentUser = request.user
    entries = await log_entries(school_id=None if user.is_admin else user.school_id)
    return Template("moderation/log.html", context={"entries": entries})


ROUTES = [moderation_log]
