"""The platform admin makes a cluster, its schools and its first cluster admin: at
/platform/clusters and with `python -m clustermarket cluster create`."""

from __future__ import annotations

import asyncio
import re

from click.testing import CliRunner

from clustermarket.accounts.tables import Role, User
from clustermarket.cli import main
from clustermarket.moderation.tables import ModerationLog
from clustermarket.schools.tables import Cluster, School
from tests.conftest import make_client, make_user, post_form, sign_in


async def test_a_platform_admin_makes_a_cluster_whose_admin_signs_in_on_its_host() -> None:
    await make_user("root", role=Role.platform, school=None, password="platform-pass-1")
    async with make_client("http://aylsham.example.org") as client:
        await sign_in(client, "root", "platform-pass-1")
        assert 'href="/platform/clusters"' in (await client.get("/dashboard")).text
        made = await post_form(
            client,
            "/platform/clusters",
            {
                "name": "Broadland Cluster",
                "slug": "broadland",
                "host": "Broadland.Example.org",
                "admin_username": "bbroad",
                "admin_first_name": "Bea",
                "admin_last_name": "Broad",
            },
        )
        assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
        password = re.search(r"Password</dt><dd><code>([^<]+)</code>", made.text)[1]
        cluster = await Cluster.select().where(Cluster.slug == "broadland").first()
        assert cluster["host"] == "broadland.example.org"
        added = await post_form(
            client,
            f"/platform/clusters/{cluster['id']}/schools",
            {"name": "Reepham High School", "phase": "high"},
            follow_redirects=False,
        )
        assert added.status_code == 302
        school = await School.select(School.cluster, School.phase).where(
            School.slug == "reepham-high-school"
        )
        assert school == [{"cluster": cluster["id"], "phase": "high"}]
        page = await client.get("/platform/clusters")
        assert "Reepham High School (high)" in page.text and password not in page.text

        again = await post_form(
            client,
            "/platform/clusters",
            {"name": "Other", "slug": "broadland", "admin_username": "x1y"},
        )
        assert again.status_code == 400 and "already a cluster called broadland" in again.text
        assert 'value="Other"' in again.text  # the form comes back as typed
        bad = await post_form(
            client, f"/platform/clusters/{cluster['id']}/schools", {"name": "X", "phase": "uni"}
        )
        assert bad.status_code == 400 and "phase is one of" in bad.text
        missing = await post_form(
            client, "/platform/clusters/987654/schools", {"name": "X", "phase": "high"}
        )
        assert missing.status_code == 404
    actions = {r["action"] for r in await ModerationLog.select(ModerationLog.action)}
    assert {"cluster.create", "school.create"} <= actions

    async with make_client("http://broadland.example.org", cluster_routing="host") as client:
        await sign_in(client, "bbroad", password)
        assert (await client.get("/admin/staff")).status_code == 200
        # a cluster admin is not a platform admin
        assert (await client.get("/platform/clusters")).status_code == 403


async def test_cluster_admins_and_everyone_else_are_refused_the_platform_pages() -> None:
    await make_user("admin", role=Role.admin, school=None)
    async with make_client() as client:
        await sign_in(client, "admin")
        assert (await client.get("/platform/clusters")).status_code == 403
        refused = await post_form(
            client, "/platform/clusters", {"name": "N", "slug": "n", "admin_username": "abc"}
        )
        assert refused.status_code == 403
    assert not await Cluster.exists().where(Cluster.slug == "n")


def test_the_cluster_create_command_prints_the_one_time_password_or_reads_it() -> None:
    made = CliRunner().invoke(
        main,
        [
            "cluster",
            "create",
            "--slug",
            "broadland",
            "--name",
            "Broadland Cluster",
            "--host",
            "broadland.example.org",
            "--admin-username",
            "admin",
            "--school",
            "Reepham High:high",
            "--school",
            "Cawston Primary:primary",
        ],
    )
    assert made.exit_code == 0, made.output
    assert "Cluster broadland (Broadland Cluster) created with 2 school(s)." in made.output
    password = re.search(r"one-time password: (\S+)", made.output)[1]

    async def check() -> None:
        from clustermarket.accounts.services import authenticate

        cluster = await Cluster.select().where(Cluster.slug == "broadland").first().run()
        assert await authenticate("admin", password, cluster["id"]) is not None
        assert await School.count().where(School.cluster == cluster["id"]).run() == 2

    asyncio.run(check())
    given = CliRunner().invoke(
        main,
        ["cluster", "create", "--slug", "x", "--name", "X", "--admin-username", "admin"]
        + ["--password-stdin"],
        input="a-long-chosen-password\n",
    )
    assert given.exit_code == 0 and "password as given" in given.output
    for args, message in (
        (["--slug", "broadland"], "already a cluster called broadland"),
        (["--slug", "Bad Slug"], "short name is 1 to 40"),
        (["--slug", "y", "--host", "not a host"], "not a host name"),
        (["--slug", "z", "--school", "Foo:college"], "phase is one of"),
    ):
        refused = CliRunner().invoke(
            main, ["cluster", "create", "--name", "N", "--admin-username", "abc", *args]
        )
        assert refused.exit_code != 0 and message in refused.output, refused.output
    # nothing half-made by the refusals
    assert asyncio.run(Cluster.count().run()) == 3


def test_create_admin_makes_a_platform_admin_in_the_first_cluster() -> None:
    result = CliRunner().invoke(
        main,
        ["create-admin", "--username", "root", "--first-name", "P", "--last-name", "A"]
        + ["--platform", "--password", "platform-pass-12"],
    )
    assert result.exit_code == 0 and "Platform admin root created." in result.output
    row = asyncio.run(User.select(User.role).where(User.username == "root").first().run())
    assert row == {"role": Role.platform}
