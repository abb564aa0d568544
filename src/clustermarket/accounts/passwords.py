"""Password hashing (argon2id) and child-friendly generated passwords."""

from __future__ import annotations

import secrets
from functools import lru_cache

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import CHEAPEST, RFC_9106_LOW_MEMORY

from clustermarket.settings import get_settings

# Short, concrete words a six-year-old can read and type; no look-alike letters matter here
# because cards are printed in a clear font. Two words and two digits: about 22 bits, which
# with the per-username login limit is plenty for a class computer account.
WORDS = [
    "apple",
    "acorn",
    "badger",
    "beach",
    "berry",
    "bird",
    "boat",
    "bread",
    "brook",
    "bunny",
    "cake",
    "candle",
    "carrot",
    "castle",
    "cloud",
    "clover",
    "comet",
    "cookie",
    "crab",
    "daisy",
    "dolphin",
    "dragon",
    "drum",
    "duck",
    "eagle",
    "feather",
    "fern",
    "fish",
    "flower",
    "forest",
    "fox",
    "frog",
    "garden",
    "ginger",
    "goat",
    "grape",
    "hare",
    "hedge",
    "honey",
    "horse",
    "island",
    "jelly",
    "kite",
    "koala",
    "lamb",
    "leaf",
    "lemon",
    "lion",
    "llama",
    "mango",
    "maple",
    "meadow",
    "melon",
    "moon",
    "mouse",
    "muffin",
    "nest",
    "oak",
    "otter",
    "owl",
    "panda",
    "parrot",
    "peach",
    "pear",
    "pebble",
    "pepper",
    "pine",
    "planet",
    "plum",
    "pony",
    "puffin",
    "rabbit",
    "rain",
    "river",
    "robin",
    "rocket",
    "rose",
    "sail",
    "seal",
    "sheep",
    "shell",
    "snail",
    "snow",
    "spoon",
    "squid",
    "star",
    "stone",
    "sun",
    "swan",
    "tiger",
    "toast",
    "tomato",
    "tree",
    "tulip",
    "turtle",
    "wave",
    "whale",
    "willow",
    "wolf",
    "wren",
    "yak",
    "zebra",
]


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    # Tests set PASSWORD_HASH_PROFILE=fast; production refuses that setting.
    profile = CHEAPEST if get_settings().password_hash_profile == "fast" else RFC_9106_LOW_MEMORY
    return PasswordHasher.from_parameters(profile)


def generate_password() -> str:
    return f"{secrets.choice(WORDS)}-{secrets.choice(WORDS)}-{secrets.randbelow(90) + 10}"


async def hash_password(password: str) -> str:
    # argon2 takes tens of milliseconds of CPU: keep it off the event loop.
    return await anyio.to_thread.run_sync(_hasher().hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    def check() -> bool:
        try:
            return _hasher().verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await anyio.to_thread.run_sync(check)


# A fixed hash to verify against when the username is unknown, so that a wrong username
# takes as long as a wrong password.
_DUMMY: list[str] = []


async def verify_dummy(password: str) -> None:
    if not _DUMMY:
        _DUMMY.append(await hash_password(secrets.token_hex(8)))
    await verify_password(_DUMMY[0], password)
