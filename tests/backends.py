"""Which databases and Redis the suite runs against.

SQLite always. PostgreSQL and Redis when they answer (CLOCKTOWER_TEST_DATABASE_URL,
CLOCKTOWER_TEST_REDIS_URL, defaulting to the local servers); when absent their legs are
skipped with one line, except on CI (CI=true), where their absence fails the run.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass

DEFAULT_PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"


@dataclass(frozen=True)
class Availability:
    postgres_url: str | None
    postgres_problem: str | None
    redis_url: str | None
    redis_problem: str | None


def on_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


async def _probe_postgres(url: str) -> str | None:
    import asyncpg

    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    try:
        connection = await asyncio.wait_for(asyncpg.connect(dsn), timeout=3)
    except Exception as error:  # any failure means "not available"
        return f"{type(error).__name__}: {error}"
    await connection.close()
    return None


async def _probe_redis(url: str) -> str | None:
    import redis.asyncio as redis

    client = redis.from_url(url, socket_connect_timeout=2)
    try:
        await client.ping()
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    finally:
        await client.aclose()
    return None


def detect() -> Availability:
    pg_url = os.environ.get("CLOCKTOWER_TEST_DATABASE_URL", DEFAULT_PG_URL)
    redis_url = os.environ.get("CLOCKTOWER_TEST_REDIS_URL", DEFAULT_REDIS_URL)
    pg_problem = asyncio.run(_probe_postgres(pg_url))
    redis_problem = asyncio.run(_probe_redis(redis_url))
    return Availability(
        postgres_url=None if pg_problem else pg_url,
        postgres_problem=pg_problem,
        redis_url=None if redis_problem else redis_url,
        redis_problem=redis_problem,
    )
