"""Reports: teachers see their school's takings, the admin everyone's; CSV of the same rows."""

from __future__ import annotations

from litestar import Request, Response, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from clustermarket.accounts.services import CurrentUser, NotFound
from clustermarket.market.services import all_market_days, fits_database
from clustermarket.reports.services import REPORTS, Report, as_csv, run_report
from clustermarket.schools.services import all_schools
from clustermarket.web.auth import requires_staff


def _report(slug: str) -> Report:
    if slug not in REPORTS:
        raise NotFound()
    return REPORTS[slug]


def _scope(user: CurrentUser, school: int | None, day: int | None) -> tuple[int | None, int | None]:
    """Teachers always see their own school; the admin may pick one, or all."""
    school_id = school if user.is_admin else user.school_id
    if user.is_teacher and school_id is None:
        raise NotFound()
    for number in (school_id, day):
        if number is not None and not fits_database(number):
            raise NotFound()
    return school_id, day


@get("/reports", guards=[requires_staff])
async def reports_index(
    request: Request,
    report: FromQuery[str] = "teams",
    school: FromQuery[int | None] = None,
    day: FromQuery[int | None] = None,
) -> Template:
    school_id, day_id = _scope(request.user, school, day)
    result = await run_report(_report(report), school_id, day_id)
    return Template(
        "reports/index.html",
        context={
            **result,
            "reports": REPORTS,
            "days": await all_market_days(),
            "schools": await all_schools() if request.user.is_admin else [],
            "school_id": school_id,
            "day_id": day_id,
        },
    )


@get("/reports/{slug:str}/csv", guards=[requires_staff])
async def report_csv(
    request: Request,
    slug: FromPath[str],
    school: FromQuery[int | None] = None,
    day: FromQuery[int | None] = None,
) -> Response:
    report = _report(slug)
    school_id, day_id = _scope(request.user, school, day)
    rows = await report.rows(school_id, day_id)
    return Response(
        content=as_csv(report, rows),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="cluster-market-{slug}.csv"'},
    )


ROUTES = [reports_index, report_csv]
