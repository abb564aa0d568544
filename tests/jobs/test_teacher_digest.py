"""The daily moderation e-mail: a teacher who opted in on their account page gets one e-mail a
day while items wait in their queue (counts per kind, the oldest wait, a link), through the
outbox with one job per teacher per day; nobody else gets one, and nothing is sent without a
mail server or when nothing waits."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from clustermarket.accounts.tables import Role, User
from clustermarket.catalogue.tables import ContentStatus
from clustermarket.jobs.mail import mail_host
from clustermarket.jobs.outbox import enqueue
from clustermarket.jobs.runner import run_due_jobs
from clustermarket.jobs.schedule import queue_scheduled
from clustermarket.jobs.tables import Job, JobStatus
from clustermarket.moderation.digest import queue_digests
from clustermarket.settings import get_settings
from clustermarket.sharing.tables import Comment, Flag, Idea
from clustermarket.timeutil import UK, now
from tests.conftest import make_user, post_form, school_id, sign_in

DIGEST = "clustermarket.moderation.digest:send_digest"


async def opt_in(client, username: str, email: str) -> None:
    await sign_in(client, username)
    answer = await post_form(
        client, "/account", {"email": email, "digest": "on"}, follow_redirects=False
    )
    assert answer.status_code in (302, 303), answer.text
    client.cookies.clear()


async def idea(author: int, school: str, waited: dt.timedelta, status=ContentStatus.pending):
    rows = await Idea.insert(
        Idea(
            author=author,
            school=await school_id(school),
            tag="eco",
            title="Bird boxes",
            status=status,
            is_public=status == ContentStatus.approved,
            created_at=now() - waited,
            submitted_at=now() - waited,
        )
    ).returning(Idea.id)
    return rows[0]["id"]


async def comment(author: int, school: str, waited: dt.timedelta) -> None:
    await Comment.insert(
        Comment(
            target_type="idea",
            target_id=1,
            author=author,
            school=await school_id(school),
            body="Lovely",
            status=ContentStatus.pending,
            created_at=now() - waited,
            submitted_at=now() - waited,
        )
    )


def morning(day_offset: int = 0) -> dt.datetime:
    """Half past seven UK time (the digest is due at seven), today or a later day, or now."""
    day = now().astimezone(UK).date() + dt.timedelta(days=day_offset)
    at = dt.datetime.combine(day, dt.time(7, 30), tzinfo=UK)
    return max(at, now() + dt.timedelta(minutes=1))


async def a_day_of_jobs(settings, at: dt.datetime) -> None:
    await queue_scheduled(set(), at)
    await run_due_jobs(settings, at)


async def test_an_opted_in_teacher_gets_one_email_a_day_while_items_wait(client, sink) -> None:
    sink.up()
    settings = replace(get_settings(), smtp_host="127.0.0.1", smtp_port=sink.port)
    teacher = await make_user("staylor", role=Role.teacher, first_name="Sarah")
    await make_user("pshah", role=Role.teacher, school="erpingham")  # not opted in
    await make_user("admin", role=Role.admin, school=None)  # not opted in either
    await opt_in(client, "staylor", "s.taylor@aylsham.example")
    await User.update({User.email: "p.shah@erpingham.example"}).where(User.username == "pshah")
    amelia = await make_user("ameliab")
    harry = await make_user("harryp", school="erpingham")
    await idea(amelia, "aylsham-high", dt.timedelta(days=2, hours=3))
    await idea(amelia, "aylsham-high", dt.timedelta(hours=5))
    await comment(amelia, "aylsham-high", dt.timedelta(hours=1))
    await idea(harry, "erpingham", dt.timedelta(days=9))  # another school's queue
    live = await idea(amelia, "aylsham-high", dt.timedelta(days=5), ContentStatus.approved)
    await Flag.insert(
        Flag(subject_type="idea", subject_id=live, reporter=harry, reason="Rude", created_at=now())
    )

    await a_day_of_jobs(settings, morning())
    assert len(sink.messages) == 1
    mail = sink.messages[0]
    assert mail["To"] == "s.taylor@aylsham.example"
    assert mail["Subject"] == "4 items waiting in your moderation queue"
    today = morning().astimezone(UK).date().isoformat()
    assert mail["Message-ID"] == f"<digest-{teacher}-{today}@{mail_host(settings)}>"
    body = mail.get_payload()
    assert "Hello Sarah" in body
    assert "- 2 ideas to approve" in body and "- 1 comment to approve" in body
    assert "- 1 item reported by users" in body
    assert "The oldest has waited 2 days 3 h" in body
    assert f"{settings.public_url}/moderation" in body
    assert "Bird boxes" not in body and "Lovely" not in body  # numbers only, no pupil words

    # Later the same day, another scheduler or a retried run: still one e-mail.
    await a_day_of_jobs(settings, morning() + dt.timedelta(hours=3))
    await enqueue("moderation.queue_digests", {"period": today}, key="run-again")
    await run_due_jobs(settings, morning() + dt.timedelta(hours=4))
    assert len(sink.messages) == 1
    assert await Job.count().where(Job.kind == DIGEST) == 1

    # The next morning the items still wait: the next day's one e-mail.
    await a_day_of_jobs(settings, morning(1))
    assert [m["To"] for m in sink.messages] == ["s.taylor@aylsham.example"] * 2
    assert sink.messages[1]["Message-ID"] != sink.messages[0]["Message-ID"]
    jobs = await Job.select(Job.status).where(Job.kind.is_in([DIGEST, "moderation.queue_digests"]))
    assert {j["status"] for j in jobs} == {JobStatus.done}


async def test_no_email_when_nothing_waits_or_no_mail_server(client, sink) -> None:
    sink.up()
    mail = replace(get_settings(), smtp_host="127.0.0.1", smtp_port=sink.port)
    await make_user("staylor", role=Role.teacher)
    await opt_in(client, "staylor", "s.taylor@aylsham.example")
    amelia = await make_user("ameliab")

    await a_day_of_jobs(mail, morning())  # nothing waits
    assert sink.messages == [] and await Job.count().where(Job.kind == DIGEST) == 0

    await idea(amelia, "aylsham-high", dt.timedelta(hours=2))
    await a_day_of_jobs(replace(mail, smtp_host=None), morning(1))  # no mail server
    assert sink.messages == [] and await Job.count().where(Job.kind == DIGEST) == 0

    # Queued in the morning, but the teacher cleared the queue before it was sent.
    await queue_digests(mail, {"period": "cleared"})
    assert await Job.count().where(Job.kind == DIGEST) == 1
    await Idea.update({Idea.status: ContentStatus.approved}).where(Idea.author == amelia)
    await run_due_jobs(mail, morning(2))
    assert sink.messages == []
    assert await Job.count().where(Job.kind == DIGEST) == 1  # it ran, and sent nothing


async def test_the_account_page_keeps_the_choice_and_explains_mistakes(client) -> None:
    await make_user("staylor", role=Role.teacher)
    await sign_in(client, "staylor")
    page = await client.get("/account")
    assert page.status_code == 200 and "Daily moderation e-mail" in page.text
    assert "no mail server" in page.text  # the tests run without SMTP_HOST

    answer = await post_form(client, "/account", {"email": "", "digest": "on"})
    assert answer.status_code == 400 and "Add your e-mail address" in answer.text
    answer = await post_form(client, "/account", {"email": "sarah at school", "digest": "on"})
    assert answer.status_code == 400 and "does not look right" in answer.text
    assert 'value="sarah at school"' in answer.text and "checked" in answer.text
    # Half an address is refused too, not stored for the morning's mail to bounce.
    for half in ("sarah@", "@aylsham.example", "sarah@aylsham", "a@b@aylsham.example"):
        answer = await post_form(client, "/account", {"email": half, "digest": "on"})
        assert answer.status_code == 400 and "does not look right" in answer.text, half
    assert not (await User.select(User.digest_opt_in).where(User.username == "staylor"))[0][
        "digest_opt_in"
    ]

    await post_form(client, "/account", {"email": "s.taylor@aylsham.example", "digest": "on"})
    page = await client.get("/account")
    assert 'value="s.taylor@aylsham.example"' in page.text and "checked" in page.text
    await post_form(client, "/account", {"email": "s.taylor@aylsham.example"})  # unticked
    row = await User.select(User.digest_opt_in, User.email).where(User.username == "staylor")
    assert row[0] == {"digest_opt_in": False, "email": "s.taylor@aylsham.example"}


async def test_pupils_have_no_digest_setting(client) -> None:
    await make_user("ameliab")
    await sign_in(client, "ameliab")
    assert (await client.get("/account")).status_code == 403
    answer = await post_form(client, "/account", {"email": "a@b.example", "digest": "on"})
    assert answer.status_code == 403
    assert (await User.select(User.digest_opt_in).where(User.username == "ameliab"))[0][
        "digest_opt_in"
    ] is False
