"""The password-reset page: /reset-password?token=... (the link of the forgot-password email)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from clocktower.config import Settings
from clocktower.db import Database
from clocktower.email.service import decrypt_body
from clocktower.kit.time import utcnow
from clocktower.kit.tokens import sha256_hex
from clocktower.main import create_app
from clocktower.models import PasswordResetToken
from tests.conftest import test_settings as settings_for
from tests.support import PASSWORD, Api, Factory, Member
from tests.team.helpers import sent_emails

NEW_PASSWORD = "a brand new passphrase"
FORM = {"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
RESET_LINK = re.compile(r"/reset-password\?token=(pr_[A-Za-z0-9]+)")
COOKIE = "clocktower_reset_csrf"
UNKNOWN = "pr_" + "z" * 40


async def _reset_token(api: Api, factory: Factory, settings: Settings, email: str) -> str:
    """Forgot-password through the API; the token of the link in the queued email."""
    response = await api.post("/api/v1/auth/forgot-password", json={"email": email})
    assert response.status_code == 200
    emails = await sent_emails(factory, email)
    assert emails, f"no email to {email}"
    found = RESET_LINK.search(decrypt_body(settings, emails[-1]))
    assert found is not None
    return found.group(1)


async def _open_form(api: Api, token: str) -> str:
    response = await api.get("/reset-password", params={"token": token})
    assert response.status_code == 200, response.text
    found = CSRF.search(response.text)
    assert found is not None
    return found.group(1)


async def _submit(api: Api, token: str, csrf: str, **changes: str) -> httpx.Response:
    return await api.post(
        "/reset-password", data={**FORM, **changes, "token": token, "csrf_token": csrf}
    )


async def _login(api: Api, email: str, password: str) -> int:
    response = await api.post("/api/v1/auth/login", json={"email": email, "password": password})
    return response.status_code


@pytest.fixture
async def token(api: Api, factory: Factory, settings: Settings, owner: Member) -> str:
    return await _reset_token(api, factory, settings, owner.user.email)


class TestShowResetForm:
    async def test_renders_the_form_with_the_token_hidden(self, api: Api, token: str) -> None:
        response = await api.get(f"/reset-password?token={token}")

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        html = response.text
        assert "Choose a new password" in html
        assert f'<input type="hidden" name="token" value="{token}">' in html
        for field in ("password", "password_confirmation"):
            assert f'<label for="{field}">' in html
            assert f'id="{field}" name="{field}" type="password"' in html
        assert 'action="/reset-password"' in html
        assert '<meta name="viewport"' in html
        assert "<script" not in html
        csrf = CSRF.search(html)
        assert csrf is not None
        cookie = response.headers["set-cookie"]
        assert f"{COOKIE}={csrf.group(1)}" in cookie
        assert "path=/reset-password" in cookie.lower()
        assert "samesite=strict" in cookie.lower()
        assert "httponly" in cookie.lower()
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-frame-options"] == "DENY"
        assert "x-ratelimit-limit" in response.headers

    async def test_an_unknown_token_of_the_right_shape_gets_the_same_form(self, api: Api) -> None:
        # Opening a link must not tell whether its token is valid.
        response = await api.get("/reset-password", params={"token": UNKNOWN})

        assert response.status_code == 200
        assert f'name="token" value="{UNKNOWN}"' in response.text

    @pytest.mark.parametrize(
        "query",
        [
            "",
            "?token=",
            "?token=abc",
            "?token=pr_",
            "?token=pr_%3Cscript%3E",
            f"?token=pr_{'a' * 300}",
        ],
        ids=["missing", "empty", "no-prefix", "prefix-only", "bad-characters", "too-long"],
    )
    async def test_malformed_token_is_an_invalid_link(self, api: Api, query: str) -> None:
        response = await api.get(f"/reset-password{query}")

        assert response.status_code == 400
        assert response.headers["content-type"].startswith("text/html")
        assert "This link is no longer valid" in response.text
        assert "request a new one" in response.text
        assert "POST /api/v1/auth/forgot-password" in response.text
        assert "<form" not in response.text
        assert "<script>" not in response.text
        assert response.headers["cache-control"] == "no-store"
        assert "set-cookie" not in response.headers


class TestResetPassword:
    async def test_changes_the_password_and_signs_out_everywhere(
        self, api: Api, owner: Member, token: str
    ) -> None:
        csrf = await _open_form(api, token)
        assert (await api.as_(owner).get("/api/v1/organizations")).status_code == 200

        response = await _submit(api, token, csrf)

        assert response.status_code == 200, response.text
        html = response.text
        assert "Your password has been changed" in html
        assert "signed out" in html
        assert "POST /api/v1/auth/login" in html
        assert NEW_PASSWORD not in html
        assert token not in html
        assert f"{COOKIE}=" in response.headers["set-cookie"]  # deleted
        assert response.headers["cache-control"] == "no-store"
        assert await _login(api, owner.user.email, PASSWORD) == 401
        assert await _login(api, owner.user.email, NEW_PASSWORD) == 200
        # Every earlier sign-in ended.
        assert (await api.as_(owner).get("/api/v1/organizations")).status_code == 401

    async def test_a_used_link_is_no_longer_valid(
        self, api: Api, owner: Member, token: str
    ) -> None:
        csrf = await _open_form(api, token)
        assert (await _submit(api, token, csrf)).status_code == 200

        # The spent link still opens the form (opening never tells), but is refused.
        again = await _submit(
            api,
            token,
            await _open_form(api, token),
            password="yet another passphrase",
            password_confirmation="yet another passphrase",
        )

        assert again.status_code == 400
        assert "This link is no longer valid" in again.text
        assert await _login(api, owner.user.email, NEW_PASSWORD) == 200

    async def test_an_expired_link_is_no_longer_valid(
        self, api: Api, factory: Factory, owner: Member, token: str
    ) -> None:
        csrf = await _open_form(api, token)
        await factory.session.execute(
            update(PasswordResetToken)
            .where(PasswordResetToken.token_hash == sha256_hex(token))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await factory.session.commit()

        response = await _submit(api, token, csrf)

        assert response.status_code == 400
        assert "This link is no longer valid" in response.text
        assert "request a new one" in response.text
        assert await _login(api, owner.user.email, PASSWORD) == 200

    async def test_an_unknown_token_is_no_longer_valid(
        self, api: Api, owner: Member, token: str
    ) -> None:
        csrf = await _open_form(api, token)

        response = await _submit(api, UNKNOWN, csrf)

        assert response.status_code == 400
        assert "This link is no longer valid" in response.text
        assert await _login(api, owner.user.email, PASSWORD) == 200

    async def test_a_malformed_token_is_no_longer_valid(self, api: Api, token: str) -> None:
        csrf = await _open_form(api, token)

        response = await _submit(api, "not-a-token", csrf)

        assert response.status_code == 400
        assert "This link is no longer valid" in response.text

    async def test_missing_csrf_cookie_is_forbidden(
        self, api: Api, owner: Member, token: str
    ) -> None:
        csrf = await _open_form(api, token)
        api.client.cookies.clear()

        response = await _submit(api, token, csrf)

        assert response.status_code == 403
        assert "expired" in response.text
        assert f'href="/reset-password?token={token}"' in response.text
        assert await _login(api, owner.user.email, PASSWORD) == 200
        # The link itself still works from the page.
        assert (await _submit(api, token, await _open_form(api, token))).status_code == 200

    async def test_mismatched_csrf_field_is_forbidden(
        self, api: Api, owner: Member, token: str
    ) -> None:
        await _open_form(api, token)

        response = await _submit(api, token, "x" * 43)

        assert response.status_code == 403
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["cache-control"] == "no-store"
        assert await _login(api, owner.user.email, PASSWORD) == 200

    async def test_missing_csrf_field_is_forbidden(
        self, api: Api, owner: Member, token: str
    ) -> None:
        await _open_form(api, token)

        response = await api.post("/reset-password", data={**FORM, "token": token})

        assert response.status_code == 403
        assert await _login(api, owner.user.email, PASSWORD) == 200

    async def test_validation_errors_rerender_the_form_keeping_the_token(
        self, api: Api, owner: Member, token: str
    ) -> None:
        csrf = await _open_form(api, token)

        response = await _submit(api, token, csrf, password="short", password_confirmation="other")

        assert response.status_code == 400
        html = response.text
        assert 'role="alert"' in html
        assert "Use at least 8 characters" in html
        assert "The passwords do not match" in html
        assert 'aria-invalid="true"' in html
        assert f'name="token" value="{token}"' in html
        # Passwords are never sent back.
        assert 'value="short"' not in html
        assert 'value="other"' not in html
        assert response.headers["cache-control"] == "no-store"
        assert CSRF.search(html).group(1) == csrf  # type: ignore[union-attr]
        # Nothing was spent: the corrected form goes through.
        assert await _login(api, owner.user.email, PASSWORD) == 200
        assert (await _submit(api, token, csrf)).status_code == 200

    async def test_missing_fields_are_form_errors(self, api: Api, token: str) -> None:
        csrf = await _open_form(api, token)

        response = await api.post("/reset-password", data={"csrf_token": csrf, "token": token})

        assert response.status_code == 400
        assert "Password: Use at least 8 characters" in response.text


class TestRateLimit:
    @pytest.fixture
    async def limited_api(self, database: Database) -> AsyncIterator[Api]:
        app = create_app(settings_for(database.url, public_rate_limit_per_minute=2), database)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield Api(client)

    async def test_the_page_shares_the_apis_auth_budget(self, limited_api: Api) -> None:
        login = {"email": "nobody@example.com", "password": "whatever it is"}
        assert (await limited_api.post("/api/v1/auth/login", json=login)).status_code == 401
        assert (await limited_api.get(f"/reset-password?token={UNKNOWN}")).status_code == 200

        response = await limited_api.post(
            "/reset-password", data={**FORM, "token": UNKNOWN, "csrf_token": "x" * 43}
        )

        assert response.status_code == 429
        assert response.headers["content-type"].startswith("text/html")
        assert "Too many requests" in response.text
        assert int(response.headers["retry-after"]) >= 1
        assert response.headers["cache-control"] == "no-store"
