"""Believable demo content so a newcomer sees a living site (never in production)."""

from __future__ import annotations

import datetime as dt

from clustermarket.accounts.services import create_user
from clustermarket.accounts.tables import Role, User
from clustermarket.catalogue.tables import ContentStatus, Product
from clustermarket.coop.demo import load_demo_coop
from clustermarket.market.demo import first_saturday_of_next_month, load_demo_market
from clustermarket.market.tables import MarketDay, MarketStatus
from clustermarket.projects.demo import load_demo_projects_and_photos
from clustermarket.schools.tables import Cluster, School
from clustermarket.settings import get_settings
from clustermarket.sharing.demo import load_demo_sharing
from clustermarket.teams.tables import MemberRole, Team, TeamKind, TeamMember
from clustermarket.timeutil import now, today_uk

# (role, username, password, first, last, school slug, year group)
PEOPLE = [
    ("admin", "admin", "cluster-admin-demo", "Alex", "Morgan", None, None),
    ("teacher", "staylor", "teacher-demo-1", "Sarah", "Taylor", "aylsham-high", None),
    ("teacher", "jcole", "teacher-demo-2", "James", "Cole", "bure-valley", None),
    ("teacher", "pshah", "teacher-demo-3", "Priya", "Shah", "erpingham", None),
    ("pupil", "ameliab", "apple-otter-12", "Amelia", "Brown", "aylsham-high", 9),
    ("pupil", "oliverg", "comet-maple-34", "Oliver", "Green", "aylsham-high", 9),
    ("pupil", "isla", "river-puffin-56", "Isla", "Wright", "aylsham-high", 10),
    ("pupil", "noahw", "daisy-rocket-21", "Noah", "Walker", "bure-valley", 5),
    ("pupil", "ruby", "tiger-melon-43", "Ruby", "Hughes", "bure-valley", 6),
    ("pupil", "harryp", "robin-cake-65", "Harry", "Price", "erpingham", 6),
    ("pupil", "freyas", "honey-wave-87", "Freya", "Scott", "erpingham", 5),
    ("community", "jpatel", "parent-demo-1", "Jaya", "Patel", None, None),
]

TEAMS = [
    # slug, school, name, kind, description, members (username, role)
    (
        "aylsham-makers",
        "aylsham-high",
        "Aylsham Makers",
        TeamKind.enterprise,
        "Year 9 and 10 makers: candles, tote bags and cards, all made in our DT room.",
        [
            ("ameliab", MemberRole.leader),
            ("oliverg", MemberRole.member),
            ("isla", MemberRole.member),
            ("staylor", MemberRole.supervisor),
        ],
    ),
    (
        "bure-valley-eco",
        "bure-valley",
        "Bure Valley Eco Warriors",
        TeamKind.eco,
        "We count litter, plant hedges and run the school's bottle-top recycling.",
        [
            ("noahw", MemberRole.leader),
            ("ruby", MemberRole.member),
            ("jcole", MemberRole.supervisor),
        ],
    ),
    (
        "erpingham-bees",
        "erpingham",
        "Erpingham Busy Bees",
        TeamKind.enterprise,
        "Bird feeders, lavender bags and seed packets from our school garden.",
        [
            ("harryp", MemberRole.leader),
            ("freyas", MemberRole.member),
            ("pshah", MemberRole.supervisor),
        ],
    ),
]

PRODUCTS = [
    # team slug, name, description, price, unit cost, status
    (
        "aylsham-makers",
        "Beeswax candle",
        "Hand-poured candle in a recycled jar; burns for about 20 hours.",
        450,
        180,
        ContentStatus.approved,
    ),
    (
        "aylsham-makers",
        "Printed tote bag",
        "Cotton tote with our lino-print design of Aylsham church.",
        600,
        250,
        ContentStatus.approved,
    ),
    (
        "aylsham-makers",
        "Greetings cards (pack of 4)",
        "Watercolour cards of the Bure valley, with envelopes.",
        350,
        90,
        ContentStatus.pending,
    ),
    (
        "erpingham-bees",
        "Bird feeder",
        "Pine-cone and seed feeder, ready to hang.",
        300,
        60,
        ContentStatus.approved,
    ),
    (
        "erpingham-bees",
        "Lavender bag",
        "Dried lavender from our garden in a cotton bag.",
        200,
        45,
        ContentStatus.approved,
    ),
    (
        "erpingham-bees",
        "Sunflower seed packet",
        "Seeds saved from last summer's giant sunflowers.",
        100,
        10,
        ContentStatus.approved,
    ),
]


def published(name: str, text: str, price: int, status: ContentStatus) -> dict:
    if status != ContentStatus.approved:
        return {}
    return {
        "published_name": name,
        "published_description": text,
        "published_price_pence": price,
        "is_public": True,
    }


async def load_demo_data(only_if_empty: bool = False) -> list[tuple[str, str, str, str]] | None:
    if get_settings().production:
        raise RuntimeError("Demo data is never loaded in production.")
    if only_if_empty and await User.count() > 0:
        return None

    cluster_id = (await Cluster.select(Cluster.id).where(Cluster.slug == "aylsham").first())["id"]
    schools = {
        s["slug"]: s["id"]
        for s in await School.select(School.id, School.slug).where(School.cluster == cluster_id)
    }
    users: dict[str, int] = {}
    signins = []
    for role, username, password, first, last, school, year in PEOPLE:
        users[username] = await create_user(
            username=username,
            password=password,
            role=Role(role),
            first_name=first,
            last_name=last,
            school_id=schools[school] if school else None,
            year_group=year,
            cluster_id=cluster_id,
        )
        where = next((k for k, v in schools.items() if school == k), "")
        signins.append(
            (role, username, password, f"{first} {last}" + (f", {where}" if where else ""))
        )
    # The demo pupils' teachers have recorded photo consent for two of them.
    await User.update({User.photo_consent: True}).where(User.username.is_in(["ameliab", "harryp"]))

    created = now()
    teams: dict[str, int] = {}
    for slug, school, name, kind, description, members in TEAMS:
        rows = await Team.insert(
            Team(
                school=schools[school],
                name=name,
                slug=slug,
                kind=kind,
                description=description,
                created_at=created,
            )
        ).returning(Team.id)
        teams[slug] = rows[0]["id"]
        await TeamMember.insert(
            *[TeamMember(team=teams[slug], user=users[u], role=r) for u, r in members]
        )

    leader_of = {t[0]: users[t[5][0][0]] for t in TEAMS}
    await Product.insert(
        *[
            Product(
                team=teams[team],
                name=name,
                description=text,
                price_pence=price,
                unit_cost_pence=cost,
                status=status,
                created_by=leader_of[team],
                created_at=created,
                updated_at=created,
                submitted_at=created,
                **published(name, text, price, status),
            )
            for team, name, text, price, cost, status in PRODUCTS
        ]
    )

    await load_demo_projects_and_photos(users, teams)

    await MarketDay.insert(
        MarketDay(
            cluster=cluster_id,
            date=first_saturday_of_next_month(today_uk()),
            location="Aylsham Market Place",
            opens=dt.time(9, 0),
            closes=dt.time(13, 0),
            status=MarketStatus.planned,
        )
    )
    await load_demo_market(cluster_id, teams, users)
    school_of = {u: s for _, u, _, _, _, s, _ in PEOPLE}
    compost = await load_demo_sharing(users, teams, schools, school_of)
    await load_demo_coop(users, compost)
    from clustermarket.calendar.demo import load_demo_events  # issue 13 item 5

    await load_demo_events(users, schools)
    from clustermarket.forum.demo import load_demo_forum  # issue 13 item 4

    await load_demo_forum(users)
    from clustermarket.accounts.demo_classes import load_demo_classes  # issue 12
    from clustermarket.orders.demo import load_demo_orders  # issue 6: a reserved pre-order

    signins += await load_demo_classes(schools)
    await load_demo_orders(
        (
            await MarketDay.select(MarketDay.id)
            .where(MarketDay.status == MarketStatus.planned)
            .first()
        )["id"]
    )
    return signins
