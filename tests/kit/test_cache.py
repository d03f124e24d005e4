"""The application cache's stores: in-process (a time to live, a size limit) and Redis
(shared between processes; an unreachable Redis is a miss, never an error)."""

from __future__ import annotations

from clocktower.kit.cache import PREFIX, MemoryCache, RedisCache, cache_key
from tests.ratelimit.conftest import clean_redis

# The rate-limit suite's empty Redis (db 15), shared rather than copied.
__all__ = ["clean_redis"]


class Ticking:
    """A monotonic clock tests move by hand."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


class TestMemoryCache:
    async def test_values_live_for_their_ttl(self) -> None:
        timer = Ticking()
        cache = MemoryCache(timer=timer)
        await cache.set("a", "1", 600)

        timer.seconds += 599
        assert await cache.get("a") == "1"
        timer.seconds += 1
        assert await cache.get("a") is None
        assert await cache.get("never") is None

    async def test_a_full_cache_drops_expired_then_oldest(self) -> None:
        timer = Ticking()
        cache = MemoryCache(limit=3, timer=timer)
        await cache.set("short", "s", 1)
        await cache.set("old", "o", 100)
        await cache.set("new", "n", 100)
        timer.seconds += 5

        await cache.set("newer", "w", 100)  # the expired one makes room
        assert await cache.get("old") == "o"
        await cache.set("newest", "x", 100)  # then the oldest goes

        assert await cache.get("old") is None
        assert [await cache.get(k) for k in ("new", "newer", "newest")] == ["n", "w", "x"]

    def test_keys_start_with_the_application_prefix(self) -> None:
        assert cache_key("time_entry_total", 7, 12) == f"{PREFIX}:time_entry_total:7:12"


class TestRedisCache:
    async def test_values_are_shared_with_a_ttl(self, clean_redis: str) -> None:
        first, second = RedisCache(clean_redis), RedisCache(clean_redis)
        try:
            await first.set("clocktower:dashboard:1:2:value", '{"a": 1}', 600)

            assert await second.get("clocktower:dashboard:1:2:value") == '{"a": 1}'
            ttl = await second.client.ttl("clocktower:dashboard:1:2:value")
            assert 590 <= ttl <= 600
            assert await second.get("clocktower:dashboard:1:2:other") is None
        finally:
            await first.close()
            await second.close()

    async def test_an_unreachable_redis_is_a_miss_not_an_error(self) -> None:
        cache = RedisCache("redis://127.0.0.1:1/0")
        try:
            await cache.set("k", "v", 60)
            assert await cache.get("k") is None
        finally:
            await cache.close()
