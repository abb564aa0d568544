"""UK GDPR: a pupil's data exported, or the pupil erased."""

from __future__ import annotations

from typing import Any

from clustermarket.accounts.services import (
    AccountError,
    CurrentUser,
    _log_account,
    pupil_for_staff,
)
from clustermarket.accounts.tables import User
from clustermarket.moderation.log import log_action
from clustermarket.moderation.tables import ModerationLog
from clustermarket.transactions import write_transaction

# ------------------------------------------------------------- UK GDPR: export and erase


_SECRETS = ("password_hash", "pin_hash")  # never exported, even as hashes


async def export_pupil_data(actor: CurrentUser, pupil_id: int) -> dict[str, Any]:
    """Everything stored about a pupil: the account and every row of every table that
    points at it (memberships, content they created, photos, sales they recorded, posts...).

    Found through the foreign keys, so tables added later are included without a change."""
    from piccolo.columns import ForeignKey
    from piccolo.conf.apps import Finder

    pupil = await pupil_for_staff(actor, pupil_id)
    account = (
        await User.select(*[c for c in User._meta.columns if c._meta.name not in _SECRETS])
        .where(User.id == pupil_id)
        .first()
    )
    export: dict[str, Any] = {"account": account, "school": pupil["school_name"], "records": {}}
    for table in Finder().get_table_classes():
        for column in table._meta.foreign_key_columns:
            if (
                isinstance(column, ForeignKey)
                and column._foreign_key_meta.resolved_references is User
            ):
                rows = await table.select().where(column == pupil_id)
                if rows and table is not User:
                    export["records"].setdefault(table._meta.tablename, []).extend(rows)
    await _log_account(actor, "export", pupil)
    return export


async def erase_pupil(actor: CurrentUser, pupil_id: int, confirm_username: str) -> None:
    """Delete the account. Team content and sales stay (they are the team's), but nothing
    points at the pupil any more: the database sets those references to empty."""
    pupil = await pupil_for_staff(actor, pupil_id)
    if confirm_username.strip().lower() != pupil["username"]:
        raise AccountError(f"Type the username {pupil['username']} to confirm.")
    async with write_transaction():
        await log_action(
            actor_id=actor.id,
            action="account.erase",
            subject_type="user",
            subject_id=pupil_id,
            subject_label=f"erased pupil #{pupil_id}",
            school_id=pupil["school"],
        )
        # Earlier log rows named the pupil by username: keep the rows, drop the name.
        await ModerationLog.update(
            {ModerationLog.subject_label: f"erased pupil #{pupil_id}"}
        ).where((ModerationLog.subject_type == "user") & (ModerationLog.subject_id == pupil_id))
        await User.delete().where(User.id == pupil_id)
