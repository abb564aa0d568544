"""The calendar's pages: public events, an event with what will be presented, the iCalendar
feed, team sign-ups and the admin's event forms. Thin: the work is in the services, limited
to the request's cluster (`current_cluster(request).id`, issue 15)."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Response, Template

from clustermarket.calendar import admin, services, signups
from clustermarket.calendar.feed import public_feed
from clustermarket.schools.lists import kept_schools
from clustermarket.web.auth import requires_admin, requires_signed_in
from clustermarket.web.clusters import current_cluster, site_address
from clustermarket.web.page_cache import PUBLIC_PAGE
from clustermarket.web.public_data import kept
from clustermarket.web.routes import get, post

FEED_PATH = "/events.ics"


@get("/events", opt=PUBLIC_PAGE)
async def events_page(request: Request) -> Template:
    """The same for every viewer who may see the cluster's private events (and for every
    one who may not): kept between views by that (`web/public_data.py`)."""
    cluster_id, private = current_cluster(request).id, services.sees_private(request.user)

    async def shown() -> list[dict[str, Any]]:
        return await services.calendar_items(request.user, cluster_id)

    items = await kept(request, ("events", cluster_id, private), shown)
    return Template("calendar/events.html", context={"items": items, "feed_path": FEED_PATH})


@get(FEED_PATH, opt=PUBLIC_PAGE)
async def events_feed(request: Request) -> Response[bytes]:
    cluster = current_cluster(request)
    body = await public_feed(site_address(request), cluster.id, cluster.name)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'inline; filename="{cluster.slug}-cluster-events.ics"'},
    )


async def _event_page(
    request: Request, event_id: int, error: str = "", status: int = 200
) -> Template:
    cluster_id, private = current_cluster(request).id, services.sees_private(request.user)

    async def shown() -> dict[str, Any]:  # kept as the calendar is
        return {
            "event": await services.visible_event(request.user, event_id, cluster_id),
            "presentations": await signups.presentations(event_id),
        }

    event = await kept(request, ("event", cluster_id, private, event_id), shown)
    context = {**event, "work": await signups.work_to_offer(request.user), "error": error}
    return Template("calendar/event.html", context=context, status_code=status)


@get("/events/{event_id:int}", opt=PUBLIC_PAGE)
async def event_page(request: Request, event_id: FromPath[int]) -> Template:
    return await _event_page(request, event_id)


@post("/events/{event_id:int}/signups", guards=[requires_signed_in])
async def sign_up(request: Request, event_id: FromPath[int]) -> Template | Redirect:
    form = await request.form()
    try:
        await signups.sign_up(request.user, event_id, form.get("work", ""))
    except signups.SignupError as error:
        return await _event_page(request, event_id, str(error), status=400)
    flash(request, "Your team is signed up to present.", "success")
    return Redirect(path=f"/events/{event_id}")


@post("/events/{event_id:int}/signups/{signup_id:int}/withdraw", guards=[requires_signed_in])
async def withdraw(request: Request, event_id: FromPath[int], signup_id: FromPath[int]) -> Redirect:
    await signups.withdraw(request.user, event_id, signup_id)
    flash(request, "The sign-up is withdrawn.", "success")
    return Redirect(path=f"/events/{event_id}")


# ------------------------------------------------------------------ the admin's forms


async def _form_page(
    request: Request,
    template: str,
    form: admin.EventForm,
    error: str = "",
    status: int = 200,
    **extra,
) -> Template:
    context = {
        "form": form,
        "error": error,
        "kinds": admin.ADMIN_KINDS,
        "schools": await kept_schools(request, request.user.cluster_id),
        **extra,
    }
    return Template(template, context=context, status_code=status)


@get("/admin/events", guards=[requires_admin])
async def admin_events(request: Request) -> Template:
    events = await admin.all_events(request.user.cluster_id)
    return await _form_page(request, "calendar/admin_events.html", admin.EventForm(), events=events)


@post("/admin/events", guards=[requires_admin])
async def create_event(request: Request) -> Template | Redirect:
    form = admin.EventForm.from_post(await request.form())
    try:
        event_id = await admin.create_event(request.user, form)
    except admin.EventError as error:
        events = await admin.all_events(request.user.cluster_id)
        return await _form_page(
            request, "calendar/admin_events.html", form, str(error), 400, events=events
        )
    flash(request, "Event added to the calendar.", "success")
    return Redirect(path=f"/events/{event_id}")


@get("/admin/events/{event_id:int}", guards=[requires_admin])
async def edit_event_page(request: Request, event_id: FromPath[int]) -> Template:
    form = await admin.edit_form(event_id, request.user.cluster_id)
    return await _form_page(request, "calendar/edit_event.html", form, event_id=event_id)


@post("/admin/events/{event_id:int}", guards=[requires_admin])
async def edit_event(request: Request, event_id: FromPath[int]) -> Template | Redirect:
    form = admin.EventForm.from_post(await request.form())
    try:
        await admin.update_event(event_id, request.user.cluster_id, form)
    except admin.EventError as error:
        return await _form_page(
            request, "calendar/edit_event.html", form, str(error), 400, event_id=event_id
        )
    flash(request, "Event saved.", "success")
    return Redirect(path=f"/events/{event_id}")


@post("/admin/events/{event_id:int}/remove", guards=[requires_admin])
async def remove_event(request: Request, event_id: FromPath[int]) -> Redirect:
    await admin.remove_event(event_id, request.user.cluster_id)
    flash(request, "Event removed from the calendar.", "success")
    return Redirect(path="/admin/events")


ROUTES = [
    events_page,
    events_feed,
    event_page,
    sign_up,
    withdraw,
    admin_events,
    create_event,
    edit_event_page,
    edit_event,
    remove_event,
]
