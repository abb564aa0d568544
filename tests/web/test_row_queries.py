"""A full page of rows reads the database as often as an almost empty one, whatever each row
holds: the ideas board (reactions given and not, the reader's own ideas waiting or sent
back, photos, comments) and the order lists (several lines from several teams, every
status, with and without their forms). Each page's rows are prepared together, never one
query per row (issue 17, target 5)."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

from clustermarket.accounts.tables import Role
from clustermarket.catalogue.tables import ContentStatus
from clustermarket.market.tables import MarketStatus
from clustermarket.orders.tables import BuyerAccount, Order, OrderLine, OrderStatus
from clustermarket.sharing.tables import Comment, Idea, Reaction
from clustermarket.timeutil import now
from tests.conftest import QueryCounter, make_user, school_id, sign_in
from tests.market.helpers import make_day, make_stall, make_team
from tests.web.test_pagination import products

PUBLIC = {"status": ContentStatus.approved, "is_public": True}
# The reader's own ideas in every state the board shows them in.
OWN_STATES = [
    {"status": ContentStatus.pending, "is_public": False},
    {"status": ContentStatus.rejected, "is_public": False, "feedback": "Say more."},
    {"status": ContentStatus.pending, "is_public": True},  # an edit waiting
    PUBLIC,
]


async def add_ideas(count: int, reader: int, others: list[int], school: int) -> None:
    rows = []
    for n in range(count):
        own = n % 3 == 0
        rows.append(
            Idea(
                author=reader if own else others[n % len(others)],
                school=school,
                tag=("eco", "general", "enterprise")[n % 3],
                title=f"Idea {n}",
                body="Words " * (n % 80),
                published_title=f"Idea {n}",
                published_body="Words",
                photo_name="p.jpg" if n % 4 == 0 else "",
                thumb_name="p-thumb.jpg" if n % 4 == 0 else "",
                created_at=now() + dt.timedelta(seconds=n),
                **(OWN_STATES[n % len(OWN_STATES)] if own else PUBLIC),
            )
        )
    made = [r["id"] for r in await Idea.insert(*rows).returning(Idea.id)]
    kinds = ("like", "clever", "helpful")
    await Reaction.insert(
        *[
            Reaction(idea=idea, user=user, kind=kind)
            for idea, user, kind in itertools.product(made, [reader, *others], kinds)
            if (idea + user + len(kind)) % 3
        ]
    )
    await Comment.insert(
        *[
            Comment(
                target_type="idea",
                target_id=idea,
                author=others[0],
                body="Yes!",
                created_at=now(),
                **PUBLIC,
            )
            for idea in made
            for _ in range(idea % 3)
        ]
    )


STATUSES = [s.value for s in OrderStatus]


async def add_orders(count: int, buyer: int, stalls: list[tuple[int, int]]) -> None:
    """Orders of every status, each with a line from one to three of the stalls (their own
    teams and schools), on a stripe payment or not."""
    made = await Order.insert(
        *[
            Order(
                market_day=stalls[0][2],
                token=uuid.uuid4().hex,
                buyer_name=f"Buyer {n}",
                buyer_email=f"b{n}@example.org",
                status=STATUSES[n % len(STATUSES)],
                stripe_payment_intent="pi_test" if n % 2 else "",
                total_pence=100 * (n + 1),
                created_at=now() + dt.timedelta(seconds=n),
                updated_at=now(),
            )
            for n in range(count)
        ]
    ).returning(Order.id)
    ids = [r["id"] for r in made]
    await OrderLine.insert(
        *[
            OrderLine(
                order=order,
                stall=stall,
                product=product,
                product_name=f"Thing {k}",
                quantity=k + 1,
                unit_price_pence=100,
                collected_at=now() if k == 1 else None,
            )
            for n, order in enumerate(ids)
            for k, (stall, product, _) in enumerate(stalls[: 1 + n % len(stalls)])
        ]
    )
    await BuyerAccount.insert(*[BuyerAccount(order=o, account=buyer) for o in ids])


async def order_world() -> tuple[int, list[tuple[int, int, int]]]:
    """The admin, a teacher of Aylsham High, a buyer, and three stalls (two teams of Aylsham
    High, one of Buxton) on one market day: (buyer, [(stall, product, day)])."""
    await make_user("admin", role=Role.admin, school=None)
    await make_user("staylor", role=Role.teacher)
    buyer = await make_user("jpatel", role=Role.community, school=None)
    day = await make_day(MarketStatus.open)
    stalls = []
    for n, school in enumerate(("aylsham-high", "aylsham-high", "buxton")):
        team = await make_team(f"sellers-{n}", school=school)
        [product] = await products(team, 1, start=900 + n)
        stalls.append((await make_stall(day, team, {product: 500}), product, day))
    return buyer, stalls


async def count_queries(client, paths: dict[str | None, list[str]]) -> dict[str, int]:
    found = {}
    for who, wanted in paths.items():
        client.cookies.clear()
        await sign_in(client, who)
        for path in wanted:
            with QueryCounter() as counter:
                answer = await client.get(path)
            assert answer.status_code == 200, (who, path)
            found[f"{who} {path}"] = counter.count
    return found


async def test_a_full_page_of_ideas_reads_as_often_as_a_nearly_empty_one(client) -> None:
    reader = await make_user("ameliab", first_name="Amelia", last_name="Brown")
    others = [
        await make_user("oliverk", school="buxton", first_name="Oliver", last_name="King"),
        await make_user("staylor", role=Role.teacher, first_name="Sarah", last_name="Taylor"),
    ]
    school = await school_id("aylsham-high")
    paths = {"ameliab": ["/ideas", "/ideas?order=discussed", "/ideas?tag=eco"]}

    await add_ideas(3, reader, others, school)
    few = await count_queries(client, paths)
    await add_ideas(45, reader, others, school)
    many = await count_queries(client, paths)
    assert few == many
    board = await client.get("/ideas")
    assert board.text.count('<li class="card idea"') == 30
    for state in ("Waiting for your teacher", "Your teacher asked", "Your change is waiting"):
        assert state in board.text


async def test_full_pages_of_orders_read_as_often_as_nearly_empty_ones(client) -> None:
    buyer, stalls = await order_world()
    paths = {
        "admin": ["/staff/orders", "/staff/orders?page=2"],
        "staylor": ["/staff/orders"],
        "jpatel": ["/my/orders", "/my/orders?page=2"],
    }

    await add_orders(len(STATUSES), buyer, stalls)  # one of each status: one page
    few = await count_queries(client, paths)
    await add_orders(70, buyer, stalls)
    many = await count_queries(client, paths)
    assert few == many
    client.cookies.clear()
    await sign_in(client, "admin")
    staff = await client.get("/staff/orders")
    assert staff.text.count('<tr id="order-') == 30
    for button in ("Release the stock", "Cancel", "Refund"):
        assert button in staff.text
