"""Per-token rate limits (seed 002): headers on every answer, 429 past the limit."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx
import pytest

from clocktower.db import Database
from clocktower.main import create_app
from tests.api_token.support import issue_token
from tests.conftest import test_settings as make_settings
from tests.support import Api, Member

SETTINGS = "/api/v1/settings"


@pytest.fixture
async def limited_api(database: Database) -> AsyncIterator[Api]:
    """An app allowing 3 requests a minute per token, in this test's rolled-back transaction."""
    app = create_app(make_settings(database.url, rate_limit_per_minute=3), database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client)


class TestRateLimit:
    async def test_headers_count_down_then_429(
        self, api: Api, limited_api: Api, admin: Member
    ) -> None:
        token, _ = await issue_token(api, admin, scopes=["read:organization"])

        answers = [await limited_api.as_(token).get(SETTINGS) for _ in range(4)]

        assert [a.status_code for a in answers[:3]] == [200, 200, 200]
        assert [a.headers["X-RateLimit-Limit"] for a in answers[:3]] == ["3", "3", "3"]
        assert [a.headers["X-RateLimit-Remaining"] for a in answers[:3]] == ["2", "1", "0"]
        reset = int(answers[0].headers["X-RateLimit-Reset"])
        assert time.time() - 1 <= reset <= time.time() + 61
        limited = answers[3]
        assert limited.status_code == 429
        assert limited.json()["error_code"] == "rate_limited"
        assert limited.json()["error"] == "Too many requests"
        assert limited.json()["message"]
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        assert limited.headers["X-RateLimit-Remaining"] == "0"

    async def test_limits_are_per_token(self, api: Api, limited_api: Api, admin: Member) -> None:
        first, _ = await issue_token(api, admin, scopes=["read:organization"], name="first")
        second, _ = await issue_token(api, admin, scopes=["read:organization"], name="second")
        for _ in range(3):
            await limited_api.as_(first).get(SETTINGS)

        exhausted = await limited_api.as_(first).get(SETTINGS)
        fresh = await limited_api.as_(second).get(SETTINGS)

        assert exhausted.status_code == 429
        assert fresh.status_code == 200
        assert fresh.headers["X-RateLimit-Remaining"] == "2"

    async def test_failed_requests_count_too(
        self, api: Api, limited_api: Api, admin: Member
    ) -> None:
        # A token lacking the scope still spends its budget: probing is not free.
        token, _ = await issue_token(api, admin, scopes=["read:projects"])

        answers = [await limited_api.as_(token).get(SETTINGS) for _ in range(4)]

        assert [a.status_code for a in answers] == [403, 403, 403, 429]
