"""What leaves the site names the recipient's own cluster (issue 15): a co-op decision's
e-mail and a teacher's digest carry links to their cluster's address and its name."""

from __future__ import annotations

import re
from dataclasses import replace

from clustermarket.accounts.tables import Role, User
from clustermarket.coop.services import apply_as_group
from clustermarket.jobs.runner import run_due_jobs
from clustermarket.moderation.digest import digest_message
from clustermarket.schools.tables import School
from clustermarket.settings import get_settings
from clustermarket.timeutil import now
from tests.clusters.conftest import BROADLAND_HOST
from tests.conftest import make_client, make_user, post_form, sign_in
from tests.jobs.conftest import sink  # noqa: F401  (the fixture)

HOST_MAIL = {"cluster_routing": "host", "jobs_in_app": False}
PUBLIC_URL = "https://market.example.org"


async def test_a_co_op_decision_links_to_the_groups_own_cluster(two_clusters, sink) -> None:  # noqa: F811
    group = await apply_as_group(
        "Reepham Gardeners",
        "Pat Green",
        "pat@gardeners.example",
        "Seedlings.",
        cluster_id=two_clusters["broadland"],
    )
    mail = {**HOST_MAIL, "smtp_host": "127.0.0.1", "smtp_port": sink.port}
    async with make_client(f"http://{BROADLAND_HOST}", **mail) as admin:
        await sign_in(admin, "admin", "broadland-password-1")
        done = await post_form(admin, f"/admin/coop/groups/{group}/approve", {})
        assert done.status_code == 200
    sink.up()
    await run_due_jobs(replace(get_settings(), **mail))
    [message] = sink.messages
    body = message.get_payload()
    link = re.search(r"https?://\S+/coop/welcome/\S+", body)[0]
    scheme = get_settings().public_url.split(":")[0]
    assert re.match(rf"{scheme}://{BROADLAND_HOST}(:\d+)?/coop/welcome/", link), link
    assert "the Broadland Cluster co-operative trust has approved" in body
    assert body.rstrip().endswith("Broadland Cluster Market")
    assert "Aylsham" not in body


async def test_a_teachers_digest_links_to_their_own_cluster(two_clusters) -> None:
    reepham = await School.select(School.slug).where(School.name == "Reepham High").first()
    teacher = await make_user("rteach", role=Role.teacher, school=reepham["slug"])
    person = (
        await User.select(
            User.id,
            User.first_name,
            User.email,
            User.cluster.host.as_alias("cluster_host"),
            User.cluster.slug.as_alias("cluster_slug"),
            User.cluster.name.as_alias("cluster_name"),
        )
        .where(User.id == teacher)
        .first()
    )
    waiting = {"total": 1, "counts": {"idea": 1}, "flagged": 0, "oldest": now()}
    for routing, address in (
        ("host", f"https://{BROADLAND_HOST}"),
        ("path", "https://market.example.org/c/broadland"),
    ):
        settings = replace(get_settings(), public_url=PUBLIC_URL, cluster_routing=routing)
        body = digest_message(settings, person, "2026-11-26", waiting).get_content()
        assert f"Open the queue: {address}/moderation\n" in body
        assert f"account page: {address}/account" in body
        assert body.rstrip().endswith("Broadland Cluster Market") and "Aylsham" not in body
