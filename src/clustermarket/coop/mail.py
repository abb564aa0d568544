"""The e-mail to a community group when the admin decides its co-op application.

`decide_group` queues it (outbox, key `coop-decision-<group>`) in the decision's transaction;
the job sends it when SMTP_HOST is set (otherwise it is done with nothing sent). Its
Message-ID is stable per group and decision, so a retry is recognisably the same e-mail."""

from __future__ import annotations

import asyncio
import logging
from email.message import EmailMessage
from typing import Any

from clustermarket.coop.tables import CommunityGroup, GroupStatus
from clustermarket.jobs.mail import mail_host, send_email
from clustermarket.jobs.outbox import enqueue
from clustermarket.settings import Settings

log = logging.getLogger("clustermarket.coop.mail")

KIND = "clustermarket.coop.mail:send_decision"
NEWS = {
    GroupStatus.approved: (
        "approved",
        "the Aylsham Cluster co-operative trust has approved your group's application. "
        "Welcome: we will be in touch about the next steps.",
    ),
    GroupStatus.declined: (
        "declined",
        "thank you for applying to the Aylsham Cluster co-operative trust. We are sorry: "
        "this time the application was not approved.",
    ),
}


async def queue_decision(group_id: int) -> None:
    """Inside the decision's transaction: queue the applicant's e-mail."""
    await enqueue(KIND, {"group_id": group_id}, key=f"coop-decision-{group_id}")


def decision_message(settings: Settings, group: dict[str, Any]) -> EmailMessage:
    word, news = NEWS[GroupStatus(group["status"])]
    message = EmailMessage()
    message["Subject"] = f"Your co-op application for {group['name']} is {word}"
    message["From"] = settings.mail_from
    message["To"] = group["contact_email"]
    message["Message-ID"] = f"<coop-group-{group['id']}-{word}@{mail_host(settings)}>"
    message.set_content(f"Hello {group['contact_name']},\n\n{news}\n\nAylsham Cluster Market\n")
    return message


async def send_decision(settings: Settings, payload: dict[str, Any]) -> None:
    """The job: e-mail the applicant the decision (raises on a mail server error: retried)."""
    if not settings.smtp_host:
        return
    group = (
        await CommunityGroup.select().where(CommunityGroup.id == int(payload["group_id"])).first()
    )
    if group is None or group["status"] not in NEWS:
        return  # gone, or (never) undecided
    await asyncio.to_thread(send_email, settings, decision_message(settings, group))
    log.info("Co-op decision e-mail for group %s (%s) sent", group["id"], group["status"])
