"""Security notices: every credential change is told to the account's owner."""

from __future__ import annotations

from clocktower.config import Settings
from tests.account.conftest import reset_token_in, sent_emails
from tests.support import PASSWORD, Api, Factory, Member

NEW_PASSWORD = "an entirely new passphrase"


def notices(emails: list) -> list[str]:  # type: ignore[type-arg]
    return [e.subject for e in emails if e.template == "security_notice"]


class TestSecurityNotices:
    async def test_password_change_is_told(self, api: Api, factory: Factory, owner: Member) -> None:
        response = await api.as_(owner).post(
            "/api/v1/users/me/password",
            json={
                "current_password": PASSWORD,
                "new_password": NEW_PASSWORD,
                "new_password_confirmation": NEW_PASSWORD,
            },
        )

        assert response.status_code == 200
        assert notices(await sent_emails(factory, owner.user.email)) == [
            "Your Clocktower password was changed"
        ]

    async def test_password_reset_is_told(
        self, api: Api, factory: Factory, settings: Settings, owner: Member
    ) -> None:
        await api.post("/api/v1/auth/forgot-password", json={"email": owner.user.email})
        [reset_email] = await sent_emails(factory, owner.user.email)
        token = reset_token_in(settings, reset_email)

        response = await api.post(
            "/api/v1/auth/reset-password",
            json={"token": token, "password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD},
        )

        assert response.status_code == 200
        assert notices(await sent_emails(factory, owner.user.email)) == [
            "Your Clocktower password was changed"
        ]

    async def test_email_change_is_told_to_the_old_address(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        old_address = owner.user.email

        response = await api.as_(owner).patch(
            "/api/v1/users/me",
            json={"email": "moved@example.com", "current_password": PASSWORD},
        )

        assert response.status_code == 200
        assert notices(await sent_emails(factory, old_address)) == [
            "Your Clocktower sign-in email was changed"
        ]
        assert notices(await sent_emails(factory, "moved@example.com")) == []

    async def test_other_profile_changes_are_not_notices(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        await api.as_(owner).patch("/api/v1/users/me", json={"name": "Renamed"})

        assert notices(await sent_emails(factory, owner.user.email)) == []
