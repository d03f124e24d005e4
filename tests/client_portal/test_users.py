"""A client's customer users: list, invite, re-send, remove under /clients/{client_id}/users."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from clocktower.config import Settings
from clocktower.models import Client, Invitation, Membership
from tests.client_portal.conftest import add_project
from tests.support import Api, Factory, Member
from tests.team.helpers import invitation_token, sent_emails

NEW_ACCOUNT = {
    "name": "Cora Customer",
    "password": "a good password",
    "password_confirmation": "a good password",
}


def _users(client_id: int) -> str:
    return f"/api/v1/clients/{client_id}/users"


async def _invitations(factory: Factory, organization_id: int) -> list[Invitation]:
    found = await factory.session.execute(
        select(Invitation)
        .where(Invitation.organization_id == organization_id)
        .order_by(Invitation.id)
        .execution_options(populate_existing=True)
    )
    return list(found.scalars())


async def _is_member(factory: Factory, organization_id: int, user_id: int) -> bool:
    found = await factory.session.execute(
        select(func.count(Membership.id)).where(
            Membership.organization_id == organization_id, Membership.user_id == user_id
        )
    )
    return int(found.scalar_one()) == 1


class TestListCustomerUsers:
    async def test_lists_only_that_clients_customers_and_invitations(
        self,
        api: Api,
        factory: Factory,
        owner: Member,
        member: Member,
        acme: Client,
        globex: Client,
    ) -> None:
        cus = await factory.member(owner.organization, "customer", client_id=acme.id, name="Cus")
        await factory.member(owner.organization, "customer", client_id=globex.id)
        await api.as_(owner).post(f"{_users(acme.id)}/invite", json={"email": "a@example.com"})
        await api.as_(owner).post(f"{_users(globex.id)}/invite", json={"email": "g@example.com"})

        response = await api.as_(owner).get(_users(acme.id))

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["users"] == [
            {
                "id": cus.id,
                "name": "Cus",
                "email": cus.user.email,
                "joined_at": body["users"][0]["joined_at"],
            }
        ]
        assert body["users"][0]["joined_at"].endswith("Z")
        assert [i["email"] for i in body["pending_invitations"]] == ["a@example.com"]
        assert body["pending_invitations"][0]["role"] == "customer"
        assert body["pagination"]["total"] == 1

    async def test_other_organisations_client_is_404(
        self, api: Api, owner: Member, other_client: Client
    ) -> None:
        response = await api.as_(owner).get(_users(other_client.id))
        assert response.status_code == 404

    async def test_customer_lacking_team_read_is_403(
        self, api: Api, factory: Factory, owner: Member, acme: Client
    ) -> None:
        customer = await factory.member(owner.organization, "customer", client_id=acme.id)
        response = await api.as_(customer).get(_users(acme.id))
        assert response.status_code == 403

    async def test_query_count_does_not_grow_with_rows(
        self, api: Api, factory: Factory, owner: Member, acme: Client, queries: Any
    ) -> None:
        await factory.member(owner.organization, "customer", client_id=acme.id)
        await api.as_(owner).post(f"{_users(acme.id)}/invite", json={"email": "p0@example.com"})
        with queries:
            one = await api.as_(owner).get(_users(acme.id))
        single = queries.count
        for number in range(1, 7):
            await factory.member(owner.organization, "customer", client_id=acme.id)
            await api.as_(owner).post(
                f"{_users(acme.id)}/invite", json={"email": f"p{number}@example.com"}
            )
        with queries:
            many = await api.as_(owner).get(_users(acme.id))

        assert len(one.json()["users"]) == 1
        assert len(many.json()["users"]) == 7
        assert len(many.json()["pending_invitations"]) == 7
        assert queries.count == single


class TestInviteCustomerUser:
    async def test_invitation_is_customer_of_this_client_and_accepting_scopes_them(
        self,
        api: Api,
        factory: Factory,
        settings: Settings,
        owner: Member,
        acme: Client,
        globex: Client,
    ) -> None:
        mine = await add_project(factory, acme, "Website")
        await add_project(factory, globex, "Not yours")

        response = await api.as_(owner).post(
            f"{_users(acme.id)}/invite", json={"email": "Cora@Example.com"}
        )

        assert response.status_code == 201, response.text
        body = response.json()
        assert body["message"] == "Invitation sent to cora@example.com"
        assert body["invitation"]["role"] == "customer"
        [invitation] = await _invitations(factory, owner.organization.id)
        assert invitation.client_id == acme.id
        token = await invitation_token(factory, settings, "cora@example.com")
        accepted = await api.post(f"/api/v1/invitations/{token}/accept", json=NEW_ACCOUNT)
        assert accepted.status_code in (200, 201), accepted.text
        access = accepted.json()["token"]
        seen = await api.get("/api/v1/projects", headers={"Authorization": f"Bearer {access}"})
        assert seen.status_code == 200
        assert [p["id"] for p in seen.json()["projects"]] == [mine.id]
        users = await api.as_(owner).get(_users(acme.id))
        assert [u["email"] for u in users.json()["users"]] == ["cora@example.com"]
        assert users.json()["pending_invitations"] == []

    async def test_already_member_and_pending_are_409(
        self, api: Api, factory: Factory, owner: Member, member: Member, acme: Client
    ) -> None:
        first = await api.as_(owner).post(f"{_users(acme.id)}/invite", json={"email": "x@ex.com"})
        again = await api.as_(owner).post(f"{_users(acme.id)}/invite", json={"email": "x@ex.com"})
        colleague = await api.as_(owner).post(
            f"{_users(acme.id)}/invite", json={"email": member.user.email}
        )

        assert first.status_code == 201
        assert (again.status_code, again.json()["error_code"]) == (409, "invitation_pending")
        assert (colleague.status_code, colleague.json()["error_code"]) == (409, "already_member")
        assert len(await _invitations(factory, owner.organization.id)) == 1

    async def test_bad_email_and_extra_fields_are_refused(
        self, api: Api, owner: Member, acme: Client
    ) -> None:
        for body in ({"email": "not-an-email"}, {"email": "a@ex.com", "role": "admin"}, {}):
            response = await api.as_(owner).post(f"{_users(acme.id)}/invite", json=body)
            assert response.status_code in (400, 422), body

    async def test_other_organisations_client_is_404_and_nothing_sent(
        self, api: Api, factory: Factory, owner: Member, other_client: Client
    ) -> None:
        response = await api.as_(owner).post(
            f"{_users(other_client.id)}/invite", json={"email": "x@ex.com"}
        )

        assert response.status_code == 404
        assert await _invitations(factory, owner.organization.id) == []
        assert await _invitations(factory, other_client.organization_id) == []

    async def test_viewer_cannot_invite(
        self, api: Api, factory: Factory, viewer: Member, owner: Member, acme: Client
    ) -> None:
        response = await api.as_(viewer).post(
            f"{_users(acme.id)}/invite", json={"email": "x@ex.com"}
        )

        assert response.status_code == 403
        assert await _invitations(factory, owner.organization.id) == []


class TestResendCustomerInvite:
    async def test_resends_with_a_new_link(
        self, api: Api, factory: Factory, settings: Settings, owner: Member, acme: Client
    ) -> None:
        await api.as_(owner).post(f"{_users(acme.id)}/invite", json={"email": "r@ex.com"})
        old = await invitation_token(factory, settings, "r@ex.com")

        response = await api.as_(owner).post(
            f"{_users(acme.id)}/resend-invite", json={"email": "R@ex.com"}
        )

        assert response.status_code == 200, response.text
        assert response.json()["message"] == "Invitation re-sent to r@ex.com"
        assert len(await sent_emails(factory, "r@ex.com")) == 2
        assert await invitation_token(factory, settings, "r@ex.com") != old

    async def test_no_live_invitation_for_this_client_is_404(
        self, api: Api, factory: Factory, owner: Member, acme: Client, globex: Client
    ) -> None:
        await api.as_(owner).post(f"{_users(globex.id)}/invite", json={"email": "g@ex.com"})

        other_client = await api.as_(owner).post(
            f"{_users(acme.id)}/resend-invite", json={"email": "g@ex.com"}
        )
        nobody = await api.as_(owner).post(
            f"{_users(acme.id)}/resend-invite", json={"email": "nobody@ex.com"}
        )

        assert other_client.status_code == 404
        assert nobody.status_code == 404
        assert len(await sent_emails(factory, "g@ex.com")) == 1

    async def test_other_organisations_client_is_404(
        self, api: Api, owner: Member, other_client: Client
    ) -> None:
        response = await api.as_(owner).post(
            f"{_users(other_client.id)}/resend-invite", json={"email": "x@ex.com"}
        )
        assert response.status_code == 404

    async def test_viewer_cannot_resend(
        self, api: Api, factory: Factory, viewer: Member, owner: Member, acme: Client
    ) -> None:
        await api.as_(owner).post(f"{_users(acme.id)}/invite", json={"email": "v@ex.com"})
        response = await api.as_(viewer).post(
            f"{_users(acme.id)}/resend-invite", json={"email": "v@ex.com"}
        )
        assert response.status_code == 403
        assert len(await sent_emails(factory, "v@ex.com")) == 1


class TestRemoveCustomerUser:
    async def test_removes_the_customer(
        self, api: Api, factory: Factory, owner: Member, acme: Client
    ) -> None:
        cus = await factory.member(owner.organization, "customer", client_id=acme.id, name="Cus")

        response = await api.as_(owner).delete(f"{_users(acme.id)}/{cus.id}")

        assert response.status_code == 200, response.text
        assert response.json()["message"] == "Cus removed"
        assert not await _is_member(factory, owner.organization.id, cus.id)

    async def test_not_a_customer_of_this_client_is_404_and_unchanged(
        self,
        api: Api,
        factory: Factory,
        owner: Member,
        member: Member,
        acme: Client,
        globex: Client,
    ) -> None:
        elsewhere = await factory.member(owner.organization, "customer", client_id=globex.id)

        for user_id in (elsewhere.id, member.id, owner.id, 999_999):
            response = await api.as_(owner).delete(f"{_users(acme.id)}/{user_id}")
            assert response.status_code == 404, user_id
        for who in (elsewhere, member, owner):
            assert await _is_member(factory, owner.organization.id, who.id)

    async def test_other_organisations_client_is_404_and_unchanged(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member, other_client: Client
    ) -> None:
        theirs = await factory.member(
            other_owner.organization, "customer", client_id=other_client.id
        )

        response = await api.as_(owner).delete(f"{_users(other_client.id)}/{theirs.id}")

        assert response.status_code == 404
        assert await _is_member(factory, other_owner.organization.id, theirs.id)

    async def test_viewer_cannot_remove(
        self, api: Api, factory: Factory, viewer: Member, owner: Member, acme: Client
    ) -> None:
        cus = await factory.member(owner.organization, "customer", client_id=acme.id)

        response = await api.as_(viewer).delete(f"{_users(acme.id)}/{cus.id}")

        assert response.status_code == 403
        assert await _is_member(factory, owner.organization.id, cus.id)
