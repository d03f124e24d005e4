"""Rate limits (S1.6): per token, minute and hour windows, memory or Redis, and per
address on public routes."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.ratelimit.conftest import AppFactory, ClientFactory
from tests.support import Api, Member

ME = "/api/v1/users/me"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_limited(response: httpx.Response, limit: int) -> None:
    assert response.status_code == 429
    assert response.json() == {
        "error": "Too many requests",
        "message": "Rate limit exceeded; retry after the reset time",
        "error_code": "rate_limited",
    }
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= 3600
    assert response.headers["X-RateLimit-Limit"] == str(limit)
    assert response.headers["X-RateLimit-Remaining"] == "0"


async def create_api_token(api: Api, owner: Member) -> str:
    created = await api.as_(owner).post(
        "/api/v1/api-tokens", json={"name": "Limits", "scopes": ["read:users"]}
    )
    assert created.status_code == 201, created.text
    token: str = created.json()["token"]
    return token


class TestPerToken:
    async def test_success_reports_the_window(
        self, limited_app: AppFactory, client_of: ClientFactory, owner: Member
    ) -> None:
        app = limited_app(rate_limit_per_minute=3)

        async with client_of(app) as client:
            answers = [await client.get(ME, headers=bearer(owner.token)) for _ in range(3)]

        assert [a.status_code for a in answers] == [200, 200, 200]
        assert [a.headers["X-RateLimit-Limit"] for a in answers] == ["3", "3", "3"]
        assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
        reset = int(answers[0].headers["X-RateLimit-Reset"])
        assert time.time() < reset <= time.time() + 61

    async def test_error_answers_report_the_window_too(
        self, limited_app: AppFactory, client_of: ClientFactory, viewer: Member
    ) -> None:
        app = limited_app(rate_limit_per_minute=3)

        async with client_of(app) as client:
            denied = await client.put(
                "/api/v1/settings", json={"name": "Nope"}, headers=bearer(viewer.token)
            )
            invalid = await client.patch(ME, json={"timezone": 12}, headers=bearer(viewer.token))

        assert denied.status_code == 403
        assert denied.headers["X-RateLimit-Remaining"] == "2"
        assert invalid.status_code == 400
        assert invalid.headers["X-RateLimit-Remaining"] == "1"

    async def test_over_the_minute_limit_is_429_with_retry_after(
        self, limited_app: AppFactory, client_of: ClientFactory, owner: Member
    ) -> None:
        app = limited_app(rate_limit_per_minute=3)

        async with client_of(app) as client:
            for _ in range(3):
                assert (await client.get(ME, headers=bearer(owner.token))).status_code == 200
            refused = await client.get(ME, headers=bearer(owner.token))

        assert_limited(refused, 3)

    async def test_hour_window_applies_when_it_is_the_smaller(
        self, limited_app: AppFactory, client_of: ClientFactory, owner: Member
    ) -> None:
        app = limited_app(rate_limit_per_minute=50, rate_limit_per_hour=2)

        async with client_of(app) as client:
            first = await client.get(ME, headers=bearer(owner.token))
            await client.get(ME, headers=bearer(owner.token))
            refused = await client.get(ME, headers=bearer(owner.token))

        assert first.headers["X-RateLimit-Limit"] == "2"
        assert first.headers["X-RateLimit-Remaining"] == "1"
        assert_limited(refused, 2)

    async def test_each_token_has_its_own_budget(
        self,
        api: Api,
        limited_app: AppFactory,
        client_of: ClientFactory,
        owner: Member,
        member: Member,
    ) -> None:
        api_token = await create_api_token(api, owner)
        app = limited_app(rate_limit_per_minute=2)

        async with client_of(app) as client:
            for _ in range(2):
                await client.get(ME, headers=bearer(owner.token))
            exhausted = await client.get(ME, headers=bearer(owner.token))
            other_member = await client.get(ME, headers=bearer(member.token))
            same_user_api_token = await client.get(ME, headers={"X-API-Key": api_token})

        assert exhausted.status_code == 429
        assert other_member.status_code == 200
        # An API token is counted apart from its user's signed-in session.
        assert same_user_api_token.status_code == 200
        assert same_user_api_token.headers["X-RateLimit-Remaining"] == "1"

    async def test_unauthenticated_request_is_401_not_counted(
        self, limited_app: AppFactory, client_of: ClientFactory, owner: Member
    ) -> None:
        app = limited_app(rate_limit_per_minute=1)

        async with client_of(app) as client:
            anonymous = [await client.get(ME) for _ in range(3)]
            signed_in = await client.get(ME, headers=bearer(owner.token))

        assert {a.status_code for a in anonymous} == {401}
        assert signed_in.status_code == 200


class TestSharedThroughRedis:
    async def test_two_app_instances_share_one_budget(
        self,
        limited_app: AppFactory,
        client_of: ClientFactory,
        owner: Member,
        clean_redis: str,
    ) -> None:
        first_node = limited_app(rate_limit_per_minute=3, redis_url=clean_redis)
        second_node = limited_app(rate_limit_per_minute=3, redis_url=clean_redis)

        async with client_of(first_node) as first, client_of(second_node) as second:
            one = await first.get(ME, headers=bearer(owner.token))
            two = await first.get(ME, headers=bearer(owner.token))
            three = await second.get(ME, headers=bearer(owner.token))
            refused = await first.get(ME, headers=bearer(owner.token))
            refused_elsewhere = await second.get(ME, headers=bearer(owner.token))

        assert [r.status_code for r in (one, two, three)] == [200, 200, 200]
        # The second node saw the first node's two hits.
        assert three.headers["X-RateLimit-Remaining"] == "0"
        assert_limited(refused, 3)
        assert_limited(refused_elsewhere, 3)

    async def test_memory_storage_is_per_process(
        self, limited_app: AppFactory, client_of: ClientFactory, owner: Member
    ) -> None:
        # The contrast: without Redis each process counts alone (documented in S1.6).
        first_node = limited_app(rate_limit_per_minute=1)
        second_node = limited_app(rate_limit_per_minute=1)

        async with client_of(first_node) as first, client_of(second_node) as second:
            assert (await first.get(ME, headers=bearer(owner.token))).status_code == 200
            assert (await second.get(ME, headers=bearer(owner.token))).status_code == 200


class TestPublicRoutes:
    @pytest.mark.parametrize("password", ["wrong password", "correct horse battery staple"])
    async def test_login_is_limited_per_client_address(
        self,
        limited_app: AppFactory,
        client_of: ClientFactory,
        owner: Member,
        password: str,
    ) -> None:
        app = limited_app(public_rate_limit_per_minute=2)
        body = {"email": owner.user.email, "password": password}

        async with (
            client_of(app, address="10.0.0.7") as attacker,
            client_of(app, address="10.0.0.8") as neighbour,
        ):
            tries = [await attacker.post("/api/v1/auth/login", json=body) for _ in range(2)]
            refused = await attacker.post("/api/v1/auth/login", json=body)
            elsewhere = await neighbour.post("/api/v1/auth/login", json=body)

        # Failed sign-ins count as much as successful ones.
        assert {t.status_code for t in tries} == {200 if "horse" in password else 401}
        if tries[1].status_code == 200:
            assert tries[1].headers["X-RateLimit-Remaining"] == "0"
        assert_limited(refused, 2)
        assert elsewhere.status_code == tries[0].status_code
