"""System routes."""

from __future__ import annotations

import httpx

from clocktower.config import Settings
from clocktower.main import create_app
from tests.support import Api, Member


class TestInfo:
    async def test_setup_required_until_first_account(self, api: Api) -> None:
        response = await api.get("/api/v1/info")

        assert response.status_code == 200
        body = response.json()
        assert body["api_version"] == "v1"
        assert body["setup_required"] is True
        assert body["documentation_url"] == "/api/docs"
        assert body["endpoints"]["time_entries"] == "/api/v1/time-entries"

    async def test_setup_done_once_an_account_exists(self, api: Api, owner: Member) -> None:
        response = await api.get("/api/v1/info")

        assert response.json()["setup_required"] is False


class TestHealth:
    async def test_health_and_readiness(self, api: Api) -> None:
        health = await api.get("/api/v1/health")
        ready = await api.get("/api/v1/ready")

        assert health.status_code == 200
        assert health.json()["status"] == "healthy"
        assert ready.status_code == 200
        assert ready.json() == {"status": "ready", "checks": {"database": "ok"}}

    async def test_readiness_is_503_when_the_database_does_not_answer(self) -> None:
        # Port 1 refuses at once: a database that is down, not a slow one.
        settings = Settings(
            environment="test",
            database_url="postgresql+asyncpg://nobody@127.0.0.1:1/absent",
            run_jobs_in_process=False,
        )
        app = create_app(settings)
        transport = httpx.ASGITransport(app=app)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                health = await client.get("/api/v1/health")
                ready = await client.get("/api/v1/ready")
        finally:
            await app.state.database.dispose()

        assert health.status_code == 200
        assert ready.status_code == 503
        assert ready.json() == {
            "error": "Not ready",
            "message": "The database does not answer",
            "error_code": "not_ready",
        }


class TestTeapot:
    async def test_teapot_is_418_in_the_error_body(self, api: Api) -> None:
        response = await api.get("/api/v1/teapot")

        assert response.status_code == 418
        assert response.json() == {
            "error": "I'm a teapot",
            "message": "I'm a teapot",
            "error_code": "teapot",
        }


class TestErrors:
    async def test_unknown_url_is_404_in_the_error_body(self, api: Api) -> None:
        response = await api.get("/api/v1/nothing-here")

        assert response.status_code == 404
        assert response.json()["error_code"] == "not_found"

    async def test_cors_headers_on_errors_and_preflight(self, api: Api) -> None:
        error = await api.get("/api/v1/nothing-here", headers={"Origin": "https://app.example"})
        preflight = await api.request(
            "OPTIONS",
            "/api/v1/auth/login",
            headers={
                "Origin": "https://app.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "Content-Type,Authorization",
            },
        )

        assert error.headers["access-control-allow-origin"] == "*"
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "*"
        assert "PATCH" in preflight.headers["access-control-allow-methods"]

    async def test_request_id_is_echoed(self, api: Api) -> None:
        response = await api.get("/api/v1/health", headers={"X-Request-Id": "abc-123"})

        assert response.headers["x-request-id"] == "abc-123"

    async def test_request_id_is_made_when_absent_or_unusable(self, api: Api) -> None:
        absent = await api.get("/api/v1/health")
        too_long = await api.get("/api/v1/health", headers={"X-Request-Id": "x" * 65})

        assert len(absent.headers["x-request-id"]) == 32
        assert len(too_long.headers["x-request-id"]) == 32
        assert absent.headers["x-request-id"] != too_long.headers["x-request-id"]

    async def test_wrong_method_is_405_in_the_error_body(self, api: Api) -> None:
        response = await api.delete("/api/v1/info")

        assert response.status_code == 405
        assert response.json() == {
            "error": "Method not allowed",
            "message": "This method is not allowed here",
            "error_code": "method_not_allowed",
        }

    async def test_non_json_body_is_a_validation_error(self, api: Api) -> None:
        response = await api.post(
            "/api/v1/auth/login",
            content=b'{"email": "a@example.com", "password": "x"}',
            headers={"Content-Type": "text/plain"},
        )

        assert response.status_code == 400
        assert response.json()["error_code"] == "validation_error"

    async def test_browsers_can_read_errors_and_rate_limit_headers(
        self, api: Api, owner: Member
    ) -> None:
        origin = {"Origin": "https://app.example"}
        refused = await api.post("/api/v1/auth/logout", headers=origin)
        signed_in = await api.as_(owner).post("/api/v1/auth/logout", headers=origin)

        assert refused.status_code == 401
        assert refused.headers["access-control-allow-origin"] == "*"
        assert signed_in.status_code == 200
        exposed = signed_in.headers["access-control-expose-headers"]
        for header in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
            assert header in exposed
            assert header.lower() in signed_in.headers
        assert "Retry-After" in exposed
        assert "X-Request-Id" in exposed
