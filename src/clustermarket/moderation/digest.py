"""The daily e-mail to each moderating teacher who asked for it: what waits in their queue.

Every day at 7:00 UK time (`jobs/schedule.py`), before school, the scheduled job
`queue_digests` queues one outbox job per opted-in teacher whose school has items waiting,
keyed `digest-<user>-<day>`, so however often it runs or is retried a teacher gets at most
one e-mail that day. `send_digest` counts
the teacher's queue again when it runs (counts per kind, the oldest wait) and sends nothing
when the queue has emptied meanwhile, the teacher has opted out, or no mail server is set.
The e-mail names no pupil and quotes nothing they wrote: only numbers and a link."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from email.message import EmailMessage
from typing import Any

from clustermarket.accounts.services import CurrentUser, load_session_user
from clustermarket.accounts.tables import Role, User
from clustermarket.catalogue.tables import ContentStatus
from clustermarket.jobs.mail import mail_host, send_email
from clustermarket.jobs.outbox import enqueue
from clustermarket.moderation.content import KINDS
from clustermarket.moderation.queue import queue_scope
from clustermarket.moderation.waits import wait_text
from clustermarket.orders.addresses import signature, site_address
from clustermarket.settings import Settings
from clustermarket.sharing.flags import flagged_ids_query
from clustermarket.timeutil import now, today_uk, uk_time

log = logging.getLogger("clustermarket.moderation.digest")

SEND_KIND = "clustermarket.moderation.digest:send_digest"
PLURALS = {
    "product": ("product", "products"),
    "project": ("project", "projects"),
    "idea": ("idea", "ideas"),
    "comment": ("comment", "comments"),
    "feedback": ("piece of pitch feedback", "pieces of pitch feedback"),
}


def _pending(kind: Any) -> Any:
    return kind.status == ContentStatus.pending


def _flagged(kind: Any) -> Any:
    return kind.table._meta.primary_key.is_in(flagged_ids_query(kind.name))


async def schools_with_waiting() -> set[int | None]:
    """Schools whose teachers may have something waiting: one small query per kind."""
    schools: set[int | None] = set()
    for kind in KINDS.values():
        columns = [kind.school.as_alias("school_id")]
        if kind.receiving_school is not None:
            columns.append(kind.receiving_school.as_alias("receiving_id"))
        rows = await kind.table.select(*columns).where(_pending(kind) | _flagged(kind)).distinct()
        for row in rows:
            schools.add(row["school_id"])
            if row.get("receiving_id") is not None:
                schools.add(row["receiving_id"])
    return schools


async def waiting_for(actor: CurrentUser) -> dict[str, Any]:
    """What waits for `actor` as the queue shows it: pending items per kind, flagged items,
    and when the longest-waiting item was sent."""
    counts: dict[str, int] = {}
    flagged = 0
    oldest: dt.datetime | None = None
    for kind in KINDS.values():
        # the admin's: their cluster's items (issue 15); a teacher's: their school's
        mine = kind.row_in_cluster(actor.cluster_id) if actor.is_admin else queue_scope(actor, kind)
        pending = _pending(kind) & mine
        counts[kind.name] = await kind.table.count().where(pending)
        if counts[kind.name]:
            first = (
                await kind.table.select(kind.table.submitted_at)  # type: ignore[attr-defined]
                .where(pending)
                .order_by(kind.table.submitted_at)  # type: ignore[attr-defined]
                .first()
            )
            sent = first and first["submitted_at"]
            if sent is not None:
                sent = sent if sent.tzinfo else sent.replace(tzinfo=dt.UTC)
                oldest = sent if oldest is None else min(oldest, sent)
        reported = _flagged(kind) & mine
        flagged += await kind.table.count().where(reported)
    return {
        "counts": {name: n for name, n in counts.items() if n},
        "flagged": flagged,
        "total": sum(counts.values()) + flagged,
        "oldest": oldest,
    }


async def queue_digests(settings: Settings, payload: dict[str, Any]) -> None:
    """The scheduled job: one send job per opted-in teacher with something waiting today."""
    if not settings.smtp_host:
        return
    day = payload.get("period") or today_uk().isoformat()
    schools = await schools_with_waiting()
    if not schools:
        return
    staff = await User.select(User.id, User.role, User.school).where(
        (User.digest_opt_in == True)  # noqa: E712 - Piccolo builds SQL from ==
        & (User.active == True)  # noqa: E712
        & User.role.is_in([Role.teacher, Role.admin, Role.platform])
        & User.email.is_not_null()
        & (User.email != "")
    )
    for person in staff:
        if person["role"] in (Role.admin, Role.platform) or person["school"] in schools:
            await enqueue(
                SEND_KIND,
                {"user_id": person["id"], "day": day},
                key=f"digest-{person['id']}-{day}",
            )


def digest_message(
    settings: Settings, person: dict[str, Any], day: str, waiting: dict[str, Any]
) -> EmailMessage:
    total = waiting["total"]
    lines = []
    for name, count in waiting["counts"].items():
        one, many = PLURALS[name]
        lines.append(f"- {count} {one if count == 1 else many} to approve")
    if waiting["flagged"]:
        n = waiting["flagged"]
        lines.append(f"- {n} item{'s' if n != 1 else ''} reported by users, to look at")
    oldest = ""
    if waiting["oldest"] is not None:
        oldest = (
            f"\nThe oldest has waited {wait_text(now() - waiting['oldest'])} "
            f"(sent {uk_time(waiting['oldest'])}).\n"
        )
    base = site_address(settings, person)  # the teacher's own cluster's address (issue 15)
    message = EmailMessage()
    message["Subject"] = f"{total} item{'s' if total != 1 else ''} waiting in your moderation queue"
    message["From"] = settings.mail_from
    message["To"] = person["email"]
    message["Message-ID"] = f"<digest-{person['id']}-{day}@{mail_host(settings)}>"
    message.set_content(
        f"Hello {person['first_name']},\n\n"
        "This is waiting for you in the Cluster Market moderation queue:\n"
        + "\n".join(lines)
        + "\n"
        + oldest
        + f"\nOpen the queue: {base}/moderation\n"
        + (f"Reported items: {base}/moderation?tab=flagged\n" if waiting["flagged"] else "")
        + "\nYou get this e-mail at most once a day, only when something waits. To stop it, "
        f"untick it on your account page: {base}/account\n\n{signature(person)}\n"
    )
    return message


async def send_digest(settings: Settings, payload: dict[str, Any]) -> None:
    """The job for one teacher and day (raises on a mail server error: retried)."""
    if not settings.smtp_host:
        return
    person = (
        await User.select(
            User.id,
            User.session_epoch,
            User.first_name,
            User.email,
            User.digest_opt_in,
            User.cluster.host.as_alias("cluster_host"),
            User.cluster.slug.as_alias("cluster_slug"),
            User.cluster.name.as_alias("cluster_name"),
        )
        .where(User.id == int(payload["user_id"]))
        .first()
    )
    if person is None or not person["digest_opt_in"] or not person["email"]:
        return
    actor = await load_session_user(person["id"], person["session_epoch"])
    if actor is None or not actor.is_staff:
        return  # deactivated (or no longer staff) since it was queued
    waiting = await waiting_for(actor)
    if not waiting["total"]:
        return  # the queue emptied since the morning's count
    message = digest_message(settings, person, str(payload["day"]), waiting)
    await asyncio.to_thread(send_email, settings, message)
    log.info("Moderation digest for user %s (%s items) sent", person["id"], waiting["total"])
