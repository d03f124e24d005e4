"""Register, sign in, refresh, sign out."""

from __future__ import annotations

import pytest

from tests.support import PASSWORD, Api, Member

REGISTRATION = {
    "name": "John Doe",
    "email": "John@Example.com",
    "password": "secret123!",
    "password_confirmation": "secret123!",
    "organization_name": "Acme Agency",
}


class TestRegister:
    async def test_creates_user_organisation_and_tokens(self, api: Api) -> None:
        response = await api.post("/api/v1/auth/register", json=REGISTRATION)

        assert response.status_code == 201
        body = response.json()
        assert body["user"]["email"] == "john@example.com"
        assert body["organization"]["slug"] == "acme-agency"
        assert body["token"]
        assert body["refresh_token"].startswith("rt_")

    async def test_duplicate_email_is_conflict(self, api: Api) -> None:
        await api.post("/api/v1/auth/register", json=REGISTRATION)
        again = await api.post("/api/v1/auth/register", json=REGISTRATION)

        assert again.status_code == 409
        assert again.json()["error_code"] == "email_taken"

    async def test_mismatched_confirmation_is_validation_error(self, api: Api) -> None:
        body = {**REGISTRATION, "password_confirmation": "different!!"}
        response = await api.post("/api/v1/auth/register", json=body)

        assert response.status_code == 400
        assert response.json()["error_code"] == "validation_error"

    async def test_unknown_field_is_validation_error(self, api: Api) -> None:
        response = await api.post("/api/v1/auth/register", json={**REGISTRATION, "admin": True})

        assert response.status_code == 400
        assert response.json()["errors"] == {"admin": ["Unknown field"]}

    async def test_malformed_json_is_400(self, api: Api) -> None:
        response = await api.post(
            "/api/v1/auth/register",
            content=b"{not json",
            headers={"Content-Type": "application/json"},
        )

        assert response.status_code == 400
        assert response.json()["error_code"] == "invalid_json"

    async def test_oversized_body_is_413(self, api: Api) -> None:
        response = await api.post(
            "/api/v1/auth/register",
            content=b"x" * 2_000_000,
            headers={"Content-Type": "application/json"},
        )

        assert response.status_code == 413
        assert response.json()["error_code"] == "payload_too_large"


class TestLogin:
    @pytest.mark.parametrize("field", ["email", "username"])
    async def test_signs_in_by_email_or_username(self, api: Api, owner: Member, field: str) -> None:
        identifier = owner.user.email
        response = await api.post(
            "/api/v1/auth/login", json={field: identifier, "password": PASSWORD}
        )

        assert response.status_code == 200
        assert response.json()["user"]["id"] == owner.id

    async def test_wrong_password_is_401(self, api: Api, owner: Member) -> None:
        response = await api.post(
            "/api/v1/auth/login", json={"email": owner.user.email, "password": "nope nope"}
        )

        assert response.status_code == 401
        assert response.json()["error_code"] == "invalid_credentials"


class TestRefresh:
    async def test_rotates_and_detects_reuse(self, api: Api, owner: Member) -> None:
        first = await api.post("/api/v1/auth/refresh", json={"refresh_token": owner.refresh_token})
        reused = await api.post("/api/v1/auth/refresh", json={"refresh_token": owner.refresh_token})
        newer = await api.post(
            "/api/v1/auth/refresh", json={"refresh_token": first.json()["refresh_token"]}
        )

        assert first.status_code == 200
        assert reused.status_code == 401
        assert reused.json()["error_code"] == "refresh_token_reused"
        # Reuse revoked the whole sign-in, including the newer token and access token.
        assert newer.status_code == 401
        me = await api.as_(first.json()["token"]).post("/api/v1/auth/logout")
        assert me.status_code == 401

    async def test_header_form_of_seed_004(self, api: Api, owner: Member) -> None:
        response = await api.post(
            "/api/v1/auth/refresh", headers={"x-refresh-token": owner.refresh_token}
        )

        assert response.status_code == 200


class TestLogout:
    async def test_access_token_stops_working(self, api: Api, owner: Member) -> None:
        first = await api.as_(owner).post("/api/v1/auth/logout")
        second = await api.as_(owner).post("/api/v1/auth/logout")

        assert first.status_code == 200
        assert second.status_code == 401
