"""The invitation page: /invitations/{token} shows an invitation, accepts it as a new account."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from clocktower.config import Settings
from clocktower.db import Database
from clocktower.kit.time import utcnow
from clocktower.kit.tokens import sha256_hex
from clocktower.main import create_app
from clocktower.models import AuthSession, Invitation, Membership, User
from tests.conftest import test_settings as settings_for
from tests.support import PASSWORD, Api, Factory, Member
from tests.team.helpers import invitation_token

INVITED = "nina@example.com"
FORM = {
    "name": "Nina New",
    "password": "a good password",
    "password_confirmation": "a good password",
}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
COOKIE = "clocktower_invitation_csrf"


async def _invite(
    api: Api, factory: Factory, settings: Settings, who: Member, email: str = INVITED, **body: str
) -> str:
    """Invite through the API; the link's token, read from the queued email."""
    response = await api.as_(who).post(
        "/api/v1/team/invite", json={"email": email, "role": "viewer", **body}
    )
    assert response.status_code == 201, response.text
    return await invitation_token(factory, settings, email)


async def _open_form(api: Api, token: str) -> str:
    """GET the page and return the form's CSRF token (the cookie stays in the client)."""
    response = await api.get(f"/invitations/{token}")
    assert response.status_code == 200, response.text
    found = CSRF.search(response.text)
    assert found is not None
    return found.group(1)


async def _submit(api: Api, token: str, csrf: str, **changes: str) -> httpx.Response:
    return await api.post(f"/invitations/{token}", data={**FORM, **changes, "csrf_token": csrf})


async def _user(factory: Factory, email: str) -> User | None:
    result = await factory.session.execute(
        select(User).where(User.email == email).execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()


async def _set_invitation(factory: Factory, token: str, **values: object) -> None:
    await factory.session.execute(
        update(Invitation).where(Invitation.token_hash == sha256_hex(token)).values(**values)
    )
    await factory.session.commit()


@pytest.fixture
async def token(api: Api, factory: Factory, settings: Settings, owner: Member) -> str:
    return await _invite(api, factory, settings, owner)


class TestShowInvitation:
    async def test_shows_the_invitation_and_the_form(
        self, api: Api, owner: Member, token: str
    ) -> None:
        response = await api.get(f"/invitations/{token}")

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        html = response.text
        assert "Join Acme Agency" in html
        assert "Viewer (<code>viewer</code>)" in html
        assert INVITED in html
        assert owner.user.name in html
        expires = (utcnow() + timedelta(days=7)).strftime("%Y-%m-%d")
        assert f"{expires} " in html
        assert '<meta name="viewport"' in html
        for field in ("email", "name", "password", "password_confirmation"):
            assert f'<label for="{field}">' in html
        # The email is shown, not submitted: it comes from the invitation.
        assert 'name="email"' not in html
        assert "readonly" in html
        assert f'action="/invitations/{token}"' in html
        assert "<script" not in html
        csrf = CSRF.search(html)
        assert csrf is not None
        cookie = response.headers["set-cookie"]
        assert f"{COOKIE}={csrf.group(1)}" in cookie
        assert "path=/invitations" in cookie.lower()
        assert "samesite=strict" in cookie.lower()
        assert "httponly" in cookie.lower()
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-frame-options"] == "DENY"
        assert "x-ratelimit-limit" in response.headers

    async def test_reload_keeps_the_same_csrf_token(self, api: Api, token: str) -> None:
        assert await _open_form(api, token) == await _open_form(api, token)

    @pytest.mark.parametrize(
        "path",
        ["inv_" + "x" * 40, "not-a-token", "inv_" + "a" * 120],
        ids=["unknown", "malformed", "too-long"],
    )
    async def test_unknown_token_is_no_longer_valid(self, api: Api, path: str) -> None:
        response = await api.get(f"/invitations/{path}")

        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "This invitation is no longer valid" in response.text
        assert "<form" not in response.text
        assert response.headers["cache-control"] == "no-store"
        assert "set-cookie" not in response.headers

    async def test_revoked_invitation_is_no_longer_valid(
        self, api: Api, factory: Factory, token: str
    ) -> None:
        await _set_invitation(factory, token, revoked_at=utcnow())

        response = await api.get(f"/invitations/{token}")

        assert response.status_code == 404
        assert "This invitation is no longer valid" in response.text

    async def test_accepted_invitation_is_no_longer_valid(
        self, api: Api, factory: Factory, token: str
    ) -> None:
        await _set_invitation(factory, token, accepted_at=utcnow())

        response = await api.get(f"/invitations/{token}")

        assert response.status_code == 404
        assert "This invitation is no longer valid" in response.text

    async def test_expired_invitation_is_gone(self, api: Api, factory: Factory, token: str) -> None:
        await _set_invitation(factory, token, expires_at=utcnow() - timedelta(minutes=1))

        response = await api.get(f"/invitations/{token}")

        assert response.status_code == 410
        assert "This invitation has expired" in response.text
        assert "<form" not in response.text
        assert response.headers["cache-control"] == "no-store"

    async def test_existing_account_is_told_to_accept_through_the_api(
        self, api: Api, factory: Factory, settings: Settings, owner: Member, other_owner: Member
    ) -> None:
        token = await _invite(api, factory, settings, owner, email=other_owner.user.email)

        response = await api.get(f"/invitations/{token}")

        assert response.status_code == 200
        html = response.text
        assert "already exists" in html
        assert "POST /api/v1/auth/login" in html
        assert "POST /api/v1/invitations/{token}/accept" in html
        assert f"/invitations/{token}/accept" in html
        assert "Authorization: Bearer" in html
        assert "<form" not in html
        assert "set-cookie" not in response.headers


class TestAcceptInvitation:
    async def test_creates_the_account_which_then_signs_in_as_a_member(
        self, api: Api, factory: Factory, owner: Member, token: str
    ) -> None:
        csrf = await _open_form(api, token)

        response = await _submit(api, token, csrf)

        assert response.status_code == 200, response.text
        html = response.text
        assert "Welcome to Acme Agency" in html
        assert INVITED in html
        assert "POST /api/v1/auth/login" in html
        # No credential of any kind on the page.
        assert "rt_" not in html
        assert "eyJ" not in html
        assert FORM["password"] not in html
        assert f"{COOKIE}=" in response.headers["set-cookie"]  # deleted
        assert response.headers["cache-control"] == "no-store"

        login = await api.post(
            "/api/v1/auth/login", json={"email": INVITED, "password": FORM["password"]}
        )
        assert login.status_code == 200
        signed_in = api.as_(login.json()["token"])
        mine = await signed_in.get("/api/v1/organizations")
        assert mine.status_code == 200
        [organization] = mine.json()["organizations"]
        assert (organization["id"], organization["role"], organization["is_current"]) == (
            owner.organization.id,
            "viewer",
            True,
        )

        user = await _user(factory, INVITED)
        assert user is not None
        assert user.name == "Nina New"
        membership = (
            await factory.session.execute(
                select(Membership)
                .where(
                    Membership.organization_id == owner.organization.id,
                    Membership.user_id == user.id,
                )
                .options(selectinload(Membership.roles))
            )
        ).scalar_one()
        assert [role.moniker for role in membership.roles] == ["viewer"]
        # The sign-in the acceptance opened was never shown, so it is ended.
        sessions = (
            (
                await factory.session.execute(
                    select(AuthSession).where(AuthSession.user_id == user.id)
                )
            )
            .scalars()
            .all()
        )
        assert [s.revoked_reason for s in sessions if s.revoked_at is not None] == [
            "invitation_page"
        ]

        # The link is spent.
        again = await api.get(f"/invitations/{token}")
        assert again.status_code == 404

    async def test_missing_csrf_cookie_is_forbidden(
        self, api: Api, factory: Factory, token: str
    ) -> None:
        csrf = await _open_form(api, token)
        api.client.cookies.clear()

        response = await _submit(api, token, csrf)

        assert response.status_code == 403
        assert "expired" in response.text
        assert f'href="/invitations/{token}"' in response.text
        assert await _user(factory, INVITED) is None

    async def test_mismatched_csrf_field_is_forbidden(
        self, api: Api, factory: Factory, token: str
    ) -> None:
        await _open_form(api, token)

        response = await _submit(api, token, "x" * 43)

        assert response.status_code == 403
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["cache-control"] == "no-store"
        assert await _user(factory, INVITED) is None

    async def test_missing_csrf_field_is_forbidden(
        self, api: Api, factory: Factory, token: str
    ) -> None:
        await _open_form(api, token)

        response = await api.post(f"/invitations/{token}", data=FORM)

        assert response.status_code == 403
        assert await _user(factory, INVITED) is None

    async def test_validation_errors_rerender_the_form_keeping_the_name(
        self, api: Api, factory: Factory, token: str
    ) -> None:
        csrf = await _open_form(api, token)

        response = await _submit(
            api, token, csrf, name="Nina New", password="short", password_confirmation="different"
        )

        assert response.status_code == 400
        html = response.text
        assert 'role="alert"' in html
        assert "Use at least 8 characters" in html
        assert "The passwords do not match" in html
        assert 'aria-invalid="true"' in html
        assert 'value="Nina New"' in html
        assert "Join Acme Agency" in html
        # Passwords are never sent back.
        assert 'value="short"' not in html
        assert 'value="different"' not in html
        assert response.headers["cache-control"] == "no-store"
        # The same token keeps working for the corrected form.
        assert CSRF.search(html).group(1) == csrf  # type: ignore[union-attr]
        assert await _user(factory, INVITED) is None
        assert (await _submit(api, token, csrf)).status_code == 200

    async def test_missing_fields_are_form_errors(
        self, api: Api, factory: Factory, token: str
    ) -> None:
        csrf = await _open_form(api, token)

        response = await api.post(f"/invitations/{token}", data={"csrf_token": csrf})

        assert response.status_code == 400
        assert "Name: This field is required" in response.text
        assert "Use at least 8 characters" in response.text
        assert await _user(factory, INVITED) is None

    async def test_revoked_meanwhile_is_no_longer_valid(
        self, api: Api, factory: Factory, token: str
    ) -> None:
        csrf = await _open_form(api, token)
        await _set_invitation(factory, token, revoked_at=utcnow())

        response = await _submit(api, token, csrf)

        assert response.status_code == 404
        assert "This invitation is no longer valid" in response.text
        assert await _user(factory, INVITED) is None

    async def test_expired_meanwhile_is_gone(self, api: Api, factory: Factory, token: str) -> None:
        csrf = await _open_form(api, token)
        await _set_invitation(factory, token, expires_at=utcnow() - timedelta(minutes=1))

        response = await _submit(api, token, csrf)

        assert response.status_code == 410
        assert "This invitation has expired" in response.text
        assert await _user(factory, INVITED) is None

    async def test_unknown_token_is_no_longer_valid(self, api: Api, token: str) -> None:
        csrf = await _open_form(api, token)

        response = await _submit(api, "inv_" + "y" * 40, csrf)

        assert response.status_code == 404

    async def test_existing_account_is_refused_with_the_api_explanation(
        self, api: Api, factory: Factory, settings: Settings, owner: Member, other_owner: Member
    ) -> None:
        other_token = await _invite(api, factory, settings, owner, email=other_owner.user.email)
        csrf = await _open_form(api, await _invite(api, factory, settings, owner))

        response = await _submit(api, other_token, csrf)

        assert response.status_code == 409
        assert "already exists" in response.text
        assert "<form" not in response.text
        # The account is unchanged: its password still works, the invitation is still open.
        login = await api.post(
            "/api/v1/auth/login", json={"email": other_owner.user.email, "password": PASSWORD}
        )
        assert login.status_code == 200
        assert (await api.get(f"/invitations/{other_token}")).status_code == 200


class TestRateLimit:
    @pytest.fixture
    async def limited_api(self, database: Database) -> AsyncIterator[Api]:
        app = create_app(settings_for(database.url, public_rate_limit_per_minute=2), database)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield Api(client)

    async def test_too_many_requests_get_a_page(self, limited_api: Api) -> None:
        for _ in range(2):
            assert (await limited_api.get("/invitations/inv_unknown")).status_code == 404

        response = await limited_api.get("/invitations/inv_unknown")

        assert response.status_code == 429
        assert response.headers["content-type"].startswith("text/html")
        assert "Too many requests" in response.text
        assert int(response.headers["retry-after"]) >= 1
        assert response.headers["cache-control"] == "no-store"
