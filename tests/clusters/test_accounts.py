"""Accounts and sessions per cluster: one username, two clusters, two accounts; a session is
worth something only in the cluster it was made in."""

from __future__ import annotations

import pytest

from clustermarket.accounts.services import AccountError, authenticate, create_user
from clustermarket.accounts.tables import Role, User
from tests.clusters.conftest import AYLSHAM_HOST, BROADLAND_HOST
from tests.conftest import make_client, sign_in


async def test_the_same_username_in_two_clusters_is_two_accounts(two_clusters) -> None:
    admins = await User.select(User.cluster, User.first_name).where(User.username == "admin")
    assert sorted(a["cluster"] for a in admins) == sorted(two_clusters.values())
    aylsham, broadland = two_clusters["aylsham"], two_clusters["broadland"]
    assert await authenticate("admin", "aylsham-password-1", aylsham) is not None
    assert await authenticate("admin", "aylsham-password-1", broadland) is None
    them = await authenticate("admin", "broadland-password-1", broadland)
    assert them is not None and them.first_name == "Bea" and them.cluster_id == broadland
    # but within one cluster a username is still one account
    with pytest.raises(AccountError, match="taken"):
        await create_user(
            username="Admin",
            password="another-password",
            role=Role.admin,
            first_name="Second",
            last_name="Admin",
            cluster_id=broadland,
        )


async def test_a_pupil_or_teacher_belongs_to_their_schools_cluster(two_clusters) -> None:
    from clustermarket.schools.tables import School

    reepham = await School.select(School.id).where(School.slug == "reepham-high").first()
    pupil = await create_user(
        username="ameliab",
        password="password-123",
        role=Role.pupil,
        first_name="Amelia",
        last_name="B",
        school_id=reepham["id"],
        cluster_id=two_clusters["aylsham"],  # ignored: the school decides
    )
    row = await User.select(User.cluster).where(User.id == pupil).first()
    assert row["cluster"] == two_clusters["broadland"]


async def test_signing_in_by_host_finds_the_account_of_that_cluster(two_clusters) -> None:
    async with make_client(f"http://{BROADLAND_HOST}", cluster_routing="host") as client:
        wrong = await client.post(
            "/login",
            data={
                "username": "admin",
                "password": "aylsham-password-1",
                "_csrf_token": await _token(client),
            },
        )
        assert wrong.status_code == 400 and "do not match" in wrong.text
        await sign_in(client, "admin", "broadland-password-1")
        assert (await client.get("/dashboard")).status_code == 200


async def test_a_session_from_one_clusters_host_is_signed_out_on_anothers(two_clusters) -> None:
    async with make_client(f"http://{AYLSHAM_HOST}", cluster_routing="host") as aylsham:
        await sign_in(aylsham, "admin", "aylsham-password-1")
        assert (await aylsham.get("/admin/staff")).status_code == 200
        cookie = aylsham.cookies.get("cm_session")
    assert cookie
    async with make_client(f"http://{BROADLAND_HOST}", cluster_routing="host") as broadland:
        page = await broadland.get(
            "/admin/staff", headers={"cookie": f"cm_session={cookie}"}, follow_redirects=False
        )
        assert page.status_code == 302 and page.headers["location"].startswith("/login")
        home = await broadland.get("/", headers={"cookie": f"cm_session={cookie}"})
        assert "Sign out" not in home.text


async def test_by_path_one_browser_is_signed_in_only_where_it_signed_in(two_clusters) -> None:
    async with make_client(cluster_routing="path") as client:
        token = await _token(client, "/c/broadland/login")
        signed = await client.post(
            "/c/broadland/login",
            data={"username": "admin", "password": "broadland-password-1", "_csrf_token": token},
            follow_redirects=False,
        )
        assert signed.status_code == 302 and signed.headers["location"] == "/c/broadland/dashboard"
        assert (await client.get("/c/broadland/admin/staff")).status_code == 200
        other = await client.get("/c/aylsham/admin/staff", follow_redirects=False)
        assert other.status_code == 302
        assert other.headers["location"].startswith("/c/aylsham/login")


async def _token(client, page: str = "/login") -> str:
    await client.get(page)
    return client.cookies.get("csrftoken") or ""


async def test_wrong_passwords_in_one_cluster_pause_only_that_clusters_account(
    two_clusters,
) -> None:
    async with make_client(f"http://{BROADLAND_HOST}", cluster_routing="host") as broadland:
        token = await _token(broadland)
        for _ in range(6):
            await broadland.post(
                "/login", data={"username": "admin", "password": "wrong", "_csrf_token": token}
            )
        paused = await broadland.post(
            "/login",
            data={"username": "admin", "password": "broadland-password-1", "_csrf_token": token},
        )
        assert paused.status_code == 429
    async with make_client(f"http://{AYLSHAM_HOST}", cluster_routing="host") as aylsham:
        await sign_in(aylsham, "admin", "aylsham-password-1")  # not paused by Broadland's tries
