"""Demo classes (issue 12): every demo pupil in a class, a Year 2 picture-PIN class at John of
Gaunt Infants, and an Erpingham with four year groups for trying the summer rollover."""

from __future__ import annotations

from clustermarket.accounts import picture_pin
from clustermarket.accounts.classes import give_pupils_year_classes
from clustermarket.accounts.services import create_user
from clustermarket.accounts.tables import Role, SchoolClass, SignInKind, User
from clustermarket.timeutil import now

TEACHER = ("mwood", "teacher-demo-4", "Mia", "Wood", "john-of-gaunt")
# Demo data only (never loaded in production): a fixed link and PINs the README can print.
OWLS_CODE = "owlsdemo22"
OWLS = [
    ("lilyh", "Lily", "Hart", ["apple", "cat", "sun", "tree"]),
    ("theob", "Theo", "Bird", ["fish", "star", "house", "boat"]),
    ("avaq", "Ava", "Quinn", ["ball", "bird", "flower", "car"]),
]
ERPINGHAM = [
    ("eviec", "river-otter-31", "Evie", "Clark", 3),
    ("maxr", "comet-pear-42", "Max", "Reed", 4),
    ("jackb", "maple-swan-53", "Jack", "Bell", 6),
]


async def load_demo_classes(schools: dict[str, int]) -> list[tuple[str, str, str, str]]:
    """The sign-ins with a password (the Owls sign in with pictures: see the README)."""
    username, password, first, last, school = TEACHER
    signins = [("teacher", username, password, f"{first} {last}, {school}")]
    await create_user(
        username=username,
        password=password,
        role=Role.teacher,
        first_name=first,
        last_name=last,
        school_id=schools[school],
    )
    for username, password, first, last, year in ERPINGHAM:
        await create_user(
            username=username,
            password=password,
            role=Role.pupil,
            first_name=first,
            last_name=last,
            school_id=schools["erpingham"],
            year_group=year,
        )
    owls = await SchoolClass.insert(
        SchoolClass(
            school=schools[school],
            name="Year 2 Owls",
            year_group=2,
            sign_in_kind=SignInKind.picture,
            code=OWLS_CODE,
            created_at=now(),
        )
    ).returning(SchoolClass.id)
    for username, first, last, pin in OWLS:
        pupil_id = await create_user(
            username=username,
            password=picture_pin.pin_text(pin) + "-unused",
            role=Role.pupil,
            first_name=first,
            last_name=last,
            school_id=schools[school],
            year_group=2,
        )
        await User.update(
            {User.school_class: owls[0]["id"], User.pin_hash: await picture_pin.hash_pin(pin)}
        ).where(User.id == pupil_id)
    for school_id in schools.values():
        await give_pupils_year_classes(school_id)
    return signins
