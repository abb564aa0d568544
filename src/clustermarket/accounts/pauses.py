"""A teacher sees which pupils are paused after wrong passwords, and unlocks them (logged)."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, Request
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect

from clustermarket.accounts.services import CurrentUser, _log_account, pupil_for_staff
from clustermarket.accounts.signin_limits import limiter_for, wait_text
from clustermarket.web.auth import requires_staff
from clustermarket.web.routes import post


def limit_key(username: str, cluster_id: int | None) -> str:
    """What the sign-in limits count under: usernames are per cluster (issue 15), so are they."""
    return f"{username.strip().lower()}@{cluster_id}"


async def paused_pupils(
    app: Litestar, pupils: list[dict[str, Any]], cluster_id: int | None
) -> list[dict[str, Any]]:
    keys = {pupil["username"]: limit_key(pupil["username"], cluster_id) for pupil in pupils}
    left = await limiter_for(app).paused(list(keys.values()))
    return [
        {**pupil, "wait": wait_text(left[keys[pupil["username"]]])}
        for pupil in pupils
        if keys[pupil["username"]] in left
    ]


async def lift_pause(app: Litestar, username: str, cluster_id: int | None) -> None:
    """After a password reset, or on the teacher's unlock: the account may sign in at once."""
    await limiter_for(app).lift(limit_key(username, cluster_id))


async def unlock_account(app: Litestar, actor: CurrentUser, account: dict[str, Any]) -> None:
    await lift_pause(app, account["username"], actor.cluster_id)
    await _log_account(actor, "unlock", account)


@post("/pupils/{pupil_id:int}/unlock", guards=[requires_staff])
async def unlock_pupil(request: Request, pupil_id: FromPath[int]) -> Redirect:
    pupil = await pupil_for_staff(request.user, pupil_id)
    await unlock_account(request.app, request.user, pupil)
    flash(request, f"{pupil['first_name']} {pupil['last_name']} can sign in again now.", "success")
    school = f"?school={pupil['school']}" if request.user.is_admin else ""
    return Redirect(path=f"/pupils{school}", status_code=303)


ROUTES = [unlock_pupil]
