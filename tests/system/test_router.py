"""System routes."""

from __future__ import annotations

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
