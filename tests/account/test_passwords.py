"""Forgot password, reset by emailed link, change while signed in."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from clocktower.config import Settings
from clocktower.email.service import decrypt_body
from clocktower.kit.time import utcnow
from clocktower.models import AuditLog, Job, PasswordResetToken
from tests.account.conftest import reset_token_in, sent_emails
from tests.support import PASSWORD, Api, Factory, Member

NEW_PASSWORD = "a brand new passphrase"
FORGOT = "/api/v1/auth/forgot-password"
RESET = "/api/v1/auth/reset-password"
CHANGE = "/api/v1/users/me/password"


async def _login(api: Api, email: str, password: str) -> int:
    response = await api.post("/api/v1/auth/login", json={"email": email, "password": password})
    return response.status_code


async def _reset_token(api: Api, factory: Factory, settings: Settings, email: str) -> str:
    response = await api.post(FORGOT, json={"email": email})
    assert response.status_code == 200
    emails = await sent_emails(factory, email)
    return reset_token_in(settings, emails[-1])


def _reset_body(token: str, password: str = NEW_PASSWORD) -> dict[str, str]:
    return {"token": token, "password": password, "password_confirmation": password}


class TestForgotPassword:
    async def test_queues_an_email_with_a_one_time_link(
        self, api: Api, factory: Factory, settings: Settings, owner: Member
    ) -> None:
        response = await api.post(FORGOT, json={"email": owner.user.email.upper()})

        assert response.status_code == 200
        emails = await sent_emails(factory, owner.user.email)
        assert len(emails) == 1
        assert emails[0].organization_id is None
        assert emails[0].template == "password_reset"
        token = reset_token_in(settings, emails[0])
        assert f"{settings.base_url}/reset-password?token={token}" in decrypt_body(
            settings, emails[0]
        )
        jobs = (await factory.session.execute(select(Job).where(Job.kind == "email.send"))).all()
        assert jobs
        # Only the hash is stored.
        stored = (
            await factory.session.execute(
                select(PasswordResetToken).where(PasswordResetToken.user_id == owner.id)
            )
        ).scalar_one()
        assert stored.token_hash != token
        assert token not in stored.token_hash
        expires_in = stored.expires_at - stored.created_at
        assert expires_in == timedelta(minutes=settings.password_reset_ttl_minutes)

    async def test_unknown_email_answers_the_same_and_sends_nothing(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        known = await api.post(FORGOT, json={"email": owner.user.email})
        unknown = await api.post(FORGOT, json={"email": "nobody@example.com"})

        assert unknown.status_code == known.status_code == 200
        assert unknown.json() == known.json()
        assert await sent_emails(factory, "nobody@example.com") == []

    async def test_deactivated_account_gets_no_email(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        owner.user.is_active = False
        await factory.session.commit()

        response = await api.post(FORGOT, json={"email": owner.user.email})

        assert response.status_code == 200
        assert await sent_emails(factory, owner.user.email) == []

    async def test_invalid_email_is_validation_error(self, api: Api) -> None:
        response = await api.post(FORGOT, json={"email": "not an email"})

        assert response.status_code == 400
        assert "email" in response.json()["errors"]

    async def test_is_rate_limited(self, api: Api) -> None:
        response = await api.post(FORGOT, json={"email": "nobody@example.com"})

        assert "x-ratelimit-limit" in response.headers


class TestResetPassword:
    async def test_sets_the_password_and_ends_every_sign_in(
        self, api: Api, factory: Factory, settings: Settings, owner: Member
    ) -> None:
        token = await _reset_token(api, factory, settings, owner.user.email)

        response = await api.post(RESET, json=_reset_body(token))

        assert response.status_code == 200
        assert await _login(api, owner.user.email, PASSWORD) == 401
        assert await _login(api, owner.user.email, NEW_PASSWORD) == 200
        old_session = await api.as_(owner).get("/api/v1/users/me")
        assert old_session.status_code == 401
        refreshed = await api.post(
            "/api/v1/auth/refresh", json={"refresh_token": owner.refresh_token}
        )
        assert refreshed.status_code == 401
        events = await factory.session.execute(
            select(AuditLog.action).where(AuditLog.action == "user.password_reset")
        )
        assert events.scalars().all() == ["user.password_reset"]

    async def test_token_works_once(
        self, api: Api, factory: Factory, settings: Settings, owner: Member
    ) -> None:
        token = await _reset_token(api, factory, settings, owner.user.email)

        first = await api.post(RESET, json=_reset_body(token))
        second = await api.post(RESET, json=_reset_body(token, "yet another passphrase"))

        assert first.status_code == 200
        assert second.status_code == 400
        assert second.json()["error_code"] == "invalid_reset_token"
        assert await _login(api, owner.user.email, NEW_PASSWORD) == 200

    async def test_earlier_links_stop_working_after_a_reset(
        self, api: Api, factory: Factory, settings: Settings, owner: Member
    ) -> None:
        earlier = await _reset_token(api, factory, settings, owner.user.email)
        later = await _reset_token(api, factory, settings, owner.user.email)

        assert (await api.post(RESET, json=_reset_body(later))).status_code == 200
        response = await api.post(RESET, json=_reset_body(earlier))

        assert response.status_code == 400

    async def test_expired_token_is_refused(
        self, api: Api, factory: Factory, settings: Settings, owner: Member
    ) -> None:
        token = await _reset_token(api, factory, settings, owner.user.email)
        await factory.session.execute(
            update(PasswordResetToken).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await factory.session.commit()

        response = await api.post(RESET, json=_reset_body(token))

        assert response.status_code == 400
        assert response.json()["error_code"] == "invalid_reset_token"
        assert await _login(api, owner.user.email, PASSWORD) == 200

    async def test_unknown_token_is_refused(self, api: Api) -> None:
        response = await api.post(RESET, json=_reset_body("pr_" + "x" * 40))

        assert response.status_code == 400
        assert response.json()["error_code"] == "invalid_reset_token"

    async def test_mismatched_confirmation_is_validation_error(
        self, api: Api, factory: Factory, settings: Settings, owner: Member
    ) -> None:
        token = await _reset_token(api, factory, settings, owner.user.email)
        body = {**_reset_body(token), "password_confirmation": "something else"}

        response = await api.post(RESET, json=body)

        assert response.status_code == 400
        assert response.json()["error_code"] == "validation_error"
        # The token was not spent by the failed attempt.
        assert (await api.post(RESET, json=_reset_body(token))).status_code == 200

    async def test_short_password_is_validation_error(self, api: Api) -> None:
        response = await api.post(RESET, json=_reset_body("pr_abc", "short"))

        assert response.status_code == 400
        assert "password" in response.json()["errors"]


class TestChangePassword:
    async def test_changes_it_and_ends_only_the_other_sign_ins(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        other = await api.post(
            "/api/v1/auth/login", json={"email": owner.user.email, "password": PASSWORD}
        )
        body = {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_confirmation": NEW_PASSWORD,
        }

        response = await api.as_(owner).post(CHANGE, json=body)

        assert response.status_code == 200
        assert (await api.as_(owner).get("/api/v1/users/me")).status_code == 200
        assert (await api.as_(other.json()["token"]).get("/api/v1/users/me")).status_code == 401
        assert await _login(api, owner.user.email, NEW_PASSWORD) == 200
        assert await _login(api, owner.user.email, PASSWORD) == 401

    async def test_wrong_current_password_is_refused(self, api: Api, owner: Member) -> None:
        body = {
            "current_password": "not my password",
            "new_password": NEW_PASSWORD,
            "new_password_confirmation": NEW_PASSWORD,
        }

        response = await api.as_(owner).post(CHANGE, json=body)

        assert response.status_code == 400
        assert response.json()["error_code"] == "current_password_incorrect"
        assert "current_password" in response.json()["errors"]
        assert await _login(api, owner.user.email, PASSWORD) == 200

    async def test_mismatched_confirmation_is_validation_error(
        self, api: Api, owner: Member
    ) -> None:
        body = {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_confirmation": "different passphrase",
        }

        response = await api.as_(owner).post(CHANGE, json=body)

        assert response.status_code == 400
        assert response.json()["error_code"] == "validation_error"

    async def test_needs_authentication(self, api: Api) -> None:
        response = await api.post(CHANGE, json={})

        assert response.status_code == 401
