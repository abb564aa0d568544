"""Reports: teachers see their school's takings, the admin everyone's; CSV of the same rows."""

from __future__ import annotations

from litestar import Request, get
from litestar.params import FromPath, FromQuery
from litestar.response import Stream, Template

from clustermarket.accounts.services import CurrentUser, NotFound
from clustermarket.market.services import all_market_days, fits_database
from clustermarket.reports.services import REPORTS, Report, csv_header, csv_rows, run_report
from clustermarket.schools.services import all_schools
from clustermarket.web.auth import requires_staff
from clustermarket.web.csv_stream import csv_download
from clustermarket.web.pagination import page_number


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
    page: FromQuery[str] = "",
) -> Template:
    school_id, day_id = _scope(request.user, school, day)
    result = await run_report(_report(report), school_id, day_id, page_number(page))
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
) -> Stream:
    report = _report(slug)
    school_id, day_id = _scope(request.user, school, day)
    rows = await report.rows(school_id, day_id)
    return csv_download(f"cluster-market-{slug}.csv", csv_header(report), csv_rows(report, rows))


ROUTES = [reports_index, report_csv]
