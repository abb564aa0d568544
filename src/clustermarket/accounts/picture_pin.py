"""Picture PINs for young pupils: four pictures out of twelve, kept as an argon2 hash.

Five wrong PINs in a row pause that pupil (not the class, not the address) for 15 minutes or
until their teacher unlocks them. Both the count and the pause are single conditional UPDATEs,
so many taps at once cannot slip past the limit on SQLite or PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from clustermarket.accounts.passwords import hash_password, verify_dummy, verify_password
from clustermarket.accounts.tables import User
from clustermarket.timeutil import now

# (name, label): the file is static/img/pins/<name>.svg; the label is read out and printed.
PICTURES: tuple[tuple[str, str], ...] = (
    ("apple", "Apple"),
    ("cat", "Cat"),
    ("sun", "Sun"),
    ("tree", "Tree"),
    ("fish", "Fish"),
    ("star", "Star"),
    ("house", "House"),
    ("boat", "Boat"),
    ("ball", "Ball"),
    ("bird", "Bird"),
    ("flower", "Flower"),
    ("car", "Car"),
)
LABELS = dict(PICTURES)
PIN_LENGTH = 4
MAX_WRONG = 5
PAUSE = dt.timedelta(minutes=15)


def generate_pin() -> list[str]:
    return [secrets.choice(PICTURES)[0] for _ in range(PIN_LENGTH)]


def pin_text(pin: list[str]) -> str:
    return "-".join(pin)


async def hash_pin(pin: list[str]) -> str:
    return await hash_password(pin_text(pin))


def parse_picks(text: str) -> list[str]:
    """The pictures tapped so far, from the form; anything unknown is dropped."""
    return [p for p in text.split("-") if p in LABELS][:PIN_LENGTH]


@dataclass(frozen=True)
class PinResult:
    ok: bool
    paused_until: dt.datetime | None = None


async def check_pin(pupil_id: int, pin_hash: str | None, picks: list[str]) -> PinResult:
    """Verify a whole PIN for a pupil, counting wrong ones and pausing after five."""
    current = now()
    not_paused = User.pin_paused_until.is_null() | (User.pin_paused_until <= current)
    if pin_hash is None:
        await verify_dummy(pin_text(picks))
        right = False
    else:
        right = await verify_password(pin_hash, pin_text(picks))
    if right:
        # Signed in only if no pause started meanwhile (one statement decides).
        rows = (
            await User.update(
                {User.pin_failures: 0, User.pin_paused_until: None, User.last_login_at: current}
            )
            .where((User.id == pupil_id) & not_paused)
            .returning(User.id)
        )
        if rows:
            return PinResult(ok=True)
        return PinResult(ok=False, paused_until=await paused_until(pupil_id))
    counted = (
        await User.update({User.pin_failures: User.pin_failures + 1})
        .where((User.id == pupil_id) & not_paused)
        .returning(User.pin_failures)
    )
    if counted and counted[0]["pin_failures"] >= MAX_WRONG:
        await User.update({User.pin_paused_until: current + PAUSE, User.pin_failures: 0}).where(
            (User.id == pupil_id) & (User.pin_failures >= MAX_WRONG)
        )
    return PinResult(ok=False, paused_until=await paused_until(pupil_id))


async def paused_until(pupil_id: int) -> dt.datetime | None:
    row = await User.select(User.pin_paused_until).where(User.id == pupil_id).first()
    until = row["pin_paused_until"] if row else None
    return until if until and until > now() else None


async def unpause(pupil_id: int) -> None:
    await User.update({User.pin_paused_until: None, User.pin_failures: 0}).where(
        User.id == pupil_id
    )


# ------------------------------------------------------------ the class sign-in link


async def tap_list(class_id: int) -> list[dict]:
    """The names a child taps: first name and last initial, active pupils who have a PIN."""
    from clustermarket.accounts.services import short_name
    from clustermarket.accounts.tables import Role

    rows = (
        await User.select(User.id, User.first_name, User.last_name)
        .where(
            (User.school_class == class_id)
            & (User.role == Role.pupil)
            & (User.active == True)  # noqa: E712 (a SQL condition)
            & User.pin_hash.is_not_null()
        )
        .order_by(User.first_name)
        .order_by(User.last_name)
    )
    return [{"id": r["id"], "name": short_name(r["first_name"], r["last_name"])} for r in rows]


async def class_pupil(class_id: int, pupil_id: int) -> dict | None:
    from clustermarket.accounts.services import short_name
    from clustermarket.accounts.tables import Role

    row = (
        await User.select(
            User.id, User.first_name, User.last_name, User.pin_hash, User.session_epoch
        )
        .where(
            (User.id == pupil_id)
            & (User.school_class == class_id)
            & (User.role == Role.pupil)
            & (User.active == True)  # noqa: E712
        )
        .first()
    )
    if row:
        row["name"] = short_name(row["first_name"], row["last_name"])
    return row
