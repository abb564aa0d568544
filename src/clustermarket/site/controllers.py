"""Home page, dashboards and the health check."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.response import Template

from clustermarket.accounts.rollover import high_school_of
from clustermarket.accounts.services import CurrentUser
from clustermarket.catalogue.services import public_products
from clustermarket.jobs.admin import queue_counts
from clustermarket.market.services import next_market_day
from clustermarket.ops.backup import last_backup_at
from clustermarket.projects.services import public_projects
from clustermarket.projects.tallies import impact_totals
from clustermarket.schools.services import all_schools
from clustermarket.teams.services import teams_of_school, teams_of_user
from clustermarket.web import badge
from clustermarket.web.auth import requires_signed_in
from clustermarket.web.clusters import current_cluster
from clustermarket.web.outage import RETRY_AFTER_SECONDS, unavailable_services
from clustermarket.web.page_cache import PUBLIC_PAGE
from clustermarket.web.public_data import kept
from clustermarket.web.routes import get


@get("/", name="home", opt=PUBLIC_PAGE)
async def home(request: Request) -> Template:
    """Everything on it is the request's cluster's only (issue 15), and public: signed-in
    people are shown the same, kept between their views (`web/public_data.py`)."""
    cluster_id = current_cluster(request).id

    async def shown() -> dict[str, Any]:
        return {
            "market_day": await next_market_day(cluster_id),
            "products": await public_products(cluster_id=cluster_id, limit=6),
            "projects": await public_projects(cluster_id=cluster_id, limit=6),
            "totals": await impact_totals(cluster_id),
            "schools": await all_schools(cluster_id),
        }

    context = await kept(request, ("home", cluster_id), shown)
    return Template("site/home.html", context=dict(context))


@get("/dashboard", guards=[requires_signed_in])
async def dashboard(request: Request) -> Template:
    """What is the same for every viewer of a kind (the cluster's next market day, a
    school's teams, the cluster's high school) is kept between views (`web/public_data.py`)."""
    user: CurrentUser = request.user
    cluster_id, school_id = user.cluster_id, None if user.is_admin else user.school_id

    async def school_teams() -> list[dict[str, Any]]:
        return await teams_of_school(school_id, cluster_id)

    return Template(
        "site/dashboard.html",
        context={
            "teams": await teams_of_user(user.id),
            "market_day": await kept(
                request, ("next-market-day", cluster_id), lambda: next_market_day(cluster_id)
            ),
            "school_teams": await kept(
                request, ("school-teams", cluster_id, school_id), school_teams
            )
            if user.is_staff
            else [],
            "waiting": await badge.waiting(request.app, user) if user.is_staff else 0,
            "jobs": await queue_counts() if user.is_admin else None,
            "last_backup": last_backup_at(request.app.state.settings) if user.is_admin else None,
            # a pupil's link names the teams they follow: their cluster's high school's
            "high_school": None
            if user.is_staff
            else await kept(
                request, ("high-school", cluster_id), lambda: high_school_of(cluster_id)
            ),
        },
    )


@get("/health", include_in_schema=False)
async def health(request: Request) -> Response:
    """200 when the database (and Redis, when configured) answer; 503 naming what is down."""
    down = await unavailable_services(request.app)
    if down:
        return Response(
            {"status": "unavailable", "down": down},
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    return Response({"status": "ok"})


ROUTES = [home, dashboard, health]
