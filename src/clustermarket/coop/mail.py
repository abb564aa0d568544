"""The e-mail to a community group when the admin decides its co-op application.

`decide_group` queues it (outbox, key `coop-decision-<group>`) in the decision's transaction;
the job sends it when SMTP_HOST is set (otherwise it is done with nothing sent). Its
Message-ID is stable per group and decision, so a retry is recognisably the same e-mail.
An approval tells the contact person their community account's username; for an account
made by the approval it carries a one-time link to choose a password (made when the job
runs, so the link itself is stored nowhere but as a hash)."""

from __future__ import annotations

import asyncio
import logging
from email.message import EmailMessage
from typing import Any

from clustermarket.coop import members
from clustermarket.coop.tables import CommunityGroup, GroupStatus
from clustermarket.jobs.mail import mail_host, send_email
from clustermarket.jobs.outbox import enqueue
from clustermarket.orders.addresses import signature, site_address
from clustermarket.settings import Settings
from clustermarket.transactions import write_transaction

log = logging.getLogger("clustermarket.coop.mail")

# The group's cluster, for its own address, trust and sign-off (issue 15)
CLUSTER_ADDRESS = (
    CommunityGroup.cluster.host.as_alias("cluster_host"),
    CommunityGroup.cluster.slug.as_alias("cluster_slug"),
    CommunityGroup.cluster.name.as_alias("cluster_name"),
)

KIND = "clustermarket.coop.mail:send_decision"
NEWS = {
    GroupStatus.approved: (
        "approved",
        "the {trust} co-operative trust has approved your group's application. "
        "Welcome: we will be in touch about the next steps.",
    ),
    GroupStatus.declined: (
        "declined",
        "thank you for applying to the {trust} co-operative trust. We are sorry: "
        "this time the application was not approved.",
    ),
}


async def queue_decision(group_id: int, *, welcome: bool = False) -> None:
    """Inside the decision's transaction: queue the applicant's e-mail (`welcome`: with a
    set-password link for the contact's new account)."""
    await enqueue(KIND, {"group_id": group_id, "welcome": welcome}, key=f"coop-decision-{group_id}")


def decision_message(
    settings: Settings, group: dict[str, Any], account: str = "", link: str = ""
) -> EmailMessage:
    word, news = NEWS[GroupStatus(group["status"])]
    news = news.format(trust=group.get("cluster_name") or "cluster's")
    message = EmailMessage()
    message["Subject"] = f"Your co-op application for {group['name']} is {word}"
    message["From"] = settings.mail_from
    message["To"] = group["contact_email"]
    message["Message-ID"] = f"<coop-group-{group['id']}-{word}@{mail_host(settings)}>"
    body = f"Hello {group['contact_name']},\n\n{news}\n\n"
    if account:
        body += (
            f"You are the group's contact and a member of the trust: you can vote in the "
            f"members' ballots. Your username is {account}.\n\n"
        )
    if link:
        body += f"Choose your password here (the link works once, for 14 days):\n{link}\n\n"
    message.set_content(body + signature(group) + "\n")
    return message


async def send_decision(settings: Settings, payload: dict[str, Any]) -> None:
    """The job: e-mail the applicant the decision (raises on a mail server error: retried)."""
    if not settings.smtp_host:
        return
    group = (
        await CommunityGroup.select(
            *CommunityGroup.all_columns(),
            CommunityGroup.contact_account.username.as_alias("username"),
            *CLUSTER_ADDRESS,
        )
        .where(CommunityGroup.id == int(payload["group_id"]))
        .first()
    )
    if group is None or group["status"] not in NEWS:
        return  # gone, or (never) undecided
    link = ""
    if payload.get("welcome") and group["contact_account"]:
        async with write_transaction():
            token = await members.issue_welcome_link(group["contact_account"])
        link = members.welcome_url(site_address(settings, group), token)
    message = decision_message(settings, group, group["username"] or "", link)
    await asyncio.to_thread(send_email, settings, message)
    log.info("Co-op decision e-mail for group %s (%s) sent", group["id"], group["status"])
