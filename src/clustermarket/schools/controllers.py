from __future__ import annotations

from litestar import Controller, Request
from litestar.params import FromPath
from litestar.response import Template

from clustermarket.accounts.services import NotFound
from clustermarket.projects.tallies import impact_totals
from clustermarket.schools.services import all_schools, school_by_slug
from clustermarket.teams.services import public_teams_of_school
from clustermarket.web.clusters import current_cluster
from clustermarket.web.page_cache import PUBLIC_PAGE
from clustermarket.web.routes import get


class SchoolController(Controller):
    path = "/schools"

    @get("/", opt=PUBLIC_PAGE)
    async def list_schools(self, request: Request) -> Template:
        schools = await all_schools(current_cluster(request).id)
        return Template("schools/list.html", context={"schools": schools})

    @get("/{slug:str}", opt=PUBLIC_PAGE)
    async def show_school(self, request: Request, slug: FromPath[str]) -> Template:
        cluster_id = current_cluster(request).id
        school = await school_by_slug(slug, cluster_id)  # another cluster's: 404
        if school is None:
            raise NotFound()
        teams = await public_teams_of_school(school["id"])
        totals = await impact_totals(cluster_id, school_id=school["id"])
        return Template(
            "schools/show.html", context={"school": school, "teams": teams, "totals": totals}
        )
