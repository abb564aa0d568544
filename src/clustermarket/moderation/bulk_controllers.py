"""The queue's "Approve selected" button: a plain form posting the ticked items."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Request
from litestar.plugins.flash import flash
from litestar.response import Redirect

from clustermarket.moderation.bulk import approve_selected as approve_all
from clustermarket.moderation.services import ModerationError
from clustermarket.web.auth import requires_staff
from clustermarket.web.routes import post


@post("/moderation/approve-selected", guards=[requires_staff])
async def approve_selected(request: Request) -> Redirect:
    form = await request.form()
    picks = [str(v) for v in form.getall("selected")] if "selected" in form else []
    try:
        count = await approve_all(request.user, picks)
    except ModerationError as problem:
        flash(request, str(problem), "error")
    else:
        flash(
            request,
            f"Approved {count} item{'s' if count != 1 else ''}; each is in the moderation log.",
            "success",
        )
    back = {k: str(form.get(k)) for k in ("kind", "class_id") if form.get(k)}
    return Redirect(path="/moderation" + (f"?{urlencode(back)}" if back else ""))
