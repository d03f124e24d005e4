"""Concurrency fixtures: the real app on a database of the test's own, with real commits."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from clocktower.db import Database
from clocktower.main import create_app
from tests.conftest import test_settings as settings_for


@pytest.fixture
async def client(committing_database: Database) -> AsyncIterator[httpx.AsyncClient]:
    """One HTTP client on an app whose requests commit for real (no shared transaction)."""
    url = committing_database.url
    app = create_app(settings_for(url), Database(url))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


async def register(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    """A new account and organisation over HTTP; returns the sign-in answer."""
    response = await client.post(
        "/api/v1/auth/register",
        json={
            "name": "Paula Parallel",
            "email": email,
            "password": "parallel-password-1",
            "password_confirmation": "parallel-password-1",
            "organization_name": "Parallel Founders",
        },
    )
    assert response.status_code == 201, response.text
    body: dict[str, str] = response.json()
    return body
