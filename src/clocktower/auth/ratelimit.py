"""Per-token rate limits (seed 002): sliding minute and hour windows, memory or Redis."""

from __future__ import annotations

import time
from dataclasses import dataclass

from limits import RateLimitItemPerHour, RateLimitItemPerMinute, parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from clocktower.errors import RateLimited


@dataclass(frozen=True)
class RateLimitState:
    limit: int
    remaining: int
    reset_at: int

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(self.remaining, 0)),
            "X-RateLimit-Reset": str(self.reset_at),
        }


class RateLimiter:
    def __init__(
        self, per_minute: int, per_hour: int, public_per_minute: int, redis_url: str | None
    ) -> None:
        self.storage: Storage = _redis_storage(redis_url) if redis_url else MemoryStorage()
        self._limiter = MovingWindowRateLimiter(self.storage)
        self.windows = (RateLimitItemPerMinute(per_minute), RateLimitItemPerHour(per_hour))
        self.public_window = parse(f"{public_per_minute}/minute")

    async def hit(self, key: str) -> RateLimitState:
        """Count one request for a token; raise RateLimited when a window is full."""
        states = []
        for window in self.windows:
            allowed = await self._limiter.hit(window, "api", key)
            stats = await self._limiter.get_window_stats(window, "api", key)
            state = RateLimitState(window.amount, stats.remaining, int(stats.reset_time))
            if not allowed:
                raise _limited(state)
            states.append(state)
        # Report the window closest to running out (the minute one when equal).
        return min(states, key=lambda s: (s.remaining, s.limit))

    async def hit_public(self, key: str) -> RateLimitState:
        """Unauthenticated routes (login, register, leads) are limited per client address."""
        allowed = await self._limiter.hit(self.public_window, "public", key)
        stats = await self._limiter.get_window_stats(self.public_window, "public", key)
        state = RateLimitState(self.public_window.amount, stats.remaining, int(stats.reset_time))
        if not allowed:
            raise _limited(state)
        return state

    async def reset(self) -> None:
        await self.storage.reset()


def _limited(state: RateLimitState) -> RateLimited:
    retry_after = max(state.reset_at - int(time.time()), 1)
    return RateLimited(
        "Rate limit exceeded; retry after the reset time",
        headers={**state.headers(), "Retry-After": str(retry_after)},
    )


def _redis_storage(url: str) -> Storage:
    storage = storage_from_string(_async_redis_uri(url))
    assert isinstance(storage, Storage)
    return storage


def _async_redis_uri(url: str) -> str:
    if url.startswith("redis://"):
        return "async+redis://" + url.removeprefix("redis://")
    if url.startswith("rediss://"):
        return "async+rediss://" + url.removeprefix("rediss://")
    return url
