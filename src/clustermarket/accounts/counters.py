"""Atomic counters for the sign-in limits, on the app's rate-limit store.

Two back ends with the same few operations: Redis (REDIS_URL; native INCR/EXPIRE and one Lua
script, atomic across workers) and the embedded store (a file or memory store in this process,
made atomic by one asyncio lock: without Redis the app runs as one worker).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from litestar.stores.base import Store
from litestar.stores.redis import RedisStore

# One reservation: refused while paused, else count the attempt and, if it is the one that
# reaches a step of the schedule, start the pause at once (before the password is checked,
# so parallel guesses find the pause already set). Keys: the username's hash, the index of
# paused usernames. ARGV: now, window, username, then threshold/delay pairs.
_RESERVE = """
local now = tonumber(ARGV[1])
local paused_until = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if now < paused_until then return {0, paused_until - now} end
local fails = redis.call('HINCRBY', KEYS[1], 'fails', 1)
local delay = 0
for i = 4, #ARGV, 2 do
  if fails >= tonumber(ARGV[i]) then delay = tonumber(ARGV[i + 1]) end
end
if delay > 0 then
  redis.call('HSET', KEYS[1], 'until', now + delay)
  redis.call('ZADD', KEYS[2], now + delay, ARGV[3])
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('EXPIRE', KEYS[1], delay + tonumber(ARGV[2]))
return {1, fails}
"""

PAUSED_INDEX = "paused-usernames"


class Counters:
    """The operations the limiter needs; each one is atomic."""

    async def reserve(
        self, key: str, username: str, now: int, window: int, steps: list[tuple[int, int]]
    ) -> tuple[bool, int]:
        """(True, attempts so far) or (False, seconds still paused)."""
        raise NotImplementedError

    async def incr(self, key: str, ttl: int) -> int:
        raise NotImplementedError

    async def decr(self, key: str) -> None:
        raise NotImplementedError

    async def add(self, key: str, ttl: int) -> None:
        """Set a marker (or renew it)."""
        raise NotImplementedError

    async def exists(self, key: str) -> bool:
        raise NotImplementedError

    async def ttl(self, key: str) -> int:
        raise NotImplementedError

    async def pop(self, key: str) -> bool:
        """Delete a marker; True only for the one caller that removed it."""
        raise NotImplementedError

    async def lift(self, key: str, username: str) -> None:
        raise NotImplementedError

    async def paused(self, now: int) -> dict[str, int]:
        """Username -> the time its pause ends, for every username paused now."""
        raise NotImplementedError


class RedisCounters(Counters):
    def __init__(self, store: RedisStore):
        # The store's own client and key prefix (its public API has no INCR).
        self._redis = store._redis
        self._key = store._make_key
        self._reserve = self._redis.register_script(_RESERVE)

    async def reserve(
        self, key: str, username: str, now: int, window: int, steps: list[tuple[int, int]]
    ) -> tuple[bool, int]:
        args: list[Any] = [now, window, username]
        for threshold, delay in steps:
            args += [threshold, delay]
        allowed, value = await self._reserve(
            keys=[self._key(key), self._key(PAUSED_INDEX)], args=args
        )
        return bool(allowed), int(value)

    async def incr(self, key: str, ttl: int) -> int:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(self._key(key))
            pipe.expire(self._key(key), ttl, nx=True)
            count, _ = await pipe.execute()
        return int(count)

    async def decr(self, key: str) -> None:
        await self._redis.decr(self._key(key))

    async def add(self, key: str, ttl: int) -> None:
        await self._redis.set(self._key(key), b"1", ex=ttl)

    async def exists(self, key: str) -> bool:
        return bool(await self._redis.exists(self._key(key)))

    async def ttl(self, key: str) -> int:
        return max(int(await self._redis.ttl(self._key(key))), 0)

    async def pop(self, key: str) -> bool:
        return bool(await self._redis.delete(self._key(key)))

    async def lift(self, key: str, username: str) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(self._key(key))
            pipe.zrem(self._key(PAUSED_INDEX), username)
            await pipe.execute()

    async def paused(self, now: int) -> dict[str, int]:
        rows = await self._redis.zrangebyscore(
            self._key(PAUSED_INDEX), f"({now}", "+inf", withscores=True
        )
        return {name.decode(): int(score) for name, score in rows}


class EmbeddedCounters(Counters):
    """Read-modify-write under one lock: atomic within the one server process."""

    def __init__(self, store: Store):
        self.store = store
        self.lock = asyncio.Lock()

    async def _get_json(self, key: str, default: Any) -> Any:
        raw = await self.store.get(key)
        return json.loads(raw) if raw else default

    async def reserve(
        self, key: str, username: str, now: int, window: int, steps: list[tuple[int, int]]
    ) -> tuple[bool, int]:
        async with self.lock:
            record = await self._get_json(key, {"fails": 0, "until": 0})
            if now < record["until"]:
                return False, record["until"] - now
            record["fails"] += 1
            delay = 0
            for threshold, step_delay in steps:
                if record["fails"] >= threshold:
                    delay = step_delay
            if delay:
                record["until"] = now + delay
                index = await self._get_json(PAUSED_INDEX, {})
                index = {name: end for name, end in index.items() if end > now}
                index[username] = now + delay
                await self.store.set(PAUSED_INDEX, json.dumps(index), expires_in=delay + window)
            await self.store.set(key, json.dumps(record), expires_in=delay + window)
            return True, record["fails"]

    async def incr(self, key: str, ttl: int) -> int:
        async with self.lock:
            raw = await self.store.get(key)
            remaining = await self.store.expires_in(key) if raw else None
            count = int(raw or 0) + 1
            await self.store.set(key, str(count), expires_in=remaining or ttl)
            return count

    async def decr(self, key: str) -> None:
        async with self.lock:
            raw = await self.store.get(key)
            if raw:
                remaining = await self.store.expires_in(key)
                await self.store.set(key, str(int(raw) - 1), expires_in=remaining or 1)

    async def add(self, key: str, ttl: int) -> None:
        await self.store.set(key, b"1", expires_in=ttl)

    async def exists(self, key: str) -> bool:
        return await self.store.get(key) is not None  # get() drops an expired value

    async def ttl(self, key: str) -> int:
        return max(await self.store.expires_in(key) or 0, 0)

    async def pop(self, key: str) -> bool:
        async with self.lock:
            found = await self.store.get(key) is not None
            await self.store.delete(key)
            return found

    async def lift(self, key: str, username: str) -> None:
        async with self.lock:
            await self.store.delete(key)
            index = await self._get_json(PAUSED_INDEX, {})
            if index.pop(username, None) is not None:
                await self.store.set(PAUSED_INDEX, json.dumps(index), expires_in=24 * 3600)

    async def paused(self, now: int) -> dict[str, int]:
        index = await self._get_json(PAUSED_INDEX, {})
        return {name: end for name, end in index.items() if end > now}


def counters_for(store: Store) -> Counters:
    return RedisCounters(store) if isinstance(store, RedisStore) else EmbeddedCounters(store)
