"""Believable demo content so a newcomer sees a living site (never in production)."""

from __future__ import annotations

import datetime as dt

from clustermarket.accounts.services import create_user
from clustermarket.accounts.tables import Role, User
from clustermarket.catalogue.tables import ContentStatus, Product
from clustermarket.market.tables import MarketDay, MarketStatus
from clustermarket.schools.tables import Cluster, School
from clustermarket.settings import get_settings
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


PROJECTS = [
    # team slug, author, title, summary, body, tallies, approved by (None: left pending)
    (
        "bure-valley-eco",
        "noahw",
        "Bottle-top recycling",
        "We collect bottle tops from the whole school and send them to be made into benches.",
        "Every class has a collection tub. Each Friday the eco group counts and bags them.\n"
        "We learned that a bench needs about 2,000 tops, so we asked the other schools to help.",
        [(1240, "bottle tops", "recycled")],
        "jcole",
    ),
    (
        "bure-valley-eco",
        "ruby",
        "A hedge for the playground",
        "We planted a hedge of hawthorn, hazel and dog rose along the playground fence.",
        "A farmer gave us the whips. We dug, planted and mulched them in one afternoon.\n"
        "Next spring we will count the birds that nest there.",
        [(45, "metres of hedge", "planted"), (150, "trees", "planted")],
        "jcole",
    ),
    (
        "erpingham-bees",
        "harryp",
        "Our school garden",
        "Sunflowers, lavender and herbs: the garden that supplies our market stall.",
        "We grew everything from seed in the classroom, then planted out in May.",
        [(30, "sunflowers", "grown")],
        "pshah",
    ),
    (
        "aylsham-makers",
        "ameliab",
        "How we make our candles",
        "From melting beeswax to pouring into recycled jars.",
        "We buy beeswax from a local beekeeper and wash jars collected from families.\n"
        "Pricing lesson: a candle costs us £1.80 to make, so we sell it for £4.50.",
        [(60, "jars", "reused")],
        None,
    ),
]

# (team slug, product name or None for a project title, colours) → a drawn demo picture
PICTURES = {
    "Beeswax candle": ("#f6c453", "#8d5524"),
    "Printed tote bag": ("#e8e2d0", "#2e7d32"),
    "Bird feeder": ("#a5d6a7", "#795548"),
    "Lavender bag": ("#d1c4e9", "#6a1b9a"),
    "Bottle-top recycling": ("#bbdefb", "#d32f2f"),
    "A hedge for the playground": ("#c8e6c9", "#1b5e20"),
}


def _demo_picture(background: str, ink: str) -> bytes:
    """A simple drawn picture (no people), run through the real upload pipeline."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 600), background)
    draw = ImageDraw.Draw(image)
    for i in range(5):
        x = 120 + i * 130
        draw.ellipse((x - 50, 250 - (i % 2) * 60, x + 50, 350 - (i % 2) * 60), fill=ink)
    draw.rectangle((80, 420, 720, 470), fill=ink)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


async def _demo_projects_and_photos(users: dict[str, int], teams: dict[str, int]) -> None:
    """Projects go through the real services: draft, tallies, photos, submit, approve."""
    from clustermarket.accounts.services import load_session_user
    from clustermarket.media.services import add_photo
    from clustermarket.moderation import services as moderation
    from clustermarket.moderation.content import PRODUCT, PROJECT
    from clustermarket.projects import services as projects

    async def person(username: str):
        return await load_session_user(users[username], 0)

    for slug, author, title, summary, body, tallies, approver in PROJECTS:
        pupil = await person(author)
        team = {"id": teams[slug]}
        project_id = await projects.create_project(
            pupil, team, {"title": title, "summary": summary, "body": body}
        )
        for quantity, unit, label in tallies:
            await projects.add_tally(project_id, quantity, unit, label)
        if title in PICTURES:
            await add_photo(
                await person(approver or author),
                team_id=teams[slug],
                owner_type="project",
                owner_id=project_id,
                data=_demo_picture(*PICTURES[title]),
                alt_text=title,
            )
        await moderation.submit_for_approval(pupil, PROJECT, project_id)
        if approver:
            await moderation.approve(await person(approver), PROJECT, project_id)

    teacher_of = {"aylsham-makers": "staylor", "erpingham-bees": "pshah"}
    for row in await Product.select(Product.id, Product.name, Product.team.slug.as_alias("slug")):
        if row["name"] in PICTURES:
            await add_photo(
                await person(teacher_of[row["slug"]]),
                team_id=teams[row["slug"]],
                owner_type="product",
                owner_id=row["id"],
                data=_demo_picture(*PICTURES[row["name"]]),
                alt_text=row["name"],
            )
    # Approved products' photos are published with them.
    for row in await Product.select(Product.id).where(Product.is_public == True):
        from clustermarket.media.services import publish_draft_photos

        await publish_draft_photos(PRODUCT.name, row["id"], release_held=True)


def published(name: str, text: str, price: int, status: ContentStatus) -> dict:
    if status != ContentStatus.approved:
        return {}
    return {
        "published_name": name,
        "published_description": text,
        "published_price_pence": price,
        "is_public": True,
    }


# What each enterprise team brings to a market day: team slug → {product name: count}.
STALL_STOCK = {
    "aylsham-makers": {"Beeswax candle": 24, "Printed tote bag": 12},
    "erpingham-bees": {"Bird feeder": 15, "Lavender bag": 20, "Sunflower seed packet": 40},
}
# Last month's market: (team slug, username, product name, quantity, method) per sale.
PAST_SALES = [
    ("aylsham-makers", "ameliab", "Beeswax candle", 1, "cash"),
    ("aylsham-makers", "oliverg", "Beeswax candle", 2, "card"),
    ("aylsham-makers", "ameliab", "Printed tote bag", 1, "cash"),
    ("aylsham-makers", "isla", "Printed tote bag", 1, "card"),
    ("aylsham-makers", "ameliab", "Beeswax candle", 1, "cash"),
    ("erpingham-bees", "harryp", "Bird feeder", 3, "cash"),
    ("erpingham-bees", "freyas", "Lavender bag", 2, "cash"),
    ("erpingham-bees", "harryp", "Sunflower seed packet", 5, "card"),
    ("erpingham-bees", "freyas", "Lavender bag", 1, "card"),
]
# (team slug, kind, description, pence, on last month's market day?)
EXPENSES = [
    ("aylsham-makers", "materials", "Jars and labels", 400, True),
    ("aylsham-makers", "stall_fee", "Pitch at the farmers' market", 500, True),
    ("aylsham-makers", "startup", "Start-up loan from the PTA", 5000, False),
    ("erpingham-bees", "materials", "Cotton bags and string", 600, True),
    ("erpingham-bees", "stall_fee", "Pitch at the farmers' market", 500, True),
]


async def _cluster_of(account_id: int) -> int:
    """The cluster an account is in: groups and ballots belong to one (issue 15)."""
    row = await User.select(User.cluster).where(User.id == account_id).first()
    return int(row["cluster"])


async def load_demo_market(cluster_id: int, teams: dict[str, int], users: dict[str, int]) -> None:
    """Stalls with stock on the next market day, and last month's market run through the
    stall screen's own services, so reports and profit and loss show real figures."""
    from clustermarket.accounts.services import load_session_user
    from clustermarket.market.sales import close_stall, open_stall, record_sale, stall_takings
    from clustermarket.market.services import set_stock, stall_for_worker
    from clustermarket.market.tables import Expense, Sale, Stall

    products = {p["name"]: p["id"] for p in await Product.select(Product.id, Product.name)}
    today = today_uk()
    past_date = first_saturday_of_next_month(today - dt.timedelta(days=62))
    next_day = await MarketDay.select(MarketDay.id).where(MarketDay.date > today).first()
    rows = await MarketDay.insert(
        MarketDay(
            cluster=cluster_id,
            date=past_date,
            location="Aylsham Market Place",
            opens=dt.time(9, 0),
            closes=dt.time(13, 0),
            status=MarketStatus.open,
        )
    ).returning(MarketDay.id)
    past_day = rows[0]["id"]
    admin = await load_session_user(users["admin"], 0)
    stalls: dict[tuple[int, str], dict] = {}
    for day_id in (next_day["id"], past_day):
        for slug, stock in STALL_STOCK.items():
            made = await Stall.insert(
                Stall(market_day=day_id, team=teams[slug], pitch="")
            ).returning(Stall.id)
            stall = await stall_for_worker(admin, made[0]["id"])
            await set_stock(stall, {products[name]: count for name, count in stock.items()})
            stalls[(day_id, slug)] = stall
    for slug in STALL_STOCK:
        await open_stall(stalls[(past_day, slug)], 2000)
    for i, (slug, username, name, quantity, method) in enumerate(PAST_SALES):
        seller = await load_session_user(users[username], 0)
        await record_sale(
            seller,
            stalls[(past_day, slug)]["id"],
            products[name],
            quantity,
            method,
            f"00000000-0000-4000-8000-{i:012d}",
        )
    for slug in STALL_STOCK:
        stall = await stall_for_worker(admin, stalls[(past_day, slug)]["id"])
        takings = await stall_takings(stall["id"])
        await close_stall(stall, 2000 + takings["cash"] - (50 if slug == "erpingham-bees" else 0))
    at_ten = dt.datetime.combine(past_date, dt.time(10, 0), tzinfo=dt.UTC)
    past_stalls = [stalls[(past_day, slug)]["id"] for slug in STALL_STOCK]
    await Sale.update({Sale.recorded_at: at_ten}).where(Sale.stall.is_in(past_stalls))
    await Stall.update({Stall.opened_at: at_ten}).where(Stall.market_day == past_day)
    await MarketDay.update({MarketDay.status: MarketStatus.closed}).where(MarketDay.id == past_day)
    await Expense.insert(
        *[
            Expense(
                team=teams[slug],
                market_day=past_day if on_day else None,
                kind=kind,
                description=text,
                amount_pence=pence,
                recorded_by=users["admin"],
                recorded_at=now(),
            )
            for slug, kind, text, pence, on_day in EXPENSES
        ]
    )


def first_saturday_of_next_month(today: dt.date) -> dt.date:
    first = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return first + dt.timedelta(days=(5 - first.weekday()) % 7)


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

    await _demo_projects_and_photos(users, teams)

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
    await _demo_sharing(users, teams, schools)
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


async def _demo_sharing(
    users: dict[str, int], teams: dict[str, int], schools: dict[str, int]
) -> None:
    """Ideas with comments and reactions across schools, one idea waiting for a teacher, an
    open pitch round with feedback, community groups (one approved, one waiting), an open
    ballot and a closed one with its result."""
    from clustermarket.coop.tables import CommunityGroup, GroupStatus
    from clustermarket.sharing.tables import (
        Comment,
        Idea,
        PitchEntry,
        PitchFeedback,
        PitchRound,
        Reaction,
    )

    created = now()
    school_of = {u: s for _, u, _, _, _, s, _ in PEOPLE}
    approved = {"status": ContentStatus.approved, "is_public": True}

    async def idea(author: str, tag: str, title: str, body: str, **state) -> int:
        shown = {} if state else {"published_title": title, "published_body": body}
        rows = await Idea.insert(
            Idea(
                author=users[author],
                school=schools[school_of[author]],
                tag=tag,
                title=title,
                body=body,
                created_at=created,
                submitted_at=created,
                **(state or approved),
                **shown,
            )
        ).returning(Idea.id)
        return rows[0]["id"]

    compost = await idea(
        "ameliab",
        "eco",
        "A cluster compost bin at the market",
        "Every stall makes cardboard and fruit waste. We could compost it for the school gardens.",
    )
    swap = await idea(
        "noahw",
        "enterprise",
        "Swap shop for school uniform",
        "Pupils bring uniform they have grown out of; we sell it for 50p and give it to the PTA.",
    )
    await idea(
        "staylor",
        "general",
        "Stall rota for the Christmas market",
        "Shall we share one big stall so every school can take an hour?",
    )
    await idea(
        "freyas",
        "eco",
        "Bee hotels from old canes",
        "We could make bee hotels and sell them.",
        status=ContentStatus.pending,
        is_public=False,
    )

    def comment(author: str, target: str, target_id: int, receiving: str, body: str) -> Comment:
        return Comment(
            target_type=target,
            target_id=target_id,
            author=users[author],
            school=schools[school_of[author]],
            receiving_school=schools[receiving],
            body=body,
            published_body=body,
            created_at=created,
            submitted_at=created,
            **approved,
        )

    await Comment.insert(
        comment("harryp", "idea", compost, "aylsham-high", "Our garden would love the compost!"),
        comment("jcole", "idea", compost, "aylsham-high", "Bure Valley can bring a second bin."),
        comment("ameliab", "idea", swap, "bure-valley", "Could we sell school bags too?"),
    )
    await Reaction.insert(
        *[
            Reaction(idea=i, user=users[u], kind=k)
            for i, u, k in (
                (compost, "noahw", "like"),
                (compost, "harryp", "clever"),
                (compost, "jpatel", "helpful"),
                (swap, "ameliab", "like"),
                (swap, "staylor", "helpful"),
            )
        ]
    )

    market_day = await MarketDay.select(MarketDay.id).order_by(MarketDay.date).first()
    rows = await PitchRound.insert(
        PitchRound(
            title="Pitch round before the next market",
            market_day=market_day["id"] if market_day else None,
            closes_at=created + dt.timedelta(days=7),
            created_by=users["admin"],
            created_at=created,
        )
    ).returning(PitchRound.id)
    product = (
        await Product.select(Product.id)
        .where((Product.team == teams["aylsham-makers"]) & (Product.is_public == True))
        .first()
    )
    if product:
        entry = await PitchEntry.insert(
            PitchEntry(
                round=rows[0]["id"],
                team=teams["aylsham-makers"],
                product=product["id"],
                question="Is the price right for the market?",
                created_by=users["ameliab"],
                created_at=created,
            )
        ).returning(PitchEntry.id)

        def feedback(author: str, works: str, better: str, **state) -> PitchFeedback:
            shown = (
                {} if state else {"published_works_well": works, "published_even_better_if": better}
            )
            return PitchFeedback(
                entry=entry[0]["id"],
                author=users[author],
                school=schools[school_of[author]],
                receiving_school=schools["aylsham-high"],
                works_well=works,
                even_better_if=better,
                created_at=created,
                submitted_at=created,
                **(state or approved),
                **shown,
            )

        await PitchFeedback.insert(
            feedback("noahw", "It smells lovely and the jar is pretty.", "it had a lid."),
            feedback(
                "harryp",
                "Good price.",
                "there was a smaller one for pocket money.",
                status=ContentStatus.pending,
                is_public=False,
            ),
        )

    admin_cluster = await _cluster_of(users["admin"])
    await CommunityGroup.insert(
        CommunityGroup(
            cluster=admin_cluster,
            name="Aylsham Allotment Society",
            name_key="aylshamallotmentsociety",
            contact_name="Pat Green",
            contact_email="allotments@example.org",
            offers="Seedlings for the eco groups and a composting talk each spring.",
            status=GroupStatus.approved,
            decided_by=users["admin"],
            created_at=created,
            decided_at=created,
        ),
        CommunityGroup(
            cluster=admin_cluster,
            name="Aylsham Rotary Club",
            name_key="aylshamrotaryclub",
            contact_name="Chris Dunn",
            contact_email="rotary@example.org",
            offers="Volunteers for the Family Learning Day and a stall at the summer market.",
            created_at=created,
        ),
    )
    await _demo_ballot(
        "Should the cluster buy a compost bin for the market?",
        ("Yes", "No"),
        {"jpatel": 0},
        idea=compost,
        opens=created,
        closes=created + dt.timedelta(days=14),
        admin=users["admin"],
        users=users,
    )
    await _demo_ballot(
        "Which charity should the summer market support?",
        ("Aylsham Food Bank", "Norfolk Wildlife Trust", "East Anglia's Children's Hospices"),
        {"jpatel": 0, "staylor": 1, "ameliab": 0, "harryp": 2},
        idea=None,
        opens=created - dt.timedelta(days=21),
        closes=created - dt.timedelta(days=7),
        admin=users["admin"],
        users=users,
    )


async def _demo_ballot(
    question: str,
    labels: tuple[str, ...],
    votes: dict[str, int],
    *,
    idea: int | None,
    opens: dt.datetime,
    closes: dt.datetime,
    admin: int,
    users: dict[str, int],
) -> None:
    from clustermarket.coop.tables import Ballot, BallotOption, Vote

    [ballot] = await Ballot.insert(
        Ballot(
            question=question,
            idea=idea,
            opens_at=opens,
            closes_at=closes,
            created_by=admin,
            created_at=opens,
            cluster=await _cluster_of(admin),
        )
    ).returning(Ballot.id)
    options = await BallotOption.insert(
        *[BallotOption(ballot=ballot["id"], label=lab, position=n) for n, lab in enumerate(labels)]
    ).returning(BallotOption.id)
    await Vote.insert(
        *[
            Vote(
                ballot=ballot["id"],
                option=options[choice]["id"],
                member=users[who],
                created_at=opens,
            )
            for who, choice in votes.items()
        ]
    )
