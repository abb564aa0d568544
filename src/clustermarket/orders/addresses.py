"""Each order's own cluster's address and name, for what leaves the site: e-mails, calendar
files, Stripe's return links (issue 15: anything sent names only the order's cluster)."""

from __future__ import annotations

from typing import Any

from clustermarket.settings import Settings
from clustermarket.web.clusters import cluster_address


def site_address(settings: Settings, order: dict[str, Any]) -> str:
    """The order's cluster's address: its host (CLUSTER_ROUTING=host), its `/c/<slug>` prefix
    (path), or the installation's PUBLIC_URL (single, or an order read without its cluster)."""
    return cluster_address(
        settings.public_url,
        settings.cluster_routing,
        order.get("cluster_host"),
        order.get("cluster_slug"),
    )


def signature(order: dict[str, Any]) -> str:
    """The sign-off: the order's cluster's market ("Aylsham Cluster Market")."""
    return f"{order.get('cluster_name') or 'Cluster'} Market"
