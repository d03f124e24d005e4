"""Invitations: invite, re-send, revoke, read by token, accept (signed in or new account)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from clocktower.config import Settings
from clocktower.email.service import decrypt_body
from clocktower.kit.time import utcnow
from clocktower.kit.tokens import sha256_hex
from clocktower.models import AuditLog, IdempotencyKey, Invitation, Job, Membership, User
from clocktower.worker.runner import JobRunner
from tests.support import Api, Factory, Member, api_token
from tests.team.helpers import invitation_token, join, sent_emails

INVITE = "/api/v1/team/invite"
NEW_ACCOUNT = {
    "name": "Nina New",
    "password": "a good password",
    "password_confirmation": "a good password",
}


async def _invite(api: Api, who: Member, email: str, role: str = "member") -> int:
    response = await api.as_(who).post(INVITE, json={"email": email, "role": role})
    assert response.status_code == 201, response.text
    return int(response.json()["invitation"]["id"])


async def _invitation(factory: Factory, invitation_id: int) -> Invitation:
    result = await factory.session.execute(
        select(Invitation)
        .where(Invitation.id == invitation_id)
        .execution_options(populate_existing=True)
    )
    return result.scalar_one()


async def _expire(factory: Factory, invitation_id: int) -> None:
    await factory.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation_id)
        .values(expires_at=utcnow() - timedelta(minutes=1))
    )
    await factory.session.commit()


async def _memberships(factory: Factory, organization_id: int, email: str) -> list[Membership]:
    result = await factory.session.execute(
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .where(Membership.organization_id == organization_id, User.email == email)
        .execution_options(populate_existing=True)
    )
    return list(result.scalars())


class TestInvite:
    async def test_invites_and_queues_the_email(
        self,
        api: Api,
        factory: Factory,
        settings: Settings,
        runner: JobRunner,
        owner: Member,
        admin: Member,
    ) -> None:
        response = await api.as_(admin).post(
            INVITE, json={"email": "New@Example.com", "role": "viewer"}
        )

        assert response.status_code == 201
        body = response.json()
        assert body["message"] == "Invitation sent to new@example.com"
        invitation = body["invitation"]
        assert set(invitation) == {"id", "email", "role", "expires_at"}
        assert (invitation["email"], invitation["role"]) == ("new@example.com", "viewer")
        [email] = await sent_emails(factory, "new@example.com")
        assert email.subject == "You're invited to Acme Agency on Clocktower"
        assert email.organization_id == owner.organization.id
        assert email.status == "queued"
        text = decrypt_body(settings, email)
        assert f"{settings.base_url}/invitations/inv_" in text
        assert "Ada Admin" in text
        assert "viewer" in text
        jobs = await factory.session.execute(select(Job.payload).where(Job.kind == "email.send"))
        assert {"email_id": email.id} in [payload for (payload,) in jobs]

        await runner.run_until_idle()

        [delivered] = await sent_emails(factory, "new@example.com")
        assert delivered.status == "logged"

    async def test_token_is_stored_only_as_its_hash(
        self, api: Api, factory: Factory, settings: Settings, owner: Member
    ) -> None:
        response = await api.as_(owner).post(
            INVITE, json={"email": "new@example.com"}, headers={"Idempotency-Key": "invite-1"}
        )
        token = await invitation_token(factory, settings, "new@example.com")

        stored = await _invitation(factory, response.json()["invitation"]["id"])
        assert token.startswith("inv_")
        assert len(token) == 44
        assert stored.token_hash == sha256_hex(token)
        assert token not in response.text
        audit = await factory.session.execute(select(AuditLog.changes))
        assert all(token not in str(changes) for (changes,) in audit)
        jobs = await factory.session.execute(select(Job.payload))
        assert all(token not in str(payload) for (payload,) in jobs)
        replies = await factory.session.execute(select(IdempotencyKey.response_body))
        assert all(token.encode() not in (body or b"") for (body,) in replies)

    async def test_expires_after_the_configured_days(
        self, api: Api, factory: Factory, settings: Settings, owner: Member
    ) -> None:
        invitation_id = await _invite(api, owner, "new@example.com")

        stored = await _invitation(factory, invitation_id)
        lifetime = stored.expires_at - stored.created_at
        assert lifetime == timedelta(days=settings.invitation_ttl_days)

    async def test_idempotency_key_sends_one_email(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        headers = {"Idempotency-Key": "invite-once"}
        body = {"email": "new@example.com"}
        first = await api.as_(owner).post(INVITE, json=body, headers=headers)
        second = await api.as_(owner).post(INVITE, json=body, headers=headers)

        assert second.json() == first.json()
        assert second.headers["Idempotent-Replayed"] == "true"
        assert len(await sent_emails(factory, "new@example.com")) == 1

    async def test_existing_member_is_conflict(
        self, api: Api, owner: Member, member: Member
    ) -> None:
        response = await api.as_(owner).post(INVITE, json={"email": member.user.email.upper()})

        assert response.status_code == 409
        assert response.json()["error_code"] == "already_member"

    async def test_pending_invitation_is_conflict(self, api: Api, owner: Member) -> None:
        await _invite(api, owner, "new@example.com")

        response = await api.as_(owner).post(INVITE, json={"email": "NEW@example.com"})

        assert response.status_code == 409
        assert response.json()["error_code"] == "invitation_pending"

    async def test_expired_invitation_does_not_block_a_new_one(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        first = await _invite(api, owner, "new@example.com")
        await _expire(factory, first)

        response = await api.as_(owner).post(INVITE, json={"email": "new@example.com"})

        assert response.status_code == 201

    async def test_only_an_owner_invites_an_owner(
        self, api: Api, owner: Member, admin: Member
    ) -> None:
        denied = await api.as_(admin).post(
            INVITE, json={"email": "boss@example.com", "role": "owner"}
        )
        allowed = await api.as_(owner).post(
            INVITE, json={"email": "boss@example.com", "role": "owner"}
        )

        assert denied.status_code == 403
        assert denied.json()["error_code"] == "owner_only"
        assert allowed.status_code == 201

    async def test_unknown_role_is_invalid_reference(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).post(
            INVITE, json={"email": "new@example.com", "role": "emperor"}
        )

        assert response.status_code == 422
        assert list(response.json()["errors"]) == ["role"]

    async def test_customer_invitation_carries_its_client(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        client = await factory.client(owner.organization)
        response = await api.as_(owner).post(
            INVITE, json={"email": "client@example.com", "role": "customer", "client_id": client.id}
        )

        assert response.status_code == 201
        stored = await _invitation(factory, response.json()["invitation"]["id"])
        assert stored.client_id == client.id

    async def test_client_must_be_one_of_this_organisations(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member
    ) -> None:
        theirs = await factory.client(other_owner.organization)

        for client_id in (theirs.id, 999_999):
            response = await api.as_(owner).post(
                INVITE,
                json={"email": "client@example.com", "role": "customer", "client_id": client_id},
            )

            assert response.status_code == 422
            assert response.json()["error_code"] == "invalid_reference"
            assert list(response.json()["errors"]) == ["client_id"]

    async def test_client_id_only_with_the_customer_role(self, api: Api, owner: Member) -> None:
        with_member = await api.as_(owner).post(
            INVITE, json={"email": "a@example.com", "role": "member", "client_id": 42}
        )
        customer_without = await api.as_(owner).post(
            INVITE, json={"email": "b@example.com", "role": "customer"}
        )

        assert with_member.status_code == 400
        assert list(with_member.json()["errors"]) == ["client_id"]
        assert customer_without.status_code == 400
        assert list(customer_without.json()["errors"]) == ["client_id"]

    async def test_invalid_email_is_validation_error(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).post(INVITE, json={"email": "not-an-email"})

        assert response.status_code == 400
        assert "email" in response.json()["errors"]

    async def test_member_and_viewer_are_denied(
        self, api: Api, member: Member, viewer: Member
    ) -> None:
        for who in (member, viewer):
            response = await api.as_(who).post(INVITE, json={"email": "new@example.com"})

            assert response.status_code == 403
            assert response.json()["required_permission"] == "team.invite"

    async def test_api_token_needs_write_organization(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        token = await api_token(factory, owner, ["read:users", "read:organization"])

        response = await api.as_(token).post(INVITE, json={"email": "new@example.com"})

        assert response.status_code == 403
        assert response.json()["required_scope"] == "write:organization"


class TestResendInvitation:
    async def test_new_link_replaces_the_old(
        self, api: Api, factory: Factory, settings: Settings, owner: Member
    ) -> None:
        invitation_id = await _invite(api, owner, "new@example.com")
        old = await invitation_token(factory, settings, "new@example.com")
        await _expire(factory, invitation_id)

        response = await api.as_(owner).post(f"/api/v1/team/invitations/{invitation_id}/resend")

        assert response.status_code == 200
        assert response.json()["message"] == "Invitation re-sent to new@example.com"
        new = await invitation_token(factory, settings, "new@example.com")
        assert new != old
        assert len(await sent_emails(factory, "new@example.com")) == 2
        assert (await api.get(f"/api/v1/invitations/{old}")).status_code == 404
        assert (await api.get(f"/api/v1/invitations/{new}")).status_code == 200

    async def test_accepted_or_revoked_is_conflict(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        accepted = await _invite(api, owner, "a@example.com")
        revoked = await _invite(api, owner, "b@example.com")
        await factory.session.execute(
            update(Invitation).where(Invitation.id == accepted).values(accepted_at=utcnow())
        )
        await factory.session.commit()
        await api.as_(owner).delete(f"/api/v1/team/invitations/{revoked}")

        first = await api.as_(owner).post(f"/api/v1/team/invitations/{accepted}/resend")
        second = await api.as_(owner).post(f"/api/v1/team/invitations/{revoked}/resend")

        assert (first.status_code, first.json()["error_code"]) == (409, "invitation_accepted")
        assert (second.status_code, second.json()["error_code"]) == (409, "invitation_revoked")

    async def test_invitation_of_another_organization_is_not_found(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member
    ) -> None:
        theirs = await _invite(api, other_owner, "new@example.com")

        response = await api.as_(owner).post(f"/api/v1/team/invitations/{theirs}/resend")

        assert response.status_code == 404
        assert len(await sent_emails(factory, "new@example.com")) == 1

    async def test_member_is_denied(self, api: Api, owner: Member, member: Member) -> None:
        invitation_id = await _invite(api, owner, "new@example.com")

        response = await api.as_(member).post(f"/api/v1/team/invitations/{invitation_id}/resend")

        assert response.status_code == 403


class TestRevokeInvitation:
    async def test_revoked_link_stops_working(
        self, api: Api, factory: Factory, settings: Settings, owner: Member
    ) -> None:
        invitation_id = await _invite(api, owner, "new@example.com")
        token = await invitation_token(factory, settings, "new@example.com")

        response = await api.as_(owner).delete(f"/api/v1/team/invitations/{invitation_id}")
        again = await api.as_(owner).delete(f"/api/v1/team/invitations/{invitation_id}")

        assert response.status_code == 200
        assert again.status_code == 200
        assert (await api.get(f"/api/v1/invitations/{token}")).status_code == 404
        team = (await api.as_(owner).get("/api/v1/team")).json()
        assert team["pending_invitations"] == []

    async def test_accepted_is_conflict(self, api: Api, factory: Factory, owner: Member) -> None:
        invitation_id = await _invite(api, owner, "new@example.com")
        await factory.session.execute(
            update(Invitation).where(Invitation.id == invitation_id).values(accepted_at=utcnow())
        )
        await factory.session.commit()

        response = await api.as_(owner).delete(f"/api/v1/team/invitations/{invitation_id}")

        assert response.status_code == 409
        assert response.json()["error_code"] == "invitation_accepted"

    async def test_invitation_of_another_organization_is_not_found_and_kept(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member
    ) -> None:
        theirs = await _invite(api, other_owner, "new@example.com")

        response = await api.as_(owner).delete(f"/api/v1/team/invitations/{theirs}")

        assert response.status_code == 404
        assert (await _invitation(factory, theirs)).revoked_at is None

    async def test_viewer_is_denied(self, api: Api, owner: Member, viewer: Member) -> None:
        invitation_id = await _invite(api, owner, "new@example.com")

        response = await api.as_(viewer).delete(f"/api/v1/team/invitations/{invitation_id}")

        assert response.status_code == 403


class TestGetInvitation:
    async def test_shows_what_the_link_offers(
        self, api: Api, factory: Factory, settings: Settings, owner: Member
    ) -> None:
        await _invite(api, owner, "new@example.com", role="admin")
        token = await invitation_token(factory, settings, "new@example.com")

        response = await api.get(f"/api/v1/invitations/{token}")

        assert response.status_code == 200
        invitation = response.json()["invitation"]
        assert invitation["organization"] == {
            "id": owner.organization.id,
            "name": "Acme Agency",
            "slug": owner.organization.slug,
        }
        assert invitation["email"] == "new@example.com"
        assert invitation["role"] == "admin"
        assert invitation["invited_by"] == owner.user.name
        assert invitation["expires_at"].endswith("Z")
        assert "X-RateLimit-Limit" in response.headers

    async def test_unknown_token_is_not_found(self, api: Api) -> None:
        for token in ("inv_" + "x" * 40, "nonsense"):
            response = await api.get(f"/api/v1/invitations/{token}")

            assert response.status_code == 404
            assert response.json()["error_code"] == "not_found"

    async def test_expired_is_gone(
        self, api: Api, factory: Factory, settings: Settings, owner: Member
    ) -> None:
        invitation_id = await _invite(api, owner, "new@example.com")
        token = await invitation_token(factory, settings, "new@example.com")
        await _expire(factory, invitation_id)

        response = await api.get(f"/api/v1/invitations/{token}")

        assert response.status_code == 410
        assert response.json()["error_code"] == "invitation_expired"


class TestAcceptInvitation:
    async def test_signed_in_user_with_the_invited_email_joins(
        self,
        api: Api,
        factory: Factory,
        settings: Settings,
        owner: Member,
        other_owner: Member,
    ) -> None:
        invitation_id = await _invite(api, owner, other_owner.user.email.upper(), role="viewer")
        token = await invitation_token(factory, settings, other_owner.user.email)

        response = await api.as_(other_owner).post(f"/api/v1/invitations/{token}/accept")

        assert response.status_code == 200
        body = response.json()
        assert body["message"] == "Welcome to Acme Agency"
        assert body["organization"]["id"] == owner.organization.id
        assert body["user"]["id"] == other_owner.id
        assert "token" not in body
        assert (await _invitation(factory, invitation_id)).accepted_at is not None
        # They switched to the organisation they joined.
        team = (await api.as_(other_owner).get("/api/v1/team")).json()
        assert {m["id"]: m["role"] for m in team["members"]}[other_owner.id] == "viewer"
        assert team["pending_invitations"] == []
        again = await api.as_(other_owner).post(f"/api/v1/invitations/{token}/accept")
        assert again.status_code == 404

    async def test_signed_in_user_with_another_email_is_refused(
        self, api: Api, factory: Factory, settings: Settings, owner: Member, other_owner: Member
    ) -> None:
        invitation_id = await _invite(api, owner, "someone.else@example.com")
        token = await invitation_token(factory, settings, "someone.else@example.com")

        response = await api.as_(other_owner).post(f"/api/v1/invitations/{token}/accept")

        assert response.status_code == 403
        assert response.json()["error_code"] == "invitation_email_mismatch"
        assert (await _invitation(factory, invitation_id)).accepted_at is None

    async def test_api_token_cannot_accept(
        self, api: Api, factory: Factory, settings: Settings, owner: Member, other_owner: Member
    ) -> None:
        await _invite(api, owner, other_owner.user.email)
        token = await invitation_token(factory, settings, other_owner.user.email)
        credential = await api_token(factory, other_owner, ["admin:all"])

        response = await api.as_(credential).post(f"/api/v1/invitations/{token}/accept")

        assert response.status_code == 403
        assert response.json()["error_code"] == "sign_in_required"

    async def test_invalid_bearer_token_is_401(
        self, api: Api, factory: Factory, settings: Settings, owner: Member
    ) -> None:
        await _invite(api, owner, "new@example.com")
        token = await invitation_token(factory, settings, "new@example.com")

        response = await api.as_("not-a-jwt").post(
            f"/api/v1/invitations/{token}/accept", json=NEW_ACCOUNT
        )

        assert response.status_code == 401

    async def test_new_person_creates_an_account_and_is_signed_in(
        self, api: Api, factory: Factory, settings: Settings, owner: Member
    ) -> None:
        client = await factory.client(owner.organization)
        await api.as_(owner).post(
            INVITE, json={"email": "nina@example.com", "role": "customer", "client_id": client.id}
        )
        token = await invitation_token(factory, settings, "nina@example.com")

        response = await api.post(f"/api/v1/invitations/{token}/accept", json=NEW_ACCOUNT)

        assert response.status_code == 200
        body = response.json()
        assert body["user"]["email"] == "nina@example.com"
        assert body["user"]["name"] == "Nina New"
        assert body["refresh_token"].startswith("rt_")
        assert body["organization"]["name"] == "Acme Agency"
        [membership] = await _memberships(factory, owner.organization.id, "nina@example.com")
        assert membership.client_id == client.id
        # The returned token works, in the joined organisation, with the invited role.
        listed = await api.as_(body["token"]).get("/api/v1/organizations")
        assert [
            (o["name"], o["role"], o["is_current"]) for o in listed.json()["organizations"]
        ] == [("Acme Agency", "customer", True)]
        login = await api.post(
            "/api/v1/auth/login",
            json={"email": "nina@example.com", "password": NEW_ACCOUNT["password"]},
        )
        assert login.status_code == 200

    async def test_existing_account_must_sign_in_first(
        self, api: Api, factory: Factory, settings: Settings, owner: Member, other_owner: Member
    ) -> None:
        await _invite(api, owner, other_owner.user.email)
        token = await invitation_token(factory, settings, other_owner.user.email)

        response = await api.post(f"/api/v1/invitations/{token}/accept", json=NEW_ACCOUNT)

        assert response.status_code == 409
        assert response.json()["error_code"] == "email_taken"

    async def test_anonymous_without_an_account_body_is_validation_error(
        self, api: Api, factory: Factory, settings: Settings, owner: Member
    ) -> None:
        await _invite(api, owner, "new@example.com")
        token = await invitation_token(factory, settings, "new@example.com")

        missing = await api.post(f"/api/v1/invitations/{token}/accept")
        mismatched = await api.post(
            f"/api/v1/invitations/{token}/accept",
            json={**NEW_ACCOUNT, "password_confirmation": "something else"},
        )
        short = await api.post(
            f"/api/v1/invitations/{token}/accept",
            json={**NEW_ACCOUNT, "password": "short", "password_confirmation": "short"},
        )

        assert missing.status_code == 400
        assert set(missing.json()["errors"]) == {"name", "password", "password_confirmation"}
        assert mismatched.status_code == 400
        assert short.status_code == 400
        assert await _memberships(factory, owner.organization.id, "new@example.com") == []

    async def test_expired_is_gone(
        self, api: Api, factory: Factory, settings: Settings, owner: Member
    ) -> None:
        invitation_id = await _invite(api, owner, "new@example.com")
        token = await invitation_token(factory, settings, "new@example.com")
        await _expire(factory, invitation_id)

        response = await api.post(f"/api/v1/invitations/{token}/accept", json=NEW_ACCOUNT)

        assert response.status_code == 410
        assert response.json()["error_code"] == "invitation_expired"

    async def test_revoked_is_not_found(
        self, api: Api, factory: Factory, settings: Settings, owner: Member
    ) -> None:
        invitation_id = await _invite(api, owner, "new@example.com")
        token = await invitation_token(factory, settings, "new@example.com")
        await api.as_(owner).delete(f"/api/v1/team/invitations/{invitation_id}")

        response = await api.post(f"/api/v1/invitations/{token}/accept", json=NEW_ACCOUNT)

        assert response.status_code == 404

    async def test_already_a_member_is_conflict(
        self, api: Api, factory: Factory, settings: Settings, owner: Member, other_owner: Member
    ) -> None:
        await _invite(api, owner, other_owner.user.email)
        token = await invitation_token(factory, settings, other_owner.user.email)
        # They joined by another way in the meantime.
        await join(factory, other_owner, owner.organization, "viewer")

        response = await api.as_(other_owner).post(f"/api/v1/invitations/{token}/accept")

        assert response.status_code == 409
        assert response.json()["error_code"] == "already_member"
