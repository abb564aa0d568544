"""A cluster admin sets up their own cluster at /admin/cluster (issue 15): its name, market,
colours and logo, and its schools; each change is logged and shown at once, also on cached
public pages, and only in their own cluster."""

from __future__ import annotations

import io

from PIL import Image

from clustermarket.accounts.tables import Role
from clustermarket.clusters.look import contrast_with_white
from clustermarket.moderation.tables import ModerationLog
from clustermarket.schools.tables import Cluster, School
from clustermarket.settings import get_settings
from tests.clusters.conftest import AYLSHAM_HOST, BROADLAND_HOST
from tests.conftest import make_client, make_user, post_form, sign_in

SETTINGS = {
    "name": "Broadland Schools",
    "market_name": "Reepham Saturday market",
    "market_place": "Reepham Market Place",
    "colour_primary": "#0B3D91",
    "colour_accent": "#4a148c",
}


def _jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (52.0, 47.0, 30.0), 3: "E", 4: (1.0, 15.0, 0.0)}
    exif[0x010E] = "secret-description"
    out = io.BytesIO()
    Image.new("RGB", (200, 200), "purple").save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


async def _upload_logo(client, data: bytes, name: str = "logo.jpg"):
    return await client.post(
        "/admin/cluster/logo",
        data={"_csrf_token": client.cookies["csrftoken"]},
        files={"logo": (name, data, "image/jpeg")},
        follow_redirects=False,
    )


def test_contrast_is_wcags_ratio_against_white() -> None:
    assert round(contrast_with_white("#000000"), 1) == 21.0
    assert round(contrast_with_white("#ffffff"), 1) == 1.0
    assert round(contrast_with_white("#1b5e20"), 1) == 7.9  # the site's own green


async def test_a_cluster_admin_names_their_market_and_colours_and_the_public_sees_it_at_once(
    two_clusters,
) -> None:
    async with make_client(f"http://{BROADLAND_HOST}", cluster_routing="host") as visitor:
        before = await visitor.get("/market-days")  # cached from now on
        assert "Broadland Cluster" in before.text and "cluster.css" not in before.text
        async with make_client(f"http://{BROADLAND_HOST}", cluster_routing="host") as admin:
            await sign_in(admin, "admin", "broadland-password-1")
            page = await admin.get("/admin/cluster")
            assert page.status_code == 200 and 'value="Broadland Cluster"' in page.text
            saved = await post_form(admin, "/admin/cluster", SETTINGS, follow_redirects=False)
            assert saved.status_code == 302
            # the new market day form starts at the market's place
            days = await admin.get("/admin/market-days")
            assert 'value="Reepham Market Place"' in days.text
        after = await visitor.get("/market-days")
        assert "· Broadland Schools Market</title>" in after.text
        assert "monthly Reepham Saturday market" in after.text
        css_link = 'href="/cluster.css?v=0b3d914a148c"'
        assert css_link in after.text
        css = await visitor.get("/cluster.css?v=0b3d914a148c")
        assert css.headers["content-type"].startswith("text/css")
        assert "--green: #0b3d91;" in css.text and "--green-dark: #4a148c;" in css.text
    row = await Cluster.select().where(Cluster.id == two_clusters["broadland"]).first()
    assert (row["name"], row["market_place"], row["colour_primary"]) == (
        "Broadland Schools",
        "Reepham Market Place",
        "#0b3d91",
    )
    logged = await ModerationLog.select(ModerationLog.action, ModerationLog.subject_id).where(
        ModerationLog.action == "cluster.settings"
    )
    assert logged == [{"action": "cluster.settings", "subject_id": two_clusters["broadland"]}]
    # Aylsham keeps its own name, market and colours
    async with make_client(f"http://{AYLSHAM_HOST}", cluster_routing="host") as aylsham:
        page = await aylsham.get("/market-days")
        assert "monthly Aylsham farmers&#39; market" in page.text
        assert "Broadland" not in page.text and "cluster.css" not in page.text


async def test_bad_colours_and_names_are_refused_with_a_message_and_nothing_changes(
    two_clusters,
) -> None:
    async with make_client(f"http://{BROADLAND_HOST}", cluster_routing="host") as admin:
        await sign_in(admin, "admin", "broadland-password-1")
        pale = await post_form(admin, "/admin/cluster", {**SETTINGS, "colour_primary": "#ffeb3b"})
        assert pale.status_code == 400
        assert "contrast of 1.2:1" in pale.text and "at least 4.5:1" in pale.text
        assert 'value="Reepham Saturday market"' in pale.text  # kept as typed
        for bad in ("green", "#12345", "#1234567", "#gg0000"):
            answer = await post_form(admin, "/admin/cluster", {**SETTINGS, "colour_accent": bad})
            assert answer.status_code == 400 and "six hex digits" in answer.text
        nameless = await post_form(admin, "/admin/cluster", {**SETTINGS, "name": "  "})
        assert nameless.status_code == 400 and "Give the cluster a name" in nameless.text
        long_place = await post_form(
            admin, "/admin/cluster", {**SETTINGS, "market_place": "x" * 201}
        )
        assert long_place.status_code == 400 and "at most 200 characters" in long_place.text
    row = await Cluster.select().where(Cluster.id == two_clusters["broadland"]).first()
    assert (row["name"], row["colour_primary"], row["market_place"]) == (
        "Broadland Cluster",
        "",
        "",
    )


async def test_the_logo_goes_through_the_image_pipeline_into_the_clusters_folder(
    two_clusters,
) -> None:
    async with make_client(f"http://{BROADLAND_HOST}", cluster_routing="host") as admin:
        await sign_in(admin, "admin", "broadland-password-1")
        await admin.get("/admin/cluster")
        refused = await _upload_logo(admin, b"GIF89a not a photo", "logo.gif")
        assert refused.status_code == 400 and "Upload a JPEG, PNG or WebP" in refused.text
        assert (await _upload_logo(admin, _jpeg_with_gps())).status_code == 302
        name = (await Cluster.select(Cluster.logo_name).where(Cluster.slug == "broadland"))[0][
            "logo_name"
        ]
        stored = get_settings().media_dir / "broadland" / name
        assert stored.exists()
        clean = Image.open(stored)
        assert clean.format == "JPEG" and not clean.getexif()
        assert b"secret-description" not in stored.read_bytes()
        home = await admin.get("/")
        assert (
            f'src="/cluster-logo/{name}"' in home.text
            and "img/logo" not in home.text.split("</header>")[0].split('class="brand"')[1][:200]
        )
        served = await admin.get(f"/cluster-logo/{name}")
        assert served.status_code == 200 and served.content == stored.read_bytes()

        # a second logo replaces the first, whose file goes
        assert (await _upload_logo(admin, _jpeg_with_gps())).status_code == 302
        assert not stored.exists()
        assert (await admin.get(f"/cluster-logo/{name}")).status_code == 404
        removed = await post_form(admin, "/admin/cluster/logo/remove", {}, follow_redirects=False)
        assert removed.status_code == 302
        assert not list((get_settings().media_dir / "broadland").glob("logo-*"))
        assert "/cluster-logo/" not in (await admin.get("/")).text
    actions = [r["action"] for r in await ModerationLog.select(ModerationLog.action)]
    assert actions.count("cluster.logo") == 2 and "cluster.logo_remove" in actions


async def test_another_clusters_logo_is_not_served_here(two_clusters) -> None:
    async with make_client(f"http://{BROADLAND_HOST}", cluster_routing="host") as admin:
        await sign_in(admin, "admin", "broadland-password-1")
        await admin.get("/admin/cluster")
        await _upload_logo(admin, _jpeg_with_gps())
    name = (await Cluster.select(Cluster.logo_name).where(Cluster.slug == "broadland"))[0][
        "logo_name"
    ]
    async with make_client(f"http://{AYLSHAM_HOST}", cluster_routing="host") as aylsham:
        assert (await aylsham.get(f"/cluster-logo/{name}")).status_code == 404
        assert (await aylsham.get("/cluster-logo/..%2F..%2Fsecret")).status_code == 404


async def test_a_cluster_admin_adds_schools_to_their_own_cluster_only(two_clusters) -> None:
    async with make_client(f"http://{BROADLAND_HOST}", cluster_routing="host") as admin:
        await sign_in(admin, "admin", "broadland-password-1")
        added = await post_form(
            admin,
            "/admin/cluster/schools",
            {"name": "Foulsham  Primary", "phase": "primary", "cluster": two_clusters["aylsham"]},
            follow_redirects=False,
        )
        assert added.status_code == 302
        page = await admin.get("/admin/cluster")
        assert "Foulsham Primary (primary)" in page.text
        assert "Aylsham High" not in page.text  # only their own cluster's schools
        bad = await post_form(admin, "/admin/cluster/schools", {"name": "X", "phase": "college"})
        assert bad.status_code == 400 and "phase is one of" in bad.text
        empty = await post_form(admin, "/admin/cluster/schools", {"name": " ", "phase": "high"})
        assert empty.status_code == 400 and "Give the school a name" in empty.text
    school = await School.select(School.cluster).where(School.name == "Foulsham Primary")
    assert school == [{"cluster": two_clusters["broadland"]}]
    logged = await ModerationLog.select(ModerationLog.action).where(
        ModerationLog.action == "school.create"
    )
    assert len(logged) == 1


async def test_only_the_cluster_admin_reaches_the_settings(two_clusters) -> None:
    await make_user("teach", role=Role.teacher)
    async with make_client(f"http://{AYLSHAM_HOST}", cluster_routing="host") as client:
        visitor = await client.get("/admin/cluster", follow_redirects=False)
        assert visitor.status_code in (302, 303)
        await sign_in(client, "teach")
        assert (await client.get("/admin/cluster")).status_code == 403
        refused = await post_form(client, "/admin/cluster", SETTINGS)
        assert refused.status_code == 403
    assert (await Cluster.select(Cluster.name).where(Cluster.slug == "aylsham"))[0][
        "name"
    ] == "Aylsham Cluster"


async def test_another_clusters_pages_name_that_cluster_never_aylsham(two_clusters) -> None:
    """Found by the browser test of two clusters: Broadland's home page said "Made by pupils
    of the Aylsham Cluster". The pages any cluster serves name the request's cluster."""
    pages = ["/", "/schools", "/products", "/projects", "/market-days", "/events", "/coop"]
    pages += ["/coop/apply", "/login", "/basket"]
    async with make_client(f"http://{BROADLAND_HOST}", cluster_routing="host") as visitor:
        for path in pages:
            page = await visitor.get(path)
            assert page.status_code == 200, path
            assert "Aylsham" not in page.text, (path, page.text.count("Aylsham"))
        home = await visitor.get("/")
        assert "Made by pupils of the Broadland Cluster</h1>" in home.text
        # A cluster that has not named its market yet: "the farmers' market", said once.
        assert "sell at the farmers&#39; market" in home.text and "the the" not in home.text
    async with make_client(f"http://{AYLSHAM_HOST}", cluster_routing="host") as visitor:
        home = await visitor.get("/")
        assert "Made by pupils of the Aylsham Cluster</h1>" in home.text
