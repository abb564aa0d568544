"""`demo --second-cluster`: a fictional second cluster beside Aylsham, to try many clusters."""

from __future__ import annotations

from clustermarket.accounts.services import create_user
from clustermarket.accounts.tables import Role
from clustermarket.catalogue.tables import ContentStatus, Product
from clustermarket.clusters.services import create_cluster
from clustermarket.schools.tables import Cluster, School
from clustermarket.teams.tables import MemberRole, Team, TeamKind, TeamMember
from clustermarket.timeutil import now

SLUG = "marshwick"
ADMIN_PASSWORD = "marshwick-admin-demo"
SCHOOLS = [
    ("Marshwick High School", "high"),
    ("Fenley Primary School", "primary"),
    ("Saltings Infant School", "infant"),
]
# The same usernames as in Aylsham on purpose: usernames are per cluster.
PEOPLE = [
    ("teacher", "staylor", "marshwick-teacher-1", "Sam", "Tyler", "marshwick-high-school"),
    ("pupil", "ameliab", "heron-kite-17", "Amelie", "Baker", "marshwick-high-school"),
]
PRODUCTS = [("Driftwood coaster", "Sanded and oiled by hand.", 350, 90)]


async def load_second_cluster(host: str | None = None) -> list[tuple[str, str, str, str]] | None:
    """The Marshwick cluster (fictional): three schools, an admin, a teacher, a pupil and a
    team with a product on sale; None when it is there already."""
    if await Cluster.exists().where(Cluster.slug == SLUG):
        return None
    made = await create_cluster(
        name="Marshwick Cluster (demo)",
        slug=SLUG,
        host=host,
        admin_username="admin",
        admin_first_name="Morgan",
        admin_last_name="Reed",
        admin_password=ADMIN_PASSWORD,
        schools=SCHOOLS,
    )
    schools = {
        s["slug"]: s["id"]
        for s in await School.select(School.id, School.slug).where(School.cluster == made.id)
    }
    signins = [("admin", "admin", ADMIN_PASSWORD, "Morgan Reed, Marshwick")]
    users = {}
    for role, username, password, first, last, school in PEOPLE:
        users[username] = await create_user(
            username=username,
            password=password,
            role=Role(role),
            first_name=first,
            last_name=last,
            school_id=schools[school],
        )
        signins.append((role, username, password, f"{first} {last}, Marshwick"))
    stamp = now()
    [team] = await Team.insert(
        Team(
            school=schools["marshwick-high-school"],
            name="Marshwick Driftwood",
            slug="marshwick-driftwood",
            kind=TeamKind.enterprise,
            description="Coasters and hooks from wood washed up on the marsh.",
            created_at=stamp,
        )
    ).returning(Team.id)
    await TeamMember.insert(
        TeamMember(team=team["id"], user=users["ameliab"], role=MemberRole.leader),
        TeamMember(team=team["id"], user=users["staylor"], role=MemberRole.supervisor),
    )
    await Product.insert(
        *[
            Product(
                team=team["id"],
                name=name,
                description=text,
                price_pence=price,
                unit_cost_pence=cost,
                status=ContentStatus.approved,
                created_by=users["ameliab"],
                created_at=stamp,
                updated_at=stamp,
                submitted_at=stamp,
                published_name=name,
                published_description=text,
                published_price_pence=price,
                is_public=True,
            )
            for name, text, price, cost in PRODUCTS
        ]
    )
    return signins
