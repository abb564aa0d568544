"""The audit's world: the demo data (three schools, their teams, products, projects, photos,
stalls, sales, ideas, pitch round, co-op groups and ballots, orders) plus one signed-in
client per role.

Side "A" is Aylsham High (its team Aylsham Makers); side "B" is another school, Erpingham
(Erpingham Busy Bees). Every numeric path id of a route has an A row and a B row here."""

from __future__ import annotations

import copy
import hashlib
import shutil
from dataclasses import dataclass, field
from typing import Any

from litestar.testing import AsyncTestClient

from clustermarket.accounts.services import load_session_user
from clustermarket.accounts.tables import Role, User
from clustermarket.catalogue.tables import Product
from clustermarket.coop.tables import Ballot, CommunityGroup
from clustermarket.demo import PEOPLE, load_demo_data
from clustermarket.market.sales import open_stall, record_sale
from clustermarket.market.services import stall_for_worker
from clustermarket.market.tables import MarketDay, MarketStatus, Sale, Stall, StallStock
from clustermarket.media.services import media_dir
from clustermarket.media.tables import Photo
from clustermarket.orders.services import place_order
from clustermarket.orders.tables import Order, OrderLine
from clustermarket.projects.tables import ImpactTally, Project
from clustermarket.sharing.tables import Comment, Idea, PitchEntry, PitchFeedback, PitchRound
from clustermarket.teams.tables import Team
from clustermarket.timeutil import now
from tests.audit.later_rows import later_rows, own_words_rows
from tests.conftest import _tables, make_user, post_form

# The eight roles of the matrix: name -> demo username (None: a visitor).
ROLES = {
    "anonymous": None,
    "community": "jpatel",
    "pupil_a": "ameliab",  # a pupil of team A (Aylsham Makers, Aylsham High)
    "pupil_b": "harryp",  # a pupil of another school (Erpingham)
    "teacher_a": "staylor",  # a teacher of school A
    "teacher_b": "pshah",  # a teacher of another school
    "admin": "admin",
    "platform": "root",  # a platform admin of the same cluster (issue 15), made below
}
PASSWORDS = {person[1]: person[2] for person in PEOPLE} | {"root": "platform-audit-1"}
TEAM_SLUGS = {"A": "aylsham-makers", "B": "erpingham-bees"}


@dataclass
class World:
    ids: dict[str, Any]  # side ("A"/"B") -> path parameter name -> value
    clients: dict[str, AsyncTestClient] = field(default_factory=dict)


async def _first(query: Any, what: str) -> Any:
    row = await query.first()
    assert row is not None, f"the audit world has no {what}"
    return row["id"]


async def _owner_with_photo(table: Any, team_id: int, owner_type: str) -> int:
    """The team's first product (or project) that has a photo, else its first one."""
    public = table.select(table.id).where((table.team == team_id) & (table.is_public == True))
    with_photo = (
        await Photo.select(Photo.owner_id)
        .where(
            (Photo.team == team_id)
            & (Photo.owner_type == owner_type)
            & Photo.owner_id.is_in(public)
        )
        .first()
        or await Photo.select(Photo.owner_id)
        .where((Photo.team == team_id) & (Photo.owner_type == owner_type))
        .first()
    )
    if with_photo:
        return with_photo["owner_id"]
    return await _first(
        table.select(table.id).where(table.team == team_id).order_by(table.id),
        f"{owner_type} of team {team_id}",
    )


async def _photo_of(team_id: int, owner_type: str, owner_id: int) -> int:
    """A photo of that product or project; one is added when the demo has none."""
    where = (
        (Photo.team == team_id) & (Photo.owner_type == owner_type) & (Photo.owner_id == owner_id)
    )
    if not await Photo.exists().where(where):
        from clustermarket.media.services import add_photo
        from tests.conftest import png_bytes

        admin = await User.select(User.id).where(User.username == "admin").first()
        await add_photo(
            await load_session_user(admin["id"], 0),
            team_id=team_id,
            owner_type=owner_type,
            owner_id=owner_id,
            data=png_bytes(),
            alt_text="audit",
        )
    return await _first(Photo.select(Photo.id).where(where), f"{owner_type} photo")


async def _side(side: str, day_id: int) -> dict[str, Any]:
    team = (
        await Team.select(Team.id, Team.slug, Team.school)
        .where(Team.slug == TEAM_SLUGS[side])
        .first()
    )
    team_id = team["id"]
    pupil, teacher = ROLES[f"pupil_{side.lower()}"], ROLES[f"teacher_{side.lower()}"]
    users = {u["username"]: u["id"] for u in await User.select(User.id, User.username)}
    product = await _owner_with_photo(Product, team_id, "product")
    project = await _owner_with_photo(Project, team_id, "project")
    if not (await Project.select(Project.is_public).where(Project.id == project).first())[
        "is_public"
    ]:  # approved, so its public page answers and the team's edits wait for approval
        from clustermarket.moderation import services as moderation
        from clustermarket.moderation.content import PROJECT

        admin = await User.select(User.id).where(User.username == "admin").first()
        await moderation.approve(await load_session_user(admin["id"], 0), PROJECT, project)
    if not await ImpactTally.exists().where(ImpactTally.project == project):
        await ImpactTally.insert(ImpactTally(project=project, quantity=3, unit="trees", label="x"))
    market = await _market_rows(side, team_id, day_id, users[pupil])
    sharing = await _sharing_rows(side, team, product, users[pupil], users)
    photo = await _photo_of(team_id, "product", product)
    photo_row = await Photo.select().where(Photo.id == photo).first()
    member = next(users[u] for u in ("oliverg", "freyas") if (side == "A") == (u == "oliverg"))
    # The idea shows the product's (published) photo, so its photo route has a file to serve.
    await Idea.update(
        {Idea.photo_name: photo_row["file_name"], Idea.thumb_name: photo_row["thumb_name"]}
    ).where(Idea.id == sharing["idea_id"])
    for name in (photo_row["file_name"], photo_row["thumb_name"]):  # ideas' photos are in the
        stored = next(media_dir().glob(f"*/{name}"))  # shared folder, products' in their cluster's
        shutil.copyfile(stored, media_dir() / name)
    return {
        **market,
        **sharing,
        **await later_rows(side, team, users[pupil], market, users),
        "team_id": team_id,
        "slug": team["slug"],
        "school_id": team["school"],
        "member_id": member,
        "pupil_id": users[pupil],
        "user_id": users[teacher],
        "product_id": product,
        "project_id": project,
        "tally_id": await _first(
            ImpactTally.select(ImpactTally.id).where(ImpactTally.project == project), "tally"
        ),
        "side": side,
        "photo_id": photo,
        "project_photo_id": await _photo_of(team_id, "project", project),
        "photo_name": photo_row["file_name"],
        "day_id": day_id,
        "ballot_id": await _first(Ballot.select(Ballot.id), "ballot"),
        "group_id": await _first(CommunityGroup.select(CommunityGroup.id), "community group"),
    }


async def _market_rows(side: str, team_id: int, day_id: int, pupil_id: int) -> dict[str, Any]:
    """The team's stall on the open day, opened, with one sale and one reserved order."""
    stall = await _first(
        Stall.select(Stall.id).where((Stall.team == team_id) & (Stall.market_day == day_id)),
        f"stall of team {side}",
    )
    seller = await load_session_user(pupil_id, 0)
    worker_stall = await stall_for_worker(seller, stall)
    await open_stall(worker_stall, 1000)
    sold = await StallStock.select(StallStock.product).where(StallStock.stall == stall).first()
    await record_sale(
        seller, stall, sold["product"], 1, "cash", f"00000000-0000-4000-9000-00000000000{side}"
    )
    sale = await _first(Sale.select(Sale.id).where(Sale.stall == stall), f"sale {side}")
    basket = {"day": day_id, "items": {str(sold["product"]): 1}}
    await place_order(False, basket, "Audit Buyer", f"buyer-{side.lower()}@example.org")
    order = await _first(
        Order.select(Order.id)
        .where(Order.id.is_in(OrderLine.select(OrderLine.order).where(OrderLine.stall == stall)))
        .order_by(Order.id, ascending=False),
        f"order at stall {side}",
    )
    token = (await Order.select(Order.token).where(Order.id == order).first())["token"]
    return {
        "stall_id": stall,
        "sale_id": sale,
        "order_id": order,
        "token": token,
        "basket": basket,
    }


async def _sharing_rows(
    side: str, team: dict[str, Any], product: int, pupil_id: int, users: dict[str, int]
) -> dict[str, Any]:
    """The pupil's idea and comment, the team's pitch entry and feedback on it (pending ones
    are made when the demo has none)."""
    team_id = team["id"]
    school = team["school"]
    if not await Idea.exists().where(Idea.author == pupil_id):
        await Idea.insert(
            Idea(
                author=pupil_id,
                school=school,
                tag="general",
                title="Audit idea",
                created_at=now(),
            )
        )
    idea = await _first(Idea.select(Idea.id).where(Idea.author == pupil_id), f"idea {side}")
    if not await Comment.exists().where(Comment.author == pupil_id):
        await Comment.insert(
            Comment(
                target_type="idea",
                target_id=idea,
                author=pupil_id,
                school=school,
                receiving_school=school,
                body="Audit comment",
                created_at=now(),
            )
        )
    round_id = await _first(PitchRound.select(PitchRound.id), "pitch round")
    if not await PitchEntry.exists().where(PitchEntry.team == team_id):
        await PitchEntry.insert(
            PitchEntry(
                round=round_id,
                team=team_id,
                product=product,
                question="Audit?",
                created_by=pupil_id,
                created_at=now(),
            )
        )
    entry = await _first(
        PitchEntry.select(PitchEntry.id).where(PitchEntry.team == team_id), f"pitch entry {side}"
    )
    if not await PitchFeedback.exists().where(PitchFeedback.entry == entry):
        author = users[ROLES["pupil_a"]]
        await PitchFeedback.insert(
            PitchFeedback(
                entry=entry,
                author=author,
                school=team["school"],
                receiving_school=team["school"],
                works_well="Nice.",
                even_better_if="cheaper.",
                created_at=now(),
            )
        )
    return {
        "idea_id": idea,
        "comment_id": await _first(
            Comment.select(Comment.id).where(Comment.author == pupil_id), f"comment {side}"
        ),
        "round_id": round_id,
        "entry_id": entry,
        "feedback_id": await _first(
            PitchFeedback.select(PitchFeedback.id).where(PitchFeedback.entry == entry),
            f"pitch feedback {side}",
        ),
    }


async def build_world_rows() -> dict[str, Any]:
    """Demo data, the next market day open with a sale and an order at each side's stall;
    returns the ids of each side's rows."""
    await load_demo_data()
    await make_user("root", Role.platform, school=None, password=PASSWORDS["root"])
    day = await _first(
        MarketDay.select(MarketDay.id).where(MarketDay.status == MarketStatus.planned),
        "planned market day",
    )
    await MarketDay.update({MarketDay.status: MarketStatus.open}).where(MarketDay.id == day)
    ids: dict[str, Any] = {"A": await _side("A", day), "B": await _side("B", day)}
    await own_words_rows(ids)
    spare = {u["username"]: u["id"] for u in await User.select(User.id, User.username)}
    ids["spare_pupil"] = spare["isla"]  # school A, but not a role of the matrix
    ids["spare_teacher"] = spare["jcole"]
    return ids


async def sign_in_roles(
    ids: dict[str, Any],
    make_app: Any,
    base_url: str = "http://testserver.local",
    roles: dict[str, str | None] = ROLES,
) -> World:
    """A signed-in client per role (each with its own app: clients cannot share a lifespan)."""
    world = World(ids=copy.deepcopy(ids))
    for role, username in roles.items():
        client = AsyncTestClient(app=make_app(), base_url=base_url)
        await client.__aenter__()
        world.clients[role] = client
        await client.get("/login")
        if username:
            answer = await post_form(
                client,
                "/login",
                {"username": username, "password": PASSWORDS[username]},
                follow_redirects=False,
            )
            assert answer.status_code == 302, f"{username} could not sign in: {answer.text}"
    return world


async def close_world(world: World) -> None:
    for client in world.clients.values():
        await client.__aexit__(None, None, None)


# Tables whose rows a refused request may legitimately touch (none today); sessions and
# counters live in the stores, not the database.
NOT_SNAPSHOTTED: set[str] = set()


async def snapshot() -> str:
    """One hash of every row of every table: equal before and after means nothing changed."""
    from piccolo_conf import DB

    digest = hashlib.sha256()
    async with DB.transaction():
        for table in _tables():
            name = table._meta.tablename
            if name in NOT_SNAPSHOTTED:
                continue
            rows = await table.select().order_by(table._meta.primary_key)
            digest.update(name.encode())
            digest.update(repr(rows).encode())
    return digest.hexdigest()
