"""The cluster admin makes teacher accounts; teachers and pupils cannot."""

import re

from clustermarket.accounts.tables import Role, User
from clustermarket.moderation.tables import ModerationLog
from tests.conftest import make_client, make_user, post_form, school_id, sign_in


async def test_admin_creates_a_teacher_who_can_sign_in(client) -> None:
    await make_user("admin", role=Role.admin, school=None)
    await make_user("staylor", role=Role.teacher)  # the next Taylor gets another username
    await sign_in(client, "admin")
    page = await post_form(
        client,
        "/admin/staff",
        {
            "first_name": "Sam",
            "last_name": "Taylor",
            "role": "teacher",
            "school": str(await school_id("colby")),
            "email": "sam@example.org",
        },
    )
    assert page.status_code == 200, page.text
    username, password = re.search(
        r"<dt>Username</dt><dd><code>([^<]+)</code></dd>\s*<dt>Password</dt><dd><code>([^<]+)",
        page.text,
    ).groups()
    assert username == "staylor2"
    teacher = (
        await User.select(User.role, User.school, User.email)
        .where(User.username == "staylor2")
        .first()
    )
    assert teacher == {
        "role": "teacher",
        "school": await school_id("colby"),
        "email": "sam@example.org",
    }
    assert await ModerationLog.exists().where(ModerationLog.action == "account.create")

    async with make_client() as new_teacher:
        await sign_in(new_teacher, username, password)
        page = await new_teacher.get("/dashboard")
        assert "Teacher" in page.text and "Colby Primary School" in page.text


async def test_staff_form_errors_keep_what_was_typed(client) -> None:
    await make_user("admin", role=Role.admin, school=None)
    await sign_in(client, "admin")
    page = await post_form(
        client, "/admin/staff", {"first_name": "Sam", "last_name": "Cole", "role": "teacher"}
    )
    assert page.status_code == 400 and "Choose the school this teacher works at." in page.text
    assert 'value="Sam"' in page.text and 'value="Cole"' in page.text
    page = await post_form(
        client, "/admin/staff", {"first_name": "Sam", "last_name": "Cole", "role": "pupil"}
    )
    assert "Choose teacher or admin." in page.text


async def test_admin_resets_and_deactivates_a_teacher_but_not_themselves(client) -> None:
    admin_id = await make_user("admin", role=Role.admin, school=None)
    teacher_id = await make_user("staylor", role=Role.teacher)
    await sign_in(client, "admin")
    page = await post_form(client, f"/admin/staff/{teacher_id}/reset", {})
    assert "staylor" in page.text and "Back to staff accounts" in page.text
    await post_form(client, f"/admin/staff/{teacher_id}/active", {"value": "off"})
    assert (await User.select(User.active).where(User.id == teacher_id).first())["active"] is False
    page = await post_form(client, f"/admin/staff/{admin_id}/active", {"value": "off"})
    assert "You cannot deactivate your own account." in page.text
    assert (await User.select(User.active).where(User.id == admin_id).first())["active"] is True


async def test_only_the_admin_manages_staff(client) -> None:
    teacher_id = await make_user("staylor", role=Role.teacher)
    await make_user("jcole", role=Role.teacher, school="bure-valley")
    await sign_in(client, "jcole")
    assert (await client.get("/admin/staff")).status_code == 403
    response = await post_form(client, f"/admin/staff/{teacher_id}/reset", {})
    assert response.status_code == 403
