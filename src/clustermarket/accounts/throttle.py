"""Wrong-password limit per username, kept in the shared rate-limit store.

The per-address limit is Litestar's RateLimitConfig (see server.py); this one stops a
guesser who spreads attempts over many addresses from trying one pupil's account forever.
A whole class signing in from one school address is not affected by it.
"""

from __future__ import annotations

from litestar.stores.base import Store

WINDOW_SECONDS = 15 * 60


class LoginThrottle:
    def __init__(self, store: Store, limit: int):
        self.store = store
        self.limit = limit

    @staticmethod
    def _key(username: str) -> str:
        return f"login-failures:{username.strip().lower()[:60]}"

    async def _count(self, username: str) -> int:
        raw = await self.store.get(self._key(username))
        return int(raw) if raw else 0

    async def blocked(self, username: str) -> bool:
        return await self._count(username) >= self.limit

    async def failed(self, username: str) -> None:
        key = self._key(username)
        remaining = await self.store.expires_in(key)
        count = await self._count(username) + 1
        await self.store.set(key, str(count), expires_in=remaining or WINDOW_SECONDS)

    async def succeeded(self, username: str) -> None:
        await self.store.delete(self._key(username))
