"""The audit world's rows for the routes merged after the audit was written: a picture-PIN
class with the side's pupil in it, a team cost, a failed background job, a transition
follower, the sale's ticket, an unconfirmed reservation's e-mailed link, a coming public
event with the side's team signed up to present its product, and a forum thread the side's
pupil started (approved, so every member reads it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from clustermarket.accounts import picture_pin
from clustermarket.accounts.tables import SchoolClass, SignInKind, User
from clustermarket.calendar.tables import Event, EventKind, EventSignup
from clustermarket.catalogue.tables import ContentStatus, Product
from clustermarket.forum.tables import ForumPost, ForumThread
from clustermarket.jobs.tables import Job, JobStatus
from clustermarket.market.tables import Expense, ExpenseKind, Sale
from clustermarket.orders.services import place_order
from clustermarket.schools.tables import School
from clustermarket.timeutil import now
from clustermarket.transition.tables import TeamFollower

# A pupil who is not a role of the matrix follows the side's team (transition days).
FOLLOWERS = {"A": "ruby", "B": "freyas"}


async def later_rows(
    side: str, team: dict[str, Any], pupil_id: int, sale: dict[str, Any], users: dict[str, int]
) -> dict[str, Any]:
    school = (
        await School.select(School.slug, School.cluster).where(School.id == team["school"]).first()
    )
    stamp = now()
    code = f"audit-class-{side.lower()}-0123456789abcdef"
    pupil = await User.select(User.year_group).where(User.id == pupil_id).first()
    made = await SchoolClass.insert(
        SchoolClass(
            school=team["school"],
            name=f"Audit class {side}",
            year_group=pupil["year_group"],
            sign_in_kind=SignInKind.picture,
            code=code,
            created_at=stamp,
        )
    ).returning(SchoolClass.id)
    class_id = made[0]["id"]
    pin = [name for name, _ in picture_pin.PICTURES[: picture_pin.PIN_LENGTH]]
    await User.update(
        {User.school_class: class_id, User.pin_hash: await picture_pin.hash_pin(pin)}
    ).where(User.id == pupil_id)
    expense = await Expense.insert(
        Expense(
            team=team["id"],
            kind=ExpenseKind.materials,
            description="Audit cost",
            amount_pence=250,
            recorded_by=pupil_id,
            recorded_at=stamp,
        )
    ).returning(Expense.id)
    job = await Job.insert(
        Job(
            kind="audit",
            key=f"audit-{side}",
            status=JobStatus.failed,
            attempts=5,
            run_after=stamp,
            last_error="audit",
            created_at=stamp,
            updated_at=stamp,
        )
    ).returning(Job.id)
    follow = await TeamFollower.insert(
        TeamFollower(team=team["id"], pupil=users[FOLLOWERS[side]], created_at=stamp)
    ).returning(TeamFollower.id)
    ticket = await Sale.select(Sale.ticket).where(Sale.id == sale["sale_id"]).first()
    confirm_token = f"audit-confirm-{side.lower()}-0123456789abcdef0123456789"
    await place_order(
        False,
        sale["basket"],
        "Audit Buyer",
        f"confirm-{side.lower()}@example.org",
        hold=False,
        fields={
            "confirm_token": confirm_token,
            "confirm_expires_at": stamp + dt.timedelta(days=3650),
        },
    )
    event = await Event.insert(
        Event(
            cluster=school["cluster"],
            kind=EventKind.eco_meetup,
            title=f"Audit meet-up {side}",
            starts_at=stamp + dt.timedelta(days=30),
            ends_at=stamp + dt.timedelta(days=30, hours=2),
            place="Aylsham",
            is_public=True,
            created_at=stamp,
        )
    ).returning(Event.id)
    product = (
        await Product.select(Product.id)
        .where(Product.team == team["id"])
        .order_by(Product.id)
        .first()
    )
    signup = await EventSignup.insert(
        EventSignup(event=event[0]["id"], team=team["id"], product=product["id"], created_at=stamp)
    ).returning(EventSignup.id)
    thread = await ForumThread.insert(
        ForumThread(title=f"Audit thread {side}", started_by=pupil_id, created_at=stamp)
    ).returning(ForumThread.id)
    post = await ForumPost.insert(
        ForumPost(
            thread=thread[0]["id"],
            opens_thread=True,
            author=pupil_id,
            school=team["school"],
            body="Audit post",
            status=ContentStatus.approved,
            is_public=True,
            created_at=stamp,
            submitted_at=stamp,
        )
    ).returning(ForumPost.id)
    return {
        "thread_id": thread[0]["id"],
        "post_id": post[0]["id"],
        "event_id": event[0]["id"],
        "signup_id": signup[0]["id"],
        "school": school["slug"],
        "cluster_id": school["cluster"],  # /platform/clusters/{cluster_id}/...
        "code": code,
        "class_id": class_id,
        "class_pupil_id": pupil_id,
        "expense_id": expense[0]["id"],
        "job_id": job[0]["id"],
        "follow_id": follow[0]["id"],
        "ticket_id": ticket["ticket"],
        "confirm_token": confirm_token,
    }


async def own_words_rows(ids: dict[str, Any]) -> None:
    """Each side's pupil's own pitch feedback (on the other side's entry: feedback comes
    from other schools) and a notification to them, for the author-only routes."""
    from clustermarket.sharing.tables import Notification, PitchFeedback

    for side, other in (("A", "B"), ("B", "A")):
        pupil, entry = ids[side]["pupil_id"], ids[other]["entry_id"]
        mine = (PitchFeedback.author == pupil) & (PitchFeedback.entry == entry)
        if not await PitchFeedback.exists().where(mine):
            await PitchFeedback.insert(
                PitchFeedback(
                    entry=entry,
                    author=pupil,
                    school=ids[side]["school_id"],
                    receiving_school=ids[other]["school_id"],
                    works_well="I like the way it looks.",
                    even_better_if="Have you thought about a lid?",
                    created_at=now(),
                )
            )
        feedback = await PitchFeedback.select(PitchFeedback.id).where(mine).first()
        note = await Notification.insert(
            Notification(user=pupil, text="Audit", link=f"/ideas/{ids[side]['idea_id']}")
        ).returning(Notification.id)
        ids[side]["own_feedback_id"] = feedback["id"]
        ids[side]["notification_id"] = note[0]["id"]
