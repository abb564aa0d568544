"""The platform admin's work (issue 15): a new cluster, its schools and its first cluster admin.

A platform admin (role `platform`) is an account of one cluster like everyone, with a cluster
admin's powers there; above the cluster admins, they create clusters at /platform/clusters (on
their own cluster's address). The command line does the same (`python -m clustermarket cluster
create`); both go through these functions."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from piccolo.query.functions.aggregate import Count

from clustermarket.accounts.class_lists import first_free
from clustermarket.accounts.passwords import generate_password
from clustermarket.accounts.services import AccountError, CurrentUser, create_user
from clustermarket.accounts.tables import Role, User
from clustermarket.moderation.log import log_action
from clustermarket.rows import MAX_ROW_ID
from clustermarket.schools.tables import Cluster, Phase, School
from clustermarket.transactions import write_transaction
from clustermarket.web.clusters import reload_clusters
from clustermarket.web.pagination import Page, paginate

CLUSTER_SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
# A DNS host name: labels of letters, digits and inner dashes, dot-separated, lower-case.
HOST_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
NAME_MAX = 120
CLUSTERS_PER_PAGE = 20


class ClusterError(Exception):
    """The cluster or school cannot be made as asked; the message says why."""


@dataclass(frozen=True)
class NewCluster:
    id: int
    slug: str
    name: str
    host: str | None
    admin_username: str
    admin_password: str  # shown once, never stored in clear


def clean_name(text: str, what: str) -> str:
    name = " ".join(text.split())
    if not name:
        raise ClusterError(f"Give the {what} a name.")
    if len(name) > NAME_MAX:
        raise ClusterError(f"A {what}'s name is at most {NAME_MAX} characters.")
    return name


def parse_phase(text: str) -> Phase:
    try:
        return Phase(text.strip().lower())
    except ValueError:
        raise ClusterError(
            f"A school's phase is one of {', '.join(p.value for p in Phase)}."
        ) from None


async def _check_new_cluster(slug: str, host: str | None) -> None:
    if not CLUSTER_SLUG_RE.match(slug):
        raise ClusterError(
            "A cluster's short name is 1 to 40 lower-case letters, digits and dashes "
            "(it appears in addresses: /c/<short name>/)."
        )
    if await Cluster.exists().where(Cluster.slug == slug):
        raise ClusterError(f"There is already a cluster called {slug}.")
    if host is not None:
        if not HOST_RE.match(host):
            raise ClusterError(f"{host} is not a host name like market.example.org.")
        if await Cluster.exists().where(Cluster.host == host):
            raise ClusterError(f"Another cluster already has the host {host}.")


async def create_cluster(
    *,
    name: str,
    slug: str,
    host: str | None,
    admin_username: str,
    admin_first_name: str,
    admin_last_name: str,
    admin_password: str | None = None,
    schools: list[tuple[str, str]] = (),  # type: ignore[assignment]
    actor: CurrentUser | None = None,
) -> NewCluster:
    """The cluster, its schools (name, phase) and its first cluster admin, all or nothing."""
    name = clean_name(name, "cluster")
    slug = slug.strip().lower()
    host = host.strip().lower().rstrip(".") or None if host else None
    parsed = [(clean_name(s, "school"), parse_phase(p)) for s, p in schools]
    password = admin_password or generate_password()
    async with write_transaction():
        await _check_new_cluster(slug, host)
        [row] = await Cluster.insert(Cluster(name=name, slug=slug, host=host)).returning(Cluster.id)
        for school_name, phase in parsed:
            await _insert_school(row["id"], slug, school_name, phase)
        try:
            admin_id = await create_user(
                username=admin_username,
                password=password,
                role=Role.admin,
                first_name=admin_first_name.strip() or "Cluster",
                last_name=admin_last_name.strip() or "Admin",
                cluster_id=row["id"],
            )
        except AccountError as error:
            raise ClusterError(str(error)) from None
        await log_action(
            actor_id=actor.id if actor else None,
            action="cluster.create",
            subject_type="cluster",
            subject_id=row["id"],
            subject_label=f"{name} ({slug}); first admin #{admin_id}",
            school_id=None,
        )
    await reload_clusters()  # every worker serves it within a second, whatever its name
    return NewCluster(row["id"], slug, name, host, admin_username.strip().lower(), password)


async def _insert_school(cluster_id: int, cluster_slug: str, name: str, phase: Phase) -> int:
    # School slugs are unique across the installation, so an address never changes meaning
    # and a slug is one school: a clash gets the cluster's short name ("st-marys-broadland").
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    plain = plain.replace("'", "")  # "St Mary's" as "St Mary’s" (dropped above): st-marys
    base = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:40] or "school"
    taken = {
        r["slug"] for r in await School.select(School.slug).where(School.slug.like(f"{base}%"))
    }
    slug = base if base not in taken else first_free(f"{base}-{cluster_slug}"[:55], taken)
    [row] = await School.insert(
        School(cluster=cluster_id, name=name, slug=slug, phase=phase)
    ).returning(School.id)
    return row["id"]


async def cluster_exists(cluster_id: int) -> bool:
    return 0 < cluster_id <= MAX_ROW_ID and await Cluster.exists().where(Cluster.id == cluster_id)


async def add_school(actor: CurrentUser | None, cluster_id: int, name: str, phase: str) -> int:
    """A school for an existing cluster."""
    school_name, school_phase = clean_name(name, "school"), parse_phase(phase)
    async with write_transaction():
        cluster = await Cluster.select(Cluster.slug).where(Cluster.id == cluster_id).first()
        if cluster is None:
            raise ClusterError("There is no such cluster.")
        school_id = await _insert_school(cluster_id, cluster["slug"], school_name, school_phase)
        await log_action(
            actor_id=actor.id if actor else None,
            action="school.create",
            subject_type="school",
            subject_id=school_id,
            subject_label=school_name,
            school_id=school_id,
        )
    return school_id


async def clusters_overview(number: int = 1) -> Page:
    """A page of the clusters, by name, with their schools and numbers of accounts: four
    queries, whether the installation has 2 clusters or 300."""
    page = await paginate(
        Cluster.select(Cluster.id, Cluster.name, Cluster.slug, Cluster.host).order_by(
            Cluster.name, Cluster.id
        ),
        await Cluster.count(),
        number,
        size=CLUSTERS_PER_PAGE,
        path="/platform/clusters",
    )
    ids = [c["id"] for c in page.items]
    if not ids:
        return page
    by_cluster: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    schools = School.select(School.cluster, School.name, School.phase).where(
        School.cluster.is_in(ids)
    )
    for school in await schools.order_by(School.name):
        by_cluster[school["cluster"]].append(school)
    accounts = User.select(User.cluster, Count(User.id, alias="n")).where(User.cluster.is_in(ids))
    counts = {r["cluster"]: r["n"] for r in await accounts.group_by(User.cluster)}
    for cluster in page.items:
        cluster["schools"] = by_cluster[cluster["id"]]
        cluster["accounts"] = counts.get(cluster["id"], 0)
    return page


async def page_of_cluster(cluster_id: int) -> int:
    """The page of /platform/clusters that shows this cluster (by name, then id)."""
    row = await Cluster.select(Cluster.name).where(Cluster.id == cluster_id).first()
    if row is None:
        return 1
    before = await Cluster.count().where(
        (Cluster.name < row["name"]) | ((Cluster.name == row["name"]) & (Cluster.id < cluster_id))
    )
    return before // CLUSTERS_PER_PAGE + 1


async def cluster_id_for(slug: str = "") -> int:
    """The cluster of that short name, or without one the installation's first."""
    query = Cluster.select(Cluster.id).order_by(Cluster.id)
    row = await (query.where(Cluster.slug == slug.strip().lower()) if slug else query).first()
    if row is None:
        raise AccountError(f"There is no cluster called {slug}." if slug else "No cluster yet.")
    return row["id"]
