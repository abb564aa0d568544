"""Reports: teachers see their school's takings, the cluster admin all of their cluster's (and
its schools side by side); CSV of the same rows. Every report is of the request's cluster only
(`current_cluster(request).id`, passed to the rows); a school of another cluster is not found.
Every report takes a date range from the query string
(`reports/periods.py`); a range that makes no sense is a message on the page (a 400)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.params import FromPath, FromQuery
from litestar.response import Stream, Template

from clustermarket.accounts.services import CurrentUser, NotFound
from clustermarket.reports.periods import (
    PRESETS,
    DayQuery,
    FromDate,
    PeriodError,
    RangeQuery,
    ToDate,
    days_to_pick,
    latest_days,
    period_from_query,
    typed_dates,
)
from clustermarket.reports.services import (
    Report,
    csv_file_rows,
    csv_header,
    reports_for,
    run_report,
)
from clustermarket.schools.services import all_schools
from clustermarket.timeutil import today_uk
from clustermarket.web.auth import requires_staff
from clustermarket.web.clusters import current_cluster
from clustermarket.web.csv_stream import csv_download
from clustermarket.web.pagination import page_number
from clustermarket.web.public_data import kept
from clustermarket.web.routes import get


def _report(user: CurrentUser, slug: str) -> Report:
    reports = reports_for(user.is_admin)
    if slug not in reports:
        raise NotFound()
    return reports[slug]


async def _pickers(request: Request, cluster_id: int) -> dict[str, Any]:
    """The cluster's schools and latest market days, which every report's page offers to pick
    from: public (the schools' and market days' pages list them), so kept between views
    under the public page cache's rule (`web/public_data.py`)."""

    async def load() -> dict[str, Any]:
        return {"schools": await all_schools(cluster_id), "days": await latest_days(cluster_id)}

    return await kept(request, ("report-pickers", cluster_id), load)


def _school(user: CurrentUser, school: int | None, schools: list[dict[str, Any]]) -> int | None:
    """Teachers always see their own school; the admin may pick one of the cluster's
    (`schools`), or all."""
    school_id = school if user.is_admin else user.school_id
    if user.is_teacher and school_id is None:
        raise NotFound()
    if school_id is not None and all(each["id"] != school_id for each in schools):
        raise NotFound()
    return school_id


@get("/reports", guards=[requires_staff])
async def reports_index(
    request: Request,
    report: FromQuery[str] = "teams",
    school: FromQuery[int | None] = None,
    range_: RangeQuery = None,
    start: FromDate = None,
    end: ToDate = None,
    day: DayQuery = None,
    page: FromQuery[str] = "",
) -> Template:
    user: CurrentUser = request.user
    cluster_id = current_cluster(request).id
    chosen = _report(user, report)
    pickers = await _pickers(request, cluster_id)
    school_id = _school(user, school, pickers["schools"])
    context: dict[str, Any] = {
        "reports": reports_for(user.is_admin),
        "report": chosen,
        "presets": PRESETS,
        "schools": pickers["schools"] if user.is_admin else [],
        "school_id": school_id,
        "typed": typed_dates(None, start, end),
    }
    try:
        period = await period_from_query(
            range_, start, end, today_uk(), day, cluster_id, pickers["days"]
        )
    except PeriodError as error:
        context.update(error=str(error), period=None, rows=[], chart=None)
        context["market_days"] = days_to_pick(pickers["days"], None)
        return Template("reports/index.html", context=context, status_code=400)
    context.update(
        await run_report(chosen, school_id, period, cluster_id, page_number(page)), period=period
    )
    context["market_days"] = days_to_pick(pickers["days"], period)
    context["typed"] = typed_dates(period, start, end)
    return Template("reports/index.html", context=context)


@get("/reports/{slug:str}/csv", guards=[requires_staff])
async def report_csv(
    request: Request,
    slug: FromPath[str],
    school: FromQuery[int | None] = None,
    range_: RangeQuery = None,
    start: FromDate = None,
    end: ToDate = None,
    day: DayQuery = None,
) -> Response | Stream:
    cluster_id = current_cluster(request).id
    report = _report(request.user, slug)
    pickers = await _pickers(request, cluster_id)
    school_id = _school(request.user, school, pickers["schools"])
    try:
        period = await period_from_query(
            range_, start, end, today_uk(), day, cluster_id, pickers["days"]
        )
    except PeriodError as error:
        return Response(content=str(error), media_type="text/plain", status_code=400)
    rows = await csv_file_rows(report, school_id, period, cluster_id)
    return csv_download(f"cluster-market-{slug}-{period.slug()}.csv", csv_header(report), rows)


ROUTES = [reports_index, report_csv]
