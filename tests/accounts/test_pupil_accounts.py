"""A teacher makes pupil accounts from a pasted class list, prints cards, resets, deactivates."""

import re

from clustermarket.accounts.tables import Role, User
from clustermarket.moderation.tables import ModerationLog
from tests.conftest import make_user, post_form, school_id, sign_in

CLASS_LIST = "Amelia Brown\nOliver Green, Year 4\n\nZoë Ångström\tY5\nIsla Brown, 5, isla.b\n"


def cards_in(page: str) -> list[tuple[str, str]]:
    """(username, password) pairs from the printed login cards."""
    return re.findall(
        r"<dt>Username</dt><dd><code>([^<]+)</code></dd>\s*<dt>Password</dt><dd><code>([^<]+)</code>",
        page,
    )


async def teacher_signed_in(client, username="staylor", school="aylsham-high") -> int:
    user_id = await make_user(username, role=Role.teacher, school=school, first_name="Sarah")
    await sign_in(client, username)
    return user_id


async def test_class_list_becomes_accounts_and_login_cards_that_work(client, settings) -> None:
    await teacher_signed_in(client)
    page = await post_form(client, "/pupils/new", {"class_list": CLASS_LIST})
    assert page.status_code == 200, page.text
    cards = cards_in(page.text)
    assert [u for u, _ in cards] == ["ameliab", "oliverg", "zoea", "isla.b"]
    assert "shown only this once" in page.text

    pupils = (
        await User.select(
            User.username, User.year_group, User.role, User.email, User.school, User.password_hash
        )
        .where(User.role == Role.pupil)
        .order_by(User.id)
    )
    assert [p["year_group"] for p in pupils] == [None, 4, 5, 5]
    aylsham = await school_id("aylsham-high")
    assert all(p["email"] is None and p["school"] == aylsham for p in pupils)
    # Only a hash is stored, never the password on the card.
    assert all(pw not in p["password_hash"] for (_, pw), p in zip(cards, pupils, strict=True))

    # Every account change is in the moderation log.
    assert await ModerationLog.count().where(ModerationLog.action == "account.create") == 4

    # A pupil signs in with the card on a class computer.
    await post_form(client, "/logout", {})
    username, password = cards[1]
    await sign_in(client, username, password)
    dashboard = await client.get("/dashboard")
    assert "Hello, Oliver" in dashboard.text and "Pupil" in dashboard.text


async def test_usernames_do_not_clash_with_existing_ones(client) -> None:
    await make_user("ameliab", school="buxton")
    await teacher_signed_in(client)
    page = await post_form(client, "/pupils/new", {"class_list": "Amelia Brown\nAmelia Bell"})
    assert [u for u, _ in cards_in(page.text)] == ["ameliab2", "ameliab3"]


async def test_problems_in_the_list_are_all_listed_and_nothing_is_created(client) -> None:
    await make_user("taken.name", school="buxton")
    await teacher_signed_in(client)
    text = (
        "Amelia Brown\nAmelia Brown\nMadonna\nOliver Green, Year 40\n"
        "Isla Brown, 5, isla.b\nIvy Brown, 5, isla.b\nTom Taken, 6, taken.name\n"
    )
    page = await post_form(client, "/pupils/new", {"class_list": text})
    assert page.status_code == 400
    for expected in [
        "Line 2: Amelia Brown is also on line 1",
        "Line 3 (Madonna): give a first and a last name.",
        "Line 4 (Oliver Green): “Year 40” is not a year group",
    ]:
        assert expected in page.text
    assert await User.count().where(User.role == Role.pupil) == 1  # just the one from Buxton
    # The teacher's list is still there to fix.
    assert "Amelia Brown\nAmelia Brown\nMadonna" in page.text

    page = await post_form(
        client,
        "/pupils/new",
        {"class_list": "Isla Brown, 5, isla.b\nIvy Brown, 5, isla.b\nTom Taken, 6, taken.name"},
    )
    assert page.status_code == 400
    assert "Line 2: the username isla.b is also asked for on line 1." in page.text
    assert "Line 3: the username taken.name is taken" in page.text
    assert await User.count().where(User.role == Role.pupil) == 1


async def test_pasting_the_same_list_twice_is_caught(client) -> None:
    await teacher_signed_in(client)
    await post_form(client, "/pupils/new", {"class_list": "Amelia Brown"})
    page = await post_form(client, "/pupils/new", {"class_list": "Amelia Brown"})
    assert page.status_code == 400
    assert "Amelia Brown already has an account here (ameliab)" in page.text
    # Two real pupils of one name: a username in the third column makes it clear.
    page = await post_form(client, "/pupils/new", {"class_list": "Amelia Brown, 3, amelia.b2"})
    assert page.status_code == 200 and "amelia.b2" in page.text


async def test_empty_list_gets_a_message(client) -> None:
    await teacher_signed_in(client)
    page = await post_form(client, "/pupils/new", {"class_list": "  \n  "})
    assert page.status_code == 400 and "The list is empty" in page.text


async def test_reset_gives_a_new_password_and_ends_old_sessions(client, settings) -> None:
    from tests.conftest import make_client

    pupil_id = await make_user("ameliab", first_name="Amelia", last_name="Brown")
    async with make_client() as pupil_client:
        await sign_in(pupil_client, "ameliab")
        assert (await pupil_client.get("/dashboard")).status_code == 200

        await teacher_signed_in(client)
        page = await post_form(client, f"/pupils/{pupil_id}/reset", {})
        [(username, new_password)] = cards_in(page.text)
        assert username == "ameliab" and new_password != "password-123"

        # The pupil's old session is over, the old password fails, the new one works.
        assert (await pupil_client.get("/dashboard", follow_redirects=False)).status_code == 302
        failed = await post_form(
            pupil_client, "/login", {"username": "ameliab", "password": "password-123"}
        )
        assert failed.status_code == 400
        await sign_in(pupil_client, "ameliab", new_password)
    assert await ModerationLog.count().where(ModerationLog.action == "account.reset_password") == 1


async def test_deactivate_inline_with_htmx_and_as_a_plain_form(client) -> None:
    pupil_id = await make_user("ameliab", first_name="Amelia", last_name="Brown")
    await teacher_signed_in(client)
    listing = await client.get("/pupils")
    assert f'id="pupil-{pupil_id}"' in listing.text and "Amelia Brown" in listing.text

    row = await post_form(
        client, f"/pupils/{pupil_id}/active", {"value": "off"}, headers={"HX-Request": "true"}
    )
    assert row.status_code == 200
    assert row.text.lstrip().startswith(f'<tr id="pupil-{pupil_id}"')  # just the row
    assert "Deactivated" in row.text and "Reactivate" in row.text
    assert (await User.select(User.active).where(User.id == pupil_id).first())["active"] is False

    # A deactivated pupil cannot sign in.
    from tests.conftest import make_client

    async with make_client() as other:
        response = await post_form(
            other, "/login", {"username": "ameliab", "password": "password-123"}
        )
        assert response.status_code == 400

    # Without JavaScript the same button posts a form and comes back to the list.
    back = await post_form(
        client, f"/pupils/{pupil_id}/active", {"value": "on"}, follow_redirects=False
    )
    assert back.status_code == 302 and back.headers["location"] == "/pupils"
    assert (await User.select(User.active).where(User.id == pupil_id).first())["active"] is True
    actions = [
        r["action"]
        for r in await ModerationLog.select(ModerationLog.action).order_by(ModerationLog.id)
    ]
    assert actions == ["account.deactivate", "account.activate"]


async def test_photo_consent_is_recorded_by_the_teacher(client) -> None:
    pupil_id = await make_user("ameliab")
    await teacher_signed_in(client)
    row = await post_form(
        client, f"/pupils/{pupil_id}/photo-consent", {"value": "on"}, headers={"HX-Request": "true"}
    )
    assert "Withdraw" in row.text
    assert (await User.select(User.photo_consent).where(User.id == pupil_id).first())[
        "photo_consent"
    ]


async def test_teachers_only_touch_their_own_school(client) -> None:
    other_pupil = await make_user(
        "noahw", school="bure-valley", first_name="Noah", last_name="Walker"
    )
    await teacher_signed_in(client)
    assert "Noah" not in (await client.get("/pupils")).text
    for path in ("reset", "active", "photo-consent"):
        response = await post_form(client, f"/pupils/{other_pupil}/{path}", {"value": "off"})
        assert response.status_code == 404
    # Trying to slip another school into the form does nothing: teachers use their own.
    page = await post_form(
        client,
        "/pupils/new",
        {"class_list": "Ava Stone", "school": str(await school_id("bure-valley"))},
    )
    assert page.status_code == 200
    ava = await User.select(User.school).where(User.username == "avas").first()
    assert ava["school"] == await school_id("aylsham-high")
    row = await User.select(User.active).where(User.id == other_pupil).first()
    assert row["active"] is True


async def test_pupils_cannot_open_teacher_pages(client) -> None:
    pupil_id = await make_user("ameliab")
    await sign_in(client, "ameliab")
    for path in ("/pupils", "/pupils/new", "/moderation/log"):
        page = await client.get(path)
        assert page.status_code == 403
        assert "This page is for teachers." in page.text
    response = await post_form(client, f"/pupils/{pupil_id}/reset", {})
    assert response.status_code == 403


async def test_admin_makes_accounts_for_any_school(client) -> None:
    await make_user("admin", role=Role.admin, school=None)
    await sign_in(client, "admin")
    page = await post_form(client, "/pupils/new", {"class_list": "Ava Stone"})
    assert page.status_code == 400 and "Choose the school" in page.text
    page = await post_form(
        client,
        "/pupils/new",
        {"class_list": "Ava Stone", "school": str(await school_id("colby"))},
    )
    assert page.status_code == 200
    listing = await client.get(f"/pupils?school={await school_id('colby')}")
    assert "Ava Stone" in listing.text
    log = await client.get("/moderation/log")
    assert "account.create" in log.text and "Colby Primary School" in log.text
