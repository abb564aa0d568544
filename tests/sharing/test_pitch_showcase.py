"""A pitch entry shows what is judged (the product's approved photo, price and description)
and helps the youngest with sentence starters beside the two boxes, readable without
JavaScript; a product no longer on show is not shown."""

import datetime as dt
import re

from clustermarket.catalogue.tables import Product
from clustermarket.media.tables import Photo
from clustermarket.sharing.tables import PitchRound
from clustermarket.timeutil import now
from tests.conftest import make_team, png_bytes, post_form
from tests.sharing.helpers import live_product, two_schools


async def test_a_pitch_entry_shows_photo_price_description_and_starters(client, people) -> None:
    await two_schools()
    team = await make_team(pupils=("ameliab",), name="Aylsham Makers")
    admin, taylor, amelia, oliver = await people("admin", "staylor", "ameliab", "oliverk")
    product_id = await live_product(taylor, team, name="Beeswax candle")
    await taylor.post(
        f"/products/{product_id}/photos",
        data={"alt_text": "A candle in a jar", "_csrf_token": taylor.cookies.get("csrftoken")},
        files={"photo": ("candle.png", png_bytes(), "image/png")},
    )
    photo = await Photo.select().where(Photo.owner_id == product_id).first()
    assert photo["published"]  # a teacher's photo is live at once
    closes = (now() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    await post_form(admin, "/pitch/rounds", {"title": "December pitch", "closes_at": closes})
    round_id = (await PitchRound.select(PitchRound.id).first())["id"]
    response = await post_form(
        amelia,
        f"/pitch/rounds/{round_id}/entries",
        {"item": f"product:{product_id}"},
        follow_redirects=False,
    )
    entry_url = response.headers["location"]

    page = (await oliver.get(entry_url)).text
    assert f'src="/media/{photo["file_name"]}"' in page and 'alt="A candle in a jar"' in page
    assert "£4.50" in page and "Hand-poured." in page
    listing = (await oliver.get(f"/pitch/rounds/{round_id}")).text
    assert f'src="/media/{photo["thumb_name"]}"' in listing and "£4.50" in listing
    # The starters are on the page as prompts and placeholders, so they help without
    # JavaScript; the static module (no inline script: the CSP) makes them buttons.
    assert "I like the way…" in page and "Have you thought about…" in page
    assert 'placeholder="I like the way…"' in page
    assert 'placeholder="Have you thought about…"' in page
    assert 'data-starter-for="works_well"' in page and 'data-starter-for="even_better_if"' in page
    script = re.search(
        r'<script type="module" src="(/static/js/starters\.[0-9a-f]{10}\.js)">', page
    )
    assert script, "the starters' module, under its content-hashed name"
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)  # no inline script
    assert (await oliver.get(script.group(1))).status_code == 200
    # The same starters when he changes his feedback later.
    await post_form(
        oliver,
        f"{entry_url}/feedback",
        {"works_well": "I like the way it glows", "even_better_if": "a smaller one"},
    )
    edit = (
        await oliver.get(
            re.search(
                r'href="(/pitch/feedback/\d+/edit)"', (await oliver.get(entry_url)).text
            ).group(1)
        )
    ).text
    assert 'placeholder="Have you thought about…"' in edit and "I like the way it glows" in edit

    # Only the approved copy is shown: a change waiting for the teacher is not, and a
    # retired product is not on show at all.
    await post_form(
        amelia,
        f"/products/{product_id}/edit",
        {
            "name": "Beeswax candle",
            "description": "Now scented.",
            "price": "9.99",
            "unit_cost": "1.00",
            "active": "on",
        },
    )
    page = (await oliver.get(entry_url)).text
    assert "Hand-poured." in page and "£4.50" in page
    assert "Now scented." not in page and "£9.99" not in page
    await Product.update({Product.active: False}).where(Product.id == product_id)
    page = (await oliver.get(entry_url)).text
    assert "not on show at the moment" in page and "£4.50" not in page
    assert photo["file_name"] not in page
