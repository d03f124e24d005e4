"""Dashboard fixtures: a held clock, a fresh cache per test, and entries arranged as rows.

Entries are written directly (`add_entry`): the dashboards only read them. The clock the
dashboards read (`clocktower.dashboard.clock.now`) is held with `at(...)`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI

from clocktower.dashboard import clock
from clocktower.db import Database
from clocktower.kit.cache import MemoryCache
from clocktower.main import create_app
from tests.conftest import test_settings as settings_for
from tests.ratelimit.conftest import clean_redis
from tests.support import Api

VALUE = "/api/v1/stats/value-dashboard"
WEEK = "/api/v1/reports/week-comparison"
PRODUCTIVITY = "/api/v1/productivity/stats"

Hold = Callable[[datetime], datetime]
# The rate-limit suite's empty Redis (db 15), shared rather than copied.
__all__ = ["clean_redis"]


def forecast_url(project_id: int) -> str:
    return f"/api/v1/projects/{project_id}/forecast"


def utc(text: str) -> datetime:
    """`"2026-04-15T09:00"` → that instant in UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def local(text: str, zone: str) -> datetime:
    """A wall-clock time in `zone` → the UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


@pytest.fixture
def fresh_cache(app: Any) -> Iterator[MemoryCache]:
    """An empty in-process application cache for the test (ids repeat across rolled-back
    tests on SQLite, so answers must not outlive a test)."""
    cache = MemoryCache()
    app.state.cache = cache
    yield cache
    app.state.cache = MemoryCache()


@pytest.fixture
def api(api: Api, fresh_cache: MemoryCache) -> Api:
    """The suite's `api`, with a fresh dashboard cache."""
    return api


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> Hold:
    """`at(utc("2026-04-15T10:00"))`: the dashboards' now from then on."""

    def hold(instant: datetime) -> datetime:
        monkeypatch.setattr(clock, "now", lambda: instant)
        return instant

    return hold


@pytest.fixture
def node(database: Database) -> Callable[..., FastAPI]:
    """`node(redis_url=...)`: another application process on this test's database."""

    def build(**overrides: Any) -> FastAPI:
        return create_app(settings_for(database.url, **overrides), database)

    return build


@asynccontextmanager
async def client_of(app: FastAPI) -> AsyncIterator[Api]:
    """An API client of another application process."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client)
