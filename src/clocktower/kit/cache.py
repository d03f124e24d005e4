"""The application's cache of computed answers: Redis when `redis_url` is set (shared by
every process), else a dict in this process. Values are text with a time to live.

Keys are `clocktower:<what>:<organisation>:…` (`cache_key`), so a whole organisation's
answers of one kind can be found by prefix. Whoever stores an answer puts in its key
everything the answer depends on (the dashboards: the caller's entries' fingerprint; the
time-entry list's totals: the organisation's change-log sequence), so an answer is never
stale, only unused until it expires. The cache is an optimisation only: a Redis that does
not answer is a miss (logged), never an error.

One instance per application (`app_cache`), made on first use; routes take it as
`AppCache` and hand it to the service that decides what to keep.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated, Protocol

import redis.asyncio as redis
import structlog
from fastapi import Depends, Request
from redis.exceptions import RedisError

log = structlog.get_logger("clocktower.cache")

PREFIX = "clocktower"
# An in-process cache never holds more than this many answers: expired ones go first,
# then the oldest.
MEMORY_LIMIT = 10_000


def cache_key(*parts: object) -> str:
    return ":".join([PREFIX, *map(str, parts)])


class Cache(Protocol):
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
            log.warning("cache unavailable", error=str(error))
            return None
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    async def set(self, key: str, value: str, ttl_seconds: int) -> None:
        try:
            await self.client.set(key, value, ex=ttl_seconds)
        except (RedisError, OSError) as error:
            log.warning("cache unavailable", error=str(error))

    async def close(self) -> None:
        await self.client.aclose()


def cache_for(redis_url: str | None) -> Cache:
    return RedisCache(redis_url) if redis_url else MemoryCache()


async def app_cache(request: Request) -> Cache:
    """The application's cache, made on first use (Redis when configured). Async, so
    FastAPI calls it on the event loop rather than in its thread pool."""
    state = request.app.state
    cache: Cache | None = getattr(state, "cache", None)
    if cache is None:
        cache = cache_for(state.settings.redis_url)
        state.cache = cache
    return cache


AppCache = Annotated[Cache, Depends(app_cache)]
