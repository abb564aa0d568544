"""A cluster admin sets up their own cluster (issue 15): its name, its market's name and place,
its two colours and its logo. `add_school` (clusters/services.py) adds its schools.

Colours are `#rrggbb`; both carry white text (the header, buttons), so each must reach WCAG's
4.5:1 against white or is refused with the ratio it has. The logo goes through the one image
pipeline (media/images.py: re-encoded, metadata dropped) and lives in the cluster's media
folder. Every change is in the moderation log, retires the cached public pages (the write
transaction changes the content version) and reloads this process's clusters, so the next
page shows it."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from clustermarket.accounts.services import CurrentUser
from clustermarket.clusters.services import ClusterError, clean_name
from clustermarket.media.images import clean_upload
from clustermarket.media.services import media_dir
from clustermarket.moderation.log import log_action
from clustermarket.schools.tables import Cluster
from clustermarket.transactions import write_transaction
from clustermarket.web.clusters import reload_clusters

HEX_RE = re.compile(r"^#?([0-9a-f]{6})$")
MIN_CONTRAST = 4.5  # WCAG 2.2 AA, normal text
PLACE_MAX = 200
LOGO_NAME_RE = re.compile(r"^logo-[A-Za-z0-9_-]{24}\.jpg$")


@dataclass
class ClusterSettings:
    name: str = ""
    market_name: str = ""
    market_place: str = ""
    colour_primary: str = ""
    colour_accent: str = ""


def _luminance(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_with_white(colour: str) -> float:
    """WCAG's contrast ratio of white text on this `#rrggbb` colour (1 to 21)."""
    return 1.05 / (_luminance(colour) + 0.05)


def parse_colour(text: str, what: str) -> str:
    """`#rrggbb` (lower-case), or "" for the site's own colour."""
    text = text.strip().lower()
    if not text:
        return ""
    match = HEX_RE.match(text)
    if match is None:
        raise ClusterError(f"The {what} must be a colour like #1b5e20 (# and six hex digits).")
    colour = "#" + match[1]
    ratio = contrast_with_white(colour)
    if ratio < MIN_CONTRAST:
        raise ClusterError(
            f"White text on the {what} {colour} has a contrast of {ratio:.1f}:1; it needs at "
            f"least {MIN_CONTRAST}:1 to be readable. Choose a darker colour."
        )
    return colour


def _place(text: str, what: str, limit: int) -> str:
    value = " ".join(text.split())
    if len(value) > limit:
        raise ClusterError(f"The {what} is at most {limit} characters.")
    return value


async def save_settings(actor: CurrentUser, cluster_id: int, form: ClusterSettings) -> None:
    values = {
        Cluster.name: clean_name(form.name, "cluster"),
        Cluster.market_name: _place(form.market_name, "market's name", 120),
        Cluster.market_place: _place(form.market_place, "market's place", PLACE_MAX),
        Cluster.colour_primary: parse_colour(form.colour_primary, "main colour"),
        Cluster.colour_accent: parse_colour(form.colour_accent, "dark colour"),
    }
    async with write_transaction():
        await Cluster.update(values).where(Cluster.id == cluster_id)
        await _log(
            actor, cluster_id, "cluster.settings", "; ".join(str(v) for v in values.values())
        )
    await reload_clusters()


async def set_logo(actor: CurrentUser, cluster_id: int, data: bytes) -> str:
    """The logo as the image pipeline cleans it (raises ImageRejected); the old one goes."""
    clean = await clean_upload(data)
    row = await Cluster.select(Cluster.slug, Cluster.logo_name).where(Cluster.id == cluster_id)
    folder = media_dir() / row[0]["slug"]
    folder.mkdir(exist_ok=True)
    name = f"logo-{secrets.token_urlsafe(18)}.jpg"
    (folder / name).write_bytes(clean.thumb)  # at most 480 px: plenty for a 40 px header
    async with write_transaction():
        await Cluster.update({Cluster.logo_name: name}).where(Cluster.id == cluster_id)
        await _log(actor, cluster_id, "cluster.logo", name)
    _remove_file(row[0]["slug"], row[0]["logo_name"])
    await reload_clusters()
    return name


async def remove_logo(actor: CurrentUser, cluster_id: int) -> None:
    row = await Cluster.select(Cluster.slug, Cluster.logo_name).where(Cluster.id == cluster_id)
    async with write_transaction():
        await Cluster.update({Cluster.logo_name: ""}).where(Cluster.id == cluster_id)
        await _log(actor, cluster_id, "cluster.logo_remove", row[0]["logo_name"])
    _remove_file(row[0]["slug"], row[0]["logo_name"])
    await reload_clusters()


def logo_path(cluster_slug: str, name: str):
    return media_dir() / cluster_slug / name


def _remove_file(cluster_slug: str, name: str) -> None:
    if LOGO_NAME_RE.match(name or ""):
        logo_path(cluster_slug, name).unlink(missing_ok=True)


async def _log(actor: CurrentUser, cluster_id: int, action: str, label: str) -> None:
    await log_action(
        actor_id=actor.id,
        action=action,
        subject_type="cluster",
        subject_id=cluster_id,
        subject_label=label,
        school_id=None,
    )


def stylesheet(primary: str, accent: str) -> str:
    """The cluster's colours as the site's custom properties (static/css/site.css)."""
    rules = []
    if primary:
        rules.append(f"--green: {primary};")
    if accent:
        rules.append(f"--green-dark: {accent};")
    return ":root { " + " ".join(rules) + " }\n"
