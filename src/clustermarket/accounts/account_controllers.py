"""Staff only: their own account page, where they choose the daily moderation e-mail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Request
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from clustermarket.accounts.account_settings import digest_settings, save_digest_settings
from clustermarket.accounts.services import AccountError
from clustermarket.web.auth import requires_staff
from clustermarket.web.forms import Form
from clustermarket.web.routes import get, post


@dataclass
class DigestForm:
    email: str = ""
    digest: str = ""  # "on" when ticked; absent when not


def _page(request: Request, form: dict, error: str = "", status: int = 200) -> Template:
    return Template(
        "accounts/account.html",
        context={
            "form": form,
            "error": error,
            "mail_server": bool(request.app.state.settings.smtp_host),
        },
        status_code=status,
    )


@get("/account", guards=[requires_staff])
async def account_page(request: Request) -> Template:
    return _page(request, await digest_settings(request.user))


@post("/account", guards=[requires_staff])
async def save_account(request: Request, data: Annotated[DigestForm, Form]) -> Template | Redirect:
    wanted = data.digest == "on"
    try:
        await save_digest_settings(request.user, data.email, wanted)
    except AccountError as error:
        return _page(request, {"email": data.email, "digest": wanted}, str(error), 400)
    flash(
        request,
        "Saved: you will get one e-mail a day when items wait for you."
        if wanted
        else "Saved: no daily e-mail.",
        "success",
    )
    return Redirect(path="/account")


ROUTES = [account_page, save_account]
