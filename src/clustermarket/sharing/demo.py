"""The demo's sharing: ideas with comments and reactions, and a pitch round with feedback."""

from __future__ import annotations

import datetime as dt

from clustermarket.catalogue.tables import ContentStatus, Product
from clustermarket.market.tables import MarketDay
from clustermarket.timeutil import now


async def load_demo_sharing(
    users: dict[str, int],
    teams: dict[str, int],
    schools: dict[str, int],
    school_of: dict[str, str],
) -> int:
    """Ideas with comments and reactions across schools, one idea waiting for a teacher, and an
    open pitch round with feedback; `school_of` is each person's school slug. Returns the
    compost idea's id (the co-op's open ballot is about it)."""
    from clustermarket.sharing.tables import (
        Comment,
        Idea,
        PitchEntry,
        PitchFeedback,
        PitchRound,
        Reaction,
    )

    created = now()
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
    return compost
