"""The first-run page: /, /setup (HTML form with a double-submit CSRF token)."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
from sqlalchemy import select

from clocktower.db import Database
from clocktower.main import create_app
from clocktower.models import AuthSession, User
from tests.conftest import test_settings as settings_for
from tests.support import Api, Member

FORM = {
    "name": "Olivia Operator",
    "email": "Olivia@Example.com",
    "password": "first-run-secret",
    "password_confirmation": "first-run-secret",
    "organization_name": "Northwind Agency",
    "timezone": "Europe/Amsterdam",
}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def open_form(api: Api) -> str:
    """GET /setup and return the form's CSRF token (the cookie stays in the client)."""
    response = await api.get("/setup")
    assert response.status_code == 200
    found = CSRF.search(response.text)
    assert found is not None
    return found.group(1)


async def submit(api: Api, token: str, **changes: str) -> httpx.Response:
    return await api.post("/setup", data={**FORM, **changes, "csrf_token": token})


class TestHome:
    async def test_fresh_installation_redirects_to_setup(self, api: Api) -> None:
        response = await api.get("/")

        assert response.status_code == 303
        assert response.headers["location"] == "/setup"

    async def test_set_up_installation_redirects_to_api_docs(self, api: Api, owner: Member) -> None:
        response = await api.get("/")

        assert response.status_code == 303
        assert response.headers["location"] == "/api/docs"


class TestShowSetup:
    async def test_renders_the_form_with_a_csrf_cookie(self, api: Api) -> None:
        response = await api.get("/setup")

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        html = response.text
        for field in ("name", "email", "password", "password_confirmation", "organization_name"):
            assert f'<label for="{field}">' in html
            assert f'id="{field}" name="{field}"' in html
        assert '<option value="UTC" selected>' in html
        assert '<meta name="viewport"' in html
        token = CSRF.search(html)
        assert token is not None
        cookie = response.headers["set-cookie"]
        assert f"clocktower_setup_csrf={token.group(1)}" in cookie
        assert "samesite=strict" in cookie.lower()
        assert "httponly" in cookie.lower()
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["cache-control"] == "no-store"

    async def test_reload_keeps_the_same_token(self, api: Api) -> None:
        first = await open_form(api)
        second = await open_form(api)

        assert first == second

    async def test_set_up_installation_says_so(self, api: Api, owner: Member) -> None:
        response = await api.get("/setup")

        assert response.status_code == 200
        assert "is set up" in response.text
        assert 'href="/api/docs"' in response.text
        assert "<form" not in response.text
        assert "set-cookie" not in response.headers

    async def test_stylesheet_is_served_locally(self, api: Api) -> None:
        page = await api.get("/setup")
        css = await api.get("/static/clocktower.css")
        missing = await api.get("/static/nothing.css")

        assert 'href="/static/clocktower.css"' in page.text
        assert css.status_code == 200
        assert css.headers["content-type"].startswith("text/css")
        assert missing.status_code == 404

    async def test_web_routes_are_not_in_the_openapi_document(self, api: Api) -> None:
        paths = (await api.get("/api/openapi.json")).json()["paths"]

        assert not [path for path in paths if not path.startswith("/api/v1/")]


class TestCompleteSetup:
    async def test_creates_the_operator_who_then_signs_in_through_the_api(
        self, api: Api, database: Database
    ) -> None:
        token = await open_form(api)

        response = await submit(api, token)

        assert response.status_code == 200
        html = response.text
        assert "Your account is ready" in html
        assert "POST /api/v1/auth/login" in html
        assert 'href="/api/docs"' in html
        assert "olivia@example.com" in html
        assert "Northwind Agency" in html
        # No credential of any kind on the page.
        assert "rt_" not in html
        assert "eyJ" not in html
        assert FORM["password"] not in html
        assert "clocktower_setup_csrf=" in response.headers["set-cookie"]  # deleted
        assert (await api.get("/api/v1/info")).json()["setup_required"] is False

        login = await api.post(
            "/api/v1/auth/login",
            json={"email": "olivia@example.com", "password": FORM["password"]},
        )
        assert login.status_code == 200
        signed_in = await api.as_(login.json()["token"]).post("/api/v1/auth/logout")
        assert signed_in.status_code == 200

        async with database.sessionmaker() as session:
            user = (
                await session.execute(select(User).where(User.email == "olivia@example.com"))
            ).scalar_one()
            sessions = (
                (await session.execute(select(AuthSession).where(AuthSession.user_id == user.id)))
                .scalars()
                .all()
            )
        assert user.is_superuser is True
        assert user.timezone == "Europe/Amsterdam"
        # The sign-in registration opened was never shown, so it is ended.
        setup_sessions = [s for s in sessions if s.revoked_reason == "setup"]
        assert len(setup_sessions) == 1

    async def test_missing_csrf_cookie_is_forbidden(self, api: Api) -> None:
        token = await open_form(api)
        api.client.cookies.clear()

        response = await submit(api, token)

        assert response.status_code == 403
        assert "expired" in response.text
        assert (await api.get("/api/v1/info")).json()["setup_required"] is True

    async def test_mismatched_csrf_field_is_forbidden(self, api: Api) -> None:
        await open_form(api)

        response = await submit(api, "x" * 43)

        assert response.status_code == 403
        assert response.headers["content-type"].startswith("text/html")
        assert (await api.get("/api/v1/info")).json()["setup_required"] is True

    async def test_missing_csrf_field_is_forbidden(self, api: Api) -> None:
        await open_form(api)

        response = await api.post("/setup", data=FORM)

        assert response.status_code == 403

    async def test_validation_errors_rerender_the_form_keeping_values(self, api: Api) -> None:
        token = await open_form(api)

        response = await submit(
            api,
            token,
            name="   ",
            email="not-an-email",
            password="short",
            password_confirmation="different",
        )

        assert response.status_code == 400
        html = response.text
        assert 'role="alert"' in html
        assert "Name: This field is required" in html
        assert "Enter a valid email address" in html
        assert "Use at least 8 characters" in html
        assert "The passwords do not match" in html
        assert 'aria-invalid="true"' in html
        assert 'value="not-an-email"' in html
        assert 'value="Northwind Agency"' in html
        assert '<option value="Europe/Amsterdam" selected>' in html
        # Passwords are never sent back.
        assert 'value="short"' not in html
        assert 'value="different"' not in html
        # The same token keeps working for the corrected form.
        assert CSRF.search(html).group(1) == token  # type: ignore[union-attr]
        assert (await api.get("/api/v1/info")).json()["setup_required"] is True

    async def test_unknown_time_zone_is_a_form_error(self, api: Api) -> None:
        token = await open_form(api)

        response = await submit(api, token, timezone="Mars/Olympus_Mons")

        assert response.status_code == 400
        assert "Unknown time zone" in response.text
        assert (await api.get("/api/v1/info")).json()["setup_required"] is True

    async def test_missing_fields_are_form_errors(self, api: Api) -> None:
        token = await open_form(api)

        response = await api.post("/setup", data={"csrf_token": token})

        assert response.status_code == 400
        assert response.text.count("This field is required") >= 4

    async def test_second_setup_is_refused(self, api: Api) -> None:
        token = await open_form(api)
        assert (await submit(api, token)).status_code == 200
        api.client.cookies.set("clocktower_setup_csrf", token, path="/setup")

        again = await submit(api, token, email="mallory@example.com")

        assert again.status_code == 409
        assert again.headers["content-type"].startswith("text/html")
        assert "Already set up" in again.text
        login = await api.post(
            "/api/v1/auth/login",
            json={"email": "mallory@example.com", "password": FORM["password"]},
        )
        assert login.status_code == 401

    async def test_setup_after_any_account_exists_is_refused(self, api: Api, owner: Member) -> None:
        token = "t" * 43
        api.client.cookies.set("clocktower_setup_csrf", token, path="/setup")

        response = await submit(api, token)

        assert response.status_code == 409


class TestConcurrentSetup:
    @pytest.mark.committing
    async def test_two_concurrent_setups_create_one_account(
        self, committing_database: Database
    ) -> None:
        app = create_app(settings_for(committing_database.url), committing_database)
        token = "c" * 43
        transport = httpx.ASGITransport(app=app)

        async def post(email: str) -> httpx.Response:
            async with httpx.AsyncClient(
                transport=transport,
                base_url="http://testserver",
                cookies={"clocktower_setup_csrf": token},
            ) as client:
                return await client.post(
                    "/setup", data={**FORM, "email": email, "csrf_token": token}
                )

        answers = await asyncio.gather(post("first@example.com"), post("second@example.com"))

        assert sorted(answer.status_code for answer in answers) == [200, 409]
        async with committing_database.transaction(write=False) as session:
            users = (await session.execute(select(User))).scalars().all()
        assert len(users) == 1
        assert users[0].is_superuser is True
