"""A small cache for dashboard answers: Redis when `redis_url` is set (shared by every
process), else a dict in this process. Values are JSON text with a time to live.

Keys are `clocktower:dashboard:<organisation>:<user>:<name>:<details>`, so one user's
answers never reach another, and a whole organisation's can be found by prefix. The
cache is an optimisation only: a Redis that does not answer is a miss (logged), never an
error, so the dashboards keep working without it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

import redis.asyncio as redis
import structlog
from redis.exceptions import RedisError

log = structlog.get_logger("clocktower.dashboard")

PREFIX = "clocktower:dashboard"
# An in-process cache never holds more than this many answers: expired ones go first,
# then the oldest.
MEMORY_LIMIT = 10_000


def cache_key(organization_id: int, user_id: int, name: str, *details: object) -> str:
    return ":".join([PREFIX, str(organization_id), str(user_id), name, *map(str, details)])


class DashboardCache(Protocol):
    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str, ttl_seconds: int) -> None: ...


class MemoryCache:
    """Per-process answers with a time to live (`timer` is monotonic seconds)."""

    def __init__(
        self, limit: int = MEMORY_LIMIT, timer: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.timer = timer
        self._values: dict[str, tuple[float, str]] = {}

    async def get(self, key: str) -> str | None:
        found = self._values.get(key)
        if found is None:
            return None
        expires_at, value = found
        if expires_at <= self.timer():
            del self._values[key]
            return None
        return value

    async def set(self, key: str, value: str, ttl_seconds: int) -> None:
        if len(self._values) >= self.limit and key not in self._values:
            self._make_room()
        self._values.pop(key, None)  # re-inserted last: the dict keeps insertion order
        self._values[key] = (self.timer() + ttl_seconds, value)

    def clear(self) -> None:
        self._values.clear()

    def _make_room(self) -> None:
        now = self.timer()
        for key in [k for k, (expires_at, _) in self._values.items() if expires_at <= now]:
            del self._values[key]
        while len(self._values) >= self.limit:
            del self._values[next(iter(self._values))]


class RedisCache:
    """Answers shared by every process that uses the same Redis (SET with EX)."""

    def __init__(self, url: str) -> None:
        self.client = redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)

    async def get(self, key: str) -> str | None:
        try:
            value = await self.client.get(key)
        except (RedisError, OSError) as error:
            log.warning("dashboard cache unavailable", error=str(error))
            return None
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    async def set(self, key: str, value: str, ttl_seconds: int) -> None:
        try:
            await self.client.set(key, value, ex=ttl_seconds)
        except (RedisError, OSError) as error:
            log.warning("dashboard cache unavailable", error=str(error))

    async def close(self) -> None:
        await self.client.aclose()


def cache_for(redis_url: str | None) -> DashboardCache:
    return RedisCache(redis_url) if redis_url else MemoryCache()
