"""Leavers past their erase date are erased at night by a scheduled job, with nobody
clicking: the same erase as the admin's button, written to the moderation log."""

from __future__ import annotations

import datetime as dt

from clustermarket.accounts.rollover import run_rollover
from clustermarket.accounts.tables import Role, User
from clustermarket.jobs.runner import run_due_jobs
from clustermarket.jobs.schedule import queue_scheduled
from clustermarket.jobs.tables import Job, JobStatus
from clustermarket.market.tables import Sale
from clustermarket.moderation.tables import ModerationLog
from clustermarket.timeutil import now, today_uk
from tests.accounts.test_rollover import erpingham_classes
from tests.conftest import as_user, make_user, school_id, sign_in
from tests.market.helpers import open_market, tap


async def leavers_of_erpingham() -> None:
    """Erpingham moves up: Harry and Jack (Year 6) leave."""
    await erpingham_classes()
    await run_rollover(await as_user("pshah"), await school_id("erpingham"))


async def set_erase_after(username: str, day: dt.date) -> None:
    await User.update({User.erase_after: day}).where(User.username == username)


async def test_leavers_past_their_date_are_erased_by_the_nightly_job(client, settings) -> None:
    await leavers_of_erpingham()
    # A sale Jack recorded at a stall: the team's takings stay after he is erased.
    market = await open_market()
    await sign_in(client, "ameliab")
    await tap(client, market.stall, market.candle, quantity="2")
    jack = (await User.select(User.id).where(User.username == "jackb").first())["id"]
    await Sale.update({Sale.recorded_by: jack}).where(Sale.stall == market.stall)
    await set_erase_after("jackb", today_uk() - dt.timedelta(days=1))  # past: erased tonight
    await set_erase_after("harryp", today_uk() + dt.timedelta(days=30))  # not yet

    assert await queue_scheduled(set(), now()) >= 1
    await run_due_jobs(settings)

    job = await Job.select().where(Job.kind == "accounts.erase_leavers").first()
    assert job["status"] == JobStatus.done, job["last_error"]
    usernames = {r["username"] for r in await User.select(User.username)}
    assert "jackb" not in usernames
    assert {"harryp", "eviec", "maxr", "freyas", "pshah"} <= usernames
    log = await ModerationLog.select(
        ModerationLog.action, ModerationLog.actor, ModerationLog.subject_label
    ).where(ModerationLog.action.is_in(["account.erase", "school.erase_leavers"]))
    assert sorted(r["action"] for r in log) == ["account.erase", "school.erase_leavers"]
    assert all(r["actor"] is None for r in log)  # the nightly job, not a person
    batch = await ModerationLog.select(ModerationLog.reason).where(
        ModerationLog.action == "school.erase_leavers"
    )
    assert batch == [{"reason": "the nightly job: their erase date has passed"}]
    assert "jackb" not in str(await ModerationLog.select(ModerationLog.subject_label))
    sales = await Sale.select(Sale.amount_pence, Sale.recorded_by).where(Sale.stall == market.stall)
    assert sales == [{"amount_pence": 900, "recorded_by": None}]


async def test_a_night_with_nobody_due_erases_nobody(settings) -> None:
    await leavers_of_erpingham()
    await queue_scheduled(set(), now())
    await run_due_jobs(settings)
    job = await Job.select().where(Job.kind == "accounts.erase_leavers").first()
    assert job["status"] == JobStatus.done
    assert await User.count().where(User.left_on.is_not_null()) == 2
    assert not await ModerationLog.exists().where(ModerationLog.action == "account.erase")


async def test_the_preview_says_leavers_are_erased_automatically_at_night(client) -> None:
    await leavers_of_erpingham()
    await make_user("admin", role=Role.admin, school=None)
    await set_erase_after("jackb", today_uk())
    await sign_in(client, "admin")
    page = await client.get(f"/classes/rollover?school={await school_id('erpingham')}")
    assert "erased automatically at night" in page.text
    assert "These will be erased automatically tonight" in page.text
