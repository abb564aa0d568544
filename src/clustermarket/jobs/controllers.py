"""Admin only: the background jobs that failed after every try, with "try again"; the time
of the last backup."""

from __future__ import annotations

from litestar import Request
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from clustermarket.jobs import admin
from clustermarket.ops.backup import last_backup_at
from clustermarket.web.auth import requires_admin
from clustermarket.web.routes import get, post


@get("/admin/jobs", guards=[requires_admin])
async def jobs_page(request: Request) -> Template:
    return Template(
        "jobs/admin.html",
        context={
            "counts": await admin.queue_counts(),
            "failed": await admin.failed_jobs(),
            "last_backup": last_backup_at(request.app.state.settings),
        },
    )


@post("/admin/jobs/{job_id:int}/retry", guards=[requires_admin])
async def retry(request: Request, job_id: FromPath[int]) -> Redirect:
    if await admin.retry_job(request.user, job_id):
        flash(request, f"Job {job_id} will be tried again in a moment.", "success")
    else:
        flash(request, f"Job {job_id} is not waiting for a retry.", "error")
    return Redirect(path="/admin/jobs")


ROUTES = [jobs_page, retry]
