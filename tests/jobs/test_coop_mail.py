"""When the admin approves or declines a community group's co-op application, the group's
contact gets an e-mail through the outbox: queued with the decision, sent by the job runner
(never in the admin's request), retried while the mail server is down, sent once."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from clustermarket.accounts.tables import Role
from clustermarket.coop.services import apply_as_group
from clustermarket.jobs.mail import mail_host
from clustermarket.jobs.runner import run_due_jobs
from clustermarket.jobs.tables import Job, JobStatus
from clustermarket.settings import get_settings
from clustermarket.timeutil import now
from tests.conftest import make_client, make_user, post_form, seeded_cluster, sign_in


async def apply(name: str, email: str) -> int:
    offers = "Seedlings and a talk on composting."
    return await apply_as_group(name, "Pat Green", email, offers, cluster_id=await seeded_cluster())


async def decision_job(group_id: int) -> dict:
    return await Job.select().where(Job.key == f"coop-decision-{group_id}").first()


async def test_the_applicant_hears_of_the_decision_once_after_a_mail_outage(sink) -> None:
    allotments = await apply("Aylsham Allotment Society", "pat@allotments.example")
    choir = await apply("Market Town Choir", "sam@choir.example")
    await make_user("admin1", role=Role.admin, school=None)
    mail = {"smtp_host": "127.0.0.1", "smtp_port": sink.port, "jobs_in_app": False}
    async with make_client(**mail) as admin:
        await sign_in(admin, "admin1")
        # The mail server is down: the decisions are made at once all the same.
        approved = await post_form(admin, f"/admin/coop/groups/{allotments}/approve", {})
        declined = await post_form(admin, f"/admin/coop/groups/{choir}/decline", {})
        assert approved.status_code == 200 and declined.status_code == 200
        # Deciding again is refused and queues nothing more.
        again = await post_form(admin, f"/admin/coop/groups/{choir}/approve", {})
        assert again.status_code == 409
    assert await Job.count().where(Job.key.like("coop-decision-%")) == 2

    settings = replace(get_settings(), **mail)
    await run_due_jobs(settings)  # the mail server is still down: tried, kept for later
    job = await decision_job(allotments)
    assert job["status"] == JobStatus.waiting and job["attempts"] == 1
    assert "refused" in job["last_error"].lower() or "connect" in job["last_error"].lower()
    assert sink.messages == []

    sink.up()
    later = now() + dt.timedelta(minutes=3)  # past the first backoff
    await run_due_jobs(settings, later)
    await run_due_jobs(settings, later + dt.timedelta(hours=3))  # nothing is sent twice
    assert sink.subjects() == [
        "Your co-op application for Aylsham Allotment Society is approved",
        "Your co-op application for Market Town Choir is declined",
    ]
    by_to = {m["To"]: m for m in sink.messages}
    host = mail_host(settings)
    assert (
        by_to["pat@allotments.example"]["Message-ID"]
        == f"<coop-group-{allotments}-approved@{host}>"
    )
    assert "Hello Pat Green" in by_to["sam@choir.example"].get_payload()
    assert (await decision_job(allotments))["status"] == JobStatus.done


async def test_without_a_mail_server_the_decision_job_sends_nothing(sink) -> None:
    group = await apply("Aylsham Allotment Society", "pat@allotments.example")
    await make_user("admin1", role=Role.admin, school=None)
    async with make_client(smtp_host=None, jobs_in_app=False) as admin:
        await sign_in(admin, "admin1")
        await post_form(admin, f"/admin/coop/groups/{group}/approve", {})
    sink.up()
    await run_due_jobs(replace(get_settings(), smtp_host=None))
    assert (await decision_job(group))["status"] == JobStatus.done
    assert sink.messages == []


async def test_the_approval_e_mail_carries_the_contacts_set_password_link(sink) -> None:
    group = await apply("Aylsham Allotment Society", "pat@allotments.example")
    await make_user("admin1", role=Role.admin, school=None)
    mail = {"smtp_host": "127.0.0.1", "smtp_port": sink.port, "jobs_in_app": False}
    async with make_client(**mail) as admin:
        await sign_in(admin, "admin1")
        done = await post_form(admin, f"/admin/coop/groups/{group}/approve", {})
        assert "member pat" in done.text and "/coop/welcome/" not in done.text
    sink.up()
    await run_due_jobs(replace(get_settings(), **mail))
    [message] = sink.messages
    body = message.get_payload()
    assert "Your username is pat." in body
    path = re.search(r"https?://[^/\s]+(/coop/welcome/\S+)", body).group(1)
    async with make_client() as pat:
        chosen = {"password": "compost-heap-42", "password_again": "compost-heap-42"}
        assert (await post_form(pat, path, chosen, follow_redirects=False)).status_code == 302
        await sign_in(pat, "pat", "compost-heap-42")
