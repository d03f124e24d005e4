"""Rate-limit fixtures: apps with small limits on the test's database, and a clean Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
import redis.asyncio as redis
from fastapi import FastAPI

from clocktower.db import Database
from clocktower.main import create_app
from tests.conftest import test_settings as settings_for

AppFactory = Callable[..., FastAPI]
ClientFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def limited_app(database: Database) -> AppFactory:
    """`limited_app(rate_limit_per_minute=3)`: the real app with these limits, on this
    test's rolled-back database, with a rate limiter (and storage) of its own."""

    def build(**limits: Any) -> FastAPI:
        return create_app(settings_for(database.url, **limits), database)

    return build


@pytest.fixture
def client_of() -> ClientFactory:
    """`async with client_of(app, address="10.0.0.7") as client:` — a caller at an address."""

    @asynccontextmanager
    async def open_client(
        app: FastAPI, address: str = "127.0.0.1"
    ) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=app, client=(address, 50_000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client

    return open_client


@pytest.fixture
async def clean_redis(redis_url: str) -> AsyncIterator[str]:
    """The Redis test database (db 15), empty before and after the test."""
    client = redis.from_url(redis_url)
    try:
        await client.flushdb()
        yield redis_url
        await client.flushdb()
    finally:
        await client.aclose()
