"""Each order's own cluster's address and name, for what leaves the site: e-mails, calendar
files, Stripe's return links (issue 15: anything sent names only the order's cluster)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from clustermarket.settings import Settings


def site_address(settings: Settings, order: dict[str, Any]) -> str:
    """The order's cluster's address: its host (CLUSTER_ROUTING=host), its `/c/<slug>` prefix
    (path), or the installation's PUBLIC_URL (single, or an order read without its cluster)."""
    if settings.cluster_routing == "host" and order.get("cluster_host"):
        parts = urlsplit(settings.public_url)
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{order['cluster_host']}{port}"
    if settings.cluster_routing == "path" and order.get("cluster_slug"):
        return f"{settings.public_url}/c/{order['cluster_slug']}"
    return settings.public_url


def signature(order: dict[str, Any]) -> str:
    """The sign-off: the order's cluster's market ("Aylsham Cluster Market")."""
    return f"{order.get('cluster_name') or 'Cluster'} Market"
