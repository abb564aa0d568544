"""Two clusters on one installation: the seeded Aylsham one and a fictional Broadland one."""

from __future__ import annotations

from typing import Any

import pytest

from clustermarket.accounts.tables import Role
from clustermarket.clusters.services import create_cluster
from clustermarket.schools.tables import Cluster

AYLSHAM_HOST = "aylsham.example.org"
BROADLAND_HOST = "broadland.example.org"


@pytest.fixture
async def two_clusters() -> dict[str, Any]:
    """Aylsham (host aylsham.example.org, admin `admin`) and Broadland (its own `admin`)."""
    from tests.conftest import make_user

    await Cluster.update({Cluster.host: AYLSHAM_HOST}).where(Cluster.slug == "aylsham")
    aylsham = await Cluster.select().where(Cluster.slug == "aylsham").first()
    await make_user("admin", role=Role.admin, school=None, password="aylsham-password-1")
    broadland = await create_cluster(
        name="Broadland Cluster",
        slug="broadland",
        host=BROADLAND_HOST,
        admin_username="admin",
        admin_first_name="Bea",
        admin_last_name="Broad",
        admin_password="broadland-password-1",
        schools=[("Reepham High", "high"), ("Cawston Primary", "primary")],
    )
    return {"aylsham": aylsham["id"], "broadland": broadland.id}
