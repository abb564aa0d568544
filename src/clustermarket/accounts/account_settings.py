"""A staff member's own account page: their e-mail address and the daily moderation digest
(`moderation/digest.py` sends it). Only staff moderate, so only staff have the setting."""

from __future__ import annotations

import re
from typing import Any

from clustermarket.accounts.services import AccountError, CurrentUser, NotFound
from clustermarket.accounts.tables import User


async def digest_settings(actor: CurrentUser) -> dict[str, Any]:
    if not actor.is_staff:
        raise NotFound()
    row = await User.select(User.email, User.digest_opt_in).where(User.id == actor.id).first()
    if row is None:
        raise NotFound()
    return {"email": row["email"] or "", "digest": bool(row["digest_opt_in"])}


# Someone, one @, a domain with a dot: enough to refuse half an address before mail bounces.
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$")


def checked_email(email: str) -> str:
    email = email.strip()
    if email and (len(email) > 254 or not EMAIL_RE.match(email)):
        raise AccountError("That e-mail address does not look right.")
    return email


async def save_digest_settings(actor: CurrentUser, email: str, digest: bool) -> None:
    """Store the address and the choice; asking for the digest needs an address."""
    if not actor.is_staff:
        raise NotFound()
    email = checked_email(email)
    if digest and not email:
        raise AccountError("Add your e-mail address so the daily e-mail can reach you.")
    await User.update({User.email: email or None, User.digest_opt_in: digest}).where(
        User.id == actor.id
    )
