"""Classes and picture sign-in: a teacher sets up a Year 2 class, prints its cards, and a child
signs in from the class link by tapping their name and four pictures."""

from __future__ import annotations

import importlib
import re

from clustermarket.accounts import cards, classes
from clustermarket.accounts.tables import Role, SchoolClass, User
from clustermarket.moderation.tables import ModerationLog
from tests.conftest import as_user, make_client, make_user, post_form, school_id, sign_in

YEAR_2 = "Poppy Hart\nLeo Marsh\nAva Marsh\n"


async def picture_class(teacher: str = "mwood", school: str = "john-of-gaunt") -> dict:
    if not await User.exists().where(User.username == teacher):
        await make_user(teacher, role=Role.teacher, school=school, first_name="Mia")
    actor = await as_user(teacher)
    made = await classes.create_class(actor, await school_id(school), "Year 2 Owls", 2, "picture")
    made_cards = await cards.add_class_list(actor, made["id"], YEAR_2)
    pupils = {c.first_name: c for c in made_cards}
    ids = {
        r["first_name"]: r["id"]
        for r in await User.select(User.id, User.first_name).where(User.school_class == made["id"])
    }
    return {"class": await classes.class_for_staff(actor, made["id"]), "cards": pupils, "ids": ids}


def link(found: dict) -> str:
    return f"/sign-in/{found['class']['school_slug']}/{found['class']['code']}"


async def tap_pictures(client, found: dict, name: str, pictures: list[str]):
    """Tap the name, then each picture, as the form does (the taps so far in `picks`)."""
    base = f"{link(found)}/{found['ids'][name]}"
    page = await client.get(base)
    assert page.status_code == 200, page.text
    picks: list[str] = []
    response = page
    for picture in pictures:
        action = re.search(r'<form method="post" action="([^"]+)"', response.text).group(1)
        response = await post_form(
            client, action, {"picks": "-".join(picks), "pick": picture}, follow_redirects=False
        )
        picks.append(picture)
    return response


async def test_teacher_sets_up_a_picture_class_and_prints_its_cards(client) -> None:
    await make_user("mwood", role=Role.teacher, school="john-of-gaunt", first_name="Mia")
    await sign_in(client, "mwood")
    created = await post_form(
        client,
        "/classes",
        {"name": "Year 2 Owls", "year_group": "2", "sign_in_kind": "picture"},
        follow_redirects=True,
    )
    assert created.status_code == 200 and "Year 2 Owls" in created.text
    class_id = (await SchoolClass.select(SchoolClass.id).first())["id"]
    cards = await post_form(client, f"/classes/{class_id}/pupils", {"class_list": YEAR_2})
    assert cards.status_code == 200, cards.text
    # Three cards, each with the site address, a QR code, the name to tap and four pictures.
    assert cards.text.count('class="login-card class-card"') == 3
    assert cards.text.count("<svg") == 3
    assert "http://127.0.0.1:8000" in cards.text
    assert "Poppy H." in cards.text and "Leo M." in cards.text
    assert cards.text.count('src="/static/img/pins/') == 12
    pupils = await User.select(User.pin_hash, User.year_group, User.school_class).where(
        User.role == Role.pupil
    )
    assert all(p["pin_hash"].startswith("$argon2") for p in pupils)
    assert all(p["year_group"] == 2 and p["school_class"] == class_id for p in pupils)
    # The class page and its printable list show the class's pupils.
    page = await client.get(f"/classes/{class_id}")
    assert "Poppy Hart" in page.text and "/sign-in/john-of-gaunt/" in page.text
    printed = await client.get(f"/classes/{class_id}/print")
    assert printed.text.count('<th scope="row">') == 3
    # A bad class name keeps what the teacher typed and says why.
    bad = await post_form(client, "/classes", {"name": " ", "year_group": "2"})
    assert bad.status_code == 400 and "Give the class a name" in bad.text


async def test_a_year_2_child_signs_in_with_name_and_pictures(client) -> None:
    found = await picture_class()
    names = await client.get(link(found))
    assert names.status_code == 200
    assert "Poppy H." in names.text and "Hart" not in names.text
    assert names.headers["x-robots-tag"] == "noindex, nofollow"
    assert names.headers["cache-control"] == "no-store"
    pin = found["cards"]["Poppy"].pin
    # The first three taps only collect; the fourth checks.
    response = await tap_pictures(client, found, "Poppy", pin)
    assert response.status_code == 302 and response.headers["location"] == "/dashboard"
    dashboard = await client.get("/dashboard")
    assert "Hello, Poppy" in dashboard.text


async def test_five_wrong_pins_pause_that_pupil_and_only_that_pupil(client) -> None:
    found = await picture_class()
    pin = found["cards"]["Leo"].pin
    wrong = [p for p in ("apple", "cat", "sun", "tree", "fish") if p != pin[0]][:1] * 4
    for attempt in range(5):
        response = await tap_pictures(client, found, "Leo", wrong)
        assert response.status_code == (429 if attempt == 4 else 400), attempt
    assert "paused" in response.text
    # Even the right PIN is refused while paused.
    response = await tap_pictures(client, found, "Leo", pin)
    assert response.status_code == 429 and "Ask your teacher" in response.text
    # Ava, on the same computer, still signs in.
    ava = await tap_pictures(client, found, "Ava", found["cards"]["Ava"].pin)
    assert ava.status_code == 302

    # The teacher sees who is paused and unpauses Leo; the unpause is logged.
    async with make_client() as teacher:
        await sign_in(teacher, "mwood")
        page = await teacher.get(f"/classes/{found['class']['id']}")
        assert page.text.count("Paused until") == 1 and "Unpause Leo Marsh" in page.text
        await post_form(
            teacher, f"/classes/{found['class']['id']}/pupils/{found['ids']['Leo']}/unlock", {}
        )
    assert await ModerationLog.exists().where(ModerationLog.action == "account.unpause_pin")
    async with make_client() as leo:
        response = await tap_pictures(leo, found, "Leo", pin)
        assert response.status_code == 302


async def test_a_changed_class_code_stops_the_old_link_and_a_new_pin_replaces_the_old(
    client,
) -> None:
    found = await picture_class()
    old_link = link(found)
    await sign_in(client, "mwood")
    await post_form(client, f"/classes/{found['class']['id']}/code", {})
    assert (await client.get(old_link)).status_code == 404
    assert (await client.get(f"{old_link}/{found['ids']['Ava']}")).status_code == 404
    new = await SchoolClass.select(SchoolClass.code).first()
    assert (await client.get(f"/sign-in/john-of-gaunt/{new['code']}")).status_code == 200

    card = await post_form(
        client, f"/classes/{found['class']['id']}/pupils/{found['ids']['Ava']}/card", {}
    )
    assert card.status_code == 200 and "Ava M." in card.text
    assert await ModerationLog.exists().where(ModerationLog.action == "account.new_picture_pin")
    assert await ModerationLog.exists().where(ModerationLog.action == "class.new_code")


async def test_another_schools_teacher_cannot_see_the_class(client) -> None:
    found = await picture_class()
    await make_user("hteach", role=Role.teacher, school="aylsham-high")
    await sign_in(client, "hteach")
    assert (await client.get(f"/classes/{found['class']['id']}")).status_code == 404
    response = await post_form(client, f"/classes/{found['class']['id']}/code", {})
    assert response.status_code == 404


async def test_the_migration_gives_existing_pupils_a_class_from_their_year_group() -> None:
    migration = importlib.import_module("migrations.accounts.accounts_2026_11_26t00_23_00_000000")
    await make_user("ameliab", school="buxton")
    await make_user("oliverg", school="buxton")
    await User.update({User.year_group: 4}).where(User.username.is_in(["ameliab", "oliverg"]))
    await make_user("islab", school="buxton")
    await migration.give_pupils_classes()
    rows = await User.select(User.username, User.school_class.name.as_alias("class_name")).where(
        User.role == Role.pupil
    )
    assert {r["username"]: r["class_name"] for r in rows} == {
        "ameliab": "Year 4",
        "oliverg": "Year 4",
        "islab": "Pupils without a year group",
    }


async def test_picture_pin_checks_count_towards_the_per_address_flood_guard() -> None:
    found = await picture_class()
    async with make_client(login_flood_per_address=3) as client:
        for name in ("Poppy", "Leo", "Ava"):
            response = await tap_pictures(client, found, name, ["cat", "cat", "cat", "cat"])
            assert response.status_code in (400, 302)
        # The fourth whole PIN from this address is refused, even a right one; the taps
        # before the last one are not counted.
        response = await tap_pictures(client, found, "Poppy", found["cards"]["Poppy"].pin)
        assert response.status_code == 429 and "Too many tries" in response.text


async def test_a_teacher_moves_a_pupil_of_the_school_into_a_class(client) -> None:
    found = await picture_class()
    actor = await as_user("mwood")
    school = await school_id("john-of-gaunt")
    year_1 = await classes.create_class(actor, school, "Year 1 Ants", 1, "picture")
    await sign_in(client, "mwood")
    page = await client.get(f"/classes/{year_1['id']}")
    assert "Ava Marsh (Year 2 Owls)" in page.text
    await post_form(client, f"/classes/{year_1['id']}/members", {"pupil": str(found["ids"]["Ava"])})
    ava = (
        await User.select(User.school_class, User.year_group)
        .where(User.id == found["ids"]["Ava"])
        .first()
    )
    assert ava == {"school_class": year_1["id"], "year_group": 1}
    assert await ModerationLog.exists().where(ModerationLog.action == "account.move_class")
    # A pupil of another school cannot be moved in: not found, nothing changed.
    other = await make_user("ameliab", school="buxton")
    response = await post_form(client, f"/classes/{year_1['id']}/members", {"pupil": str(other)})
    assert response.status_code == 404
    assert (await User.select(User.school_class).where(User.id == other).first())[
        "school_class"
    ] is None


async def test_a_password_class_card_and_the_export_keeps_no_secret(client) -> None:
    await make_user("pshah", role=Role.teacher, school="erpingham", first_name="Priya")
    actor = await as_user("pshah")
    made = await classes.create_class(
        actor, await school_id("erpingham"), "Year 5 Owls", 5, "password"
    )
    await cards.add_class_list(actor, made["id"], "Freya Scott")
    freya = (await User.select(User.id).where(User.username == "freyas").first())["id"]
    await sign_in(client, "pshah")
    card = await post_form(client, f"/classes/{made['id']}/pupils/{freya}/card", {})
    password = re.search(r"<dt>Password</dt><dd><code>([^<]+)</code>", card.text).group(1)
    assert "<svg" in card.text and "/sign-in/erpingham/" in card.text
    # The class link of a password class sends the child to the username form.
    names = await client.get(f"/sign-in/erpingham/{made['code']}")
    assert 'href="/login"' in names.text and "Freya" not in names.text
    # The export holds neither the password nor any hash.
    await cards.new_card(actor, made["id"], freya)  # (a second reset: still only hashes kept)
    await classes.set_sign_in_kind(actor, made["id"], "picture")
    await cards.new_card(actor, made["id"], freya)
    export = await client.get(f"/pupils/{freya}/data/export")
    assert export.status_code == 200
    assert "argon2" not in export.text and password not in export.text
    assert '"pin_hash"' not in export.text and '"password_hash"' not in export.text


async def test_five_wrong_pins_at_once_still_pause_the_pupil() -> None:
    """Taps on several class computers at the same moment: no wrong PIN is lost."""
    import asyncio

    from clustermarket.accounts import picture_pin

    found = await picture_class()
    leo = found["ids"]["Leo"]
    row = await User.select(User.pin_hash).where(User.id == leo).first()
    wrong = ["cat"] * 4 if found["cards"]["Leo"].pin != ["cat"] * 4 else ["sun"] * 4
    results = await asyncio.gather(
        *[picture_pin.check_pin(leo, row["pin_hash"], wrong) for _ in range(5)]
    )
    assert not any(r.ok for r in results)
    assert await picture_pin.paused_until(leo) is not None
    assert await picture_pin.paused_until(found["ids"]["Ava"]) is None
