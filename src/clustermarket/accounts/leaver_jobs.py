"""The nightly retention job: leavers past their erase date are erased without anybody
clicking, with the same erase as the admin's button (sales totals stay; each erase and each
school's batch written to the moderation log, by "the nightly job": no actor)."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from clustermarket.accounts.rollover import erase_due_leavers
from clustermarket.accounts.services import CurrentUser
from clustermarket.accounts.tables import Role, User
from clustermarket.settings import Settings
from clustermarket.timeutil import today_uk

log = logging.getLogger("clustermarket.jobs")

# The scheduler acts as an admin with no account: log rows show no actor.
NIGHTLY = CurrentUser(
    id=None,  # type: ignore[arg-type]
    username="nightly-job",
    role=Role.admin,
    first_name="Nightly",
    last_name="job",
    school_id=None,
    school_name=None,
    session_epoch=0,
)
NIGHTLY_REASON = "the nightly job: their erase date has passed"


async def schools_with_due_leavers() -> list[tuple[int, int]]:
    """(school, its cluster) of every school with leavers past their erase date."""
    rows = (
        await User.select(User.school, User.school.cluster.as_alias("cluster"))
        .where(
            User.left_on.is_not_null()
            & User.erase_after.is_not_null()
            & (User.erase_after <= today_uk())
            & User.school.is_not_null()
        )
        .distinct()
    )
    return sorted((row["school"], row["cluster"]) for row in rows)


async def erase_leavers(settings: Settings, payload: dict[str, Any]) -> None:
    """The job: erase every school's leavers whose date has passed."""
    for school_id, cluster_id in await schools_with_due_leavers():
        # the stand-in acts in the school's own cluster, like that cluster's admin (issue 15)
        actor = replace(NIGHTLY, cluster_id=cluster_id)
        erased = await erase_due_leavers(actor, school_id, NIGHTLY_REASON)
        log.info("Nightly erase: %s leavers of school %s erased", erased, school_id)
