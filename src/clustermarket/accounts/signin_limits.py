"""Sign-in limits that neither leak passwords to a guesser nor lock a class out.

Per username (any address): every attempt is counted atomically *before* the password is
checked, so parallel guesses cannot slip past. The first few wrong passwords cost nothing;
then the username pauses for a while that grows step by step (with the default limit of 10:
after 5 wrong 30 s, after 6 one minute, after 7 to 9 five minutes, from 10 on 15 minutes).
A right password resets the count; a teacher's unlock or password reset lifts a pause at once.

Per address (a school shares one): only *wrong* passwords count, and each username only once
(an (address, username) pair), so a class of 30 with typos adds at most 30. When more than
`limit_per_address` different usernames failed from one address within 10 minutes (password
spraying), usernames new to that address wait until the window ends; a username that has
signed in from that address before, or is already being tried there, is never refused by it.

Any sign-in path (passwords, picture PINs) can use it: `await limiter.attempt(username,
address, check)` where `check()` returns the account or None.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from litestar import Litestar

from clustermarket.accounts.counters import Counters, counters_for

T = TypeVar("T")

RESET_AFTER = 60 * 60  # a username's count is forgotten an hour after its last pause ends
ADDRESS_WINDOW = 10 * 60
KNOWN_GOOD_FOR = 90 * 24 * 3600  # a username that signed in from an address stays known there


def pause_steps(limit: int) -> list[tuple[int, int]]:
    """(attempts, seconds paused after them): short pauses first, 15 minutes at the limit."""
    first = (limit + 1) // 2
    steps = [(n, delay) for n, delay in ((first, 30), (first + 1, 60), (first + 2, 300))]
    return [(n, delay) for n, delay in steps if n < limit] + [(limit, 15 * 60)]


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    wait_seconds: int = 0
    by_address: bool = False  # refused for the address, not the username
    pause_next: int = 0  # seconds the username pauses if this attempt fails


def _norm(username: str) -> str:
    return username.strip().lower()[:60]


class SignInLimiter:
    def __init__(self, counters: Counters, *, per_username: int, per_address: int):
        self.counters = counters
        self.steps = pause_steps(per_username)
        self.per_address = per_address

    @staticmethod
    def _user(username: str) -> str:
        return f"signin-user:{_norm(username)}"

    @staticmethod
    def _pair(kind: str, address: str, username: str) -> str:
        return f"signin-{kind}:{address}:{_norm(username)}"

    async def _address_allows(self, username: str, address: str) -> int:
        """0 if this address may try this username now, else the seconds to wait."""
        if await self.counters.exists(self._pair("good", address, username)):
            return 0
        pair = self._pair("tried", address, username)
        if await self.counters.exists(pair):
            return 0
        key = f"signin-address:{address}"
        if await self.counters.incr(key, ADDRESS_WINDOW) > self.per_address:
            await self.counters.decr(key)
            return max(await self.counters.ttl(key), 1)
        await self.counters.add(pair, ADDRESS_WINDOW)
        return 0

    async def begin(self, username: str, address: str) -> Verdict:
        """Reserve one attempt; check the password only if it is allowed."""
        wait = await self._address_allows(username, address)
        if wait:
            return Verdict(False, wait, by_address=True)
        now = int(time.time())
        allowed, value = await self.counters.reserve(
            self._user(username), _norm(username), now, RESET_AFTER, self.steps
        )
        if not allowed:
            return Verdict(False, value)
        pause = 0
        for threshold, delay in self.steps:
            if value >= threshold:
                pause = delay
        return Verdict(True, pause_next=pause)

    async def succeeded(self, username: str, address: str) -> None:
        await self.counters.lift(self._user(username), _norm(username))
        await self.counters.add(self._pair("good", address, username), KNOWN_GOOD_FOR)
        # A typo put right takes nothing from the school's allowance.
        if await self.counters.pop(self._pair("tried", address, username)):
            await self.counters.decr(f"signin-address:{address}")

    async def lift(self, username: str) -> None:
        """A teacher's unlock or password reset: the username may sign in at once."""
        await self.counters.lift(self._user(username), _norm(username))

    async def paused(self, usernames: list[str]) -> dict[str, int]:
        """Of these usernames, those paused now, with the seconds left."""
        now = int(time.time())
        ends = await self.counters.paused(now)
        return {name: ends[_norm(name)] - now for name in usernames if _norm(name) in ends}

    async def attempt(
        self, username: str, address: str, check: Callable[[], Awaitable[T | None]]
    ) -> tuple[T | None, Verdict]:
        """Run `check` (the password or PIN test) only if the limits allow it."""
        verdict = await self.begin(username, address)
        if not verdict.allowed:
            return None, verdict
        account = await check()
        if account is not None:
            await self.succeeded(username, address)
        return account, verdict


def limiter_for(app: Litestar) -> SignInLimiter:
    """One limiter per app, on its rate-limit store (so the embedded lock is shared)."""
    state: Any = app.state
    limiter = state.get("signin_limiter")
    if limiter is None:
        settings = state.settings
        limiter = SignInLimiter(
            counters_for(app.stores.get("rate_limit")),
            per_username=settings.login_limit_per_username,
            per_address=settings.login_limit_per_address,
        )
        state["signin_limiter"] = limiter
    return limiter


def wait_text(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
