"""The demo's projects, told through the real services (draft, tallies, photos, submit,
approve), and the drawn pictures of its projects and products."""

from __future__ import annotations

from clustermarket.catalogue.tables import Product

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


async def load_demo_projects_and_photos(users: dict[str, int], teams: dict[str, int]) -> None:
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
