"""The team: list, change a member's role, remove, leave."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from clocktower.kit.time import utcnow
from clocktower.kit.tokens import sha256_hex
from clocktower.models import ApiToken, Invitation, Membership, User
from clocktower.organization.repository import RoleRepository
from tests.support import Api, Factory, Member, api_token
from tests.team.helpers import custom_role, join

BASE = "/api/v1/team"


async def _membership(factory: Factory, organization_id: int, user_id: int) -> Membership | None:
    result = await factory.session.execute(
        select(Membership)
        .where(Membership.organization_id == organization_id, Membership.user_id == user_id)
        .execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()


async def _invitation(factory: Factory, member: Member, email: str, **fields: object) -> Invitation:
    role = await RoleRepository(factory.session).by_moniker(member.organization.id, "member")
    assert role is not None
    now = utcnow()
    values: dict[str, object] = {
        "organization_id": member.organization.id,
        "email": email,
        "role_id": role.id,
        "token_hash": sha256_hex(email),
        "invited_by_id": member.id,
        "created_at": now,
        "last_sent_at": now,
        "expires_at": now + timedelta(days=7),
    }
    invitation = Invitation(**{**values, **fields})
    factory.session.add(invitation)
    await factory.session.commit()
    return invitation


class TestListTeam:
    async def test_members_and_pending_invitations(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        await _invitation(factory, owner, "new@example.com")
        await _invitation(factory, owner, "late@example.com", expires_at=utcnow())
        await _invitation(factory, owner, "gone@example.com", revoked_at=utcnow())
        await _invitation(factory, owner, "done@example.com", accepted_at=utcnow())

        response = await api.as_(member).get(BASE)

        assert response.status_code == 200
        body = response.json()
        assert [(m["id"], m["role"], m["roles"]) for m in body["members"]] == [
            (owner.id, "owner", ["owner"]),
            (member.id, "member", ["member"]),
        ]
        first = body["members"][0]
        assert set(first) == {"id", "name", "email", "role", "roles", "joined_at"}
        assert first["joined_at"].endswith("Z")
        assert [(i["email"], i["role"]) for i in body["pending_invitations"]] == [
            ("new@example.com", "member")
        ]
        assert set(body["pending_invitations"][0]) == {
            "id",
            "email",
            "role",
            "invited_at",
            "expires_at",
        }
        assert body["pagination"]["total"] == 2

    async def test_pages_members(self, api: Api, factory: Factory, owner: Member) -> None:
        for _ in range(3):
            await factory.member(owner.organization, "viewer")

        response = await api.as_(owner).get(BASE, params={"per_page": 3, "page": 2})

        body = response.json()
        assert len(body["members"]) == 1
        assert body["pagination"] == {
            "page": 2,
            "per_page": 3,
            "total": 4,
            "pages": 2,
            "has_next": False,
            "has_prev": True,
            "next_page": None,
            "prev_page": 1,
        }

    async def test_customer_is_denied(self, api: Api, factory: Factory, owner: Member) -> None:
        client = await factory.client(owner.organization)
        customer = await factory.member(owner.organization, "customer", client_id=client.id)

        response = await api.as_(customer).get(BASE)

        assert response.status_code == 403
        assert response.json()["required_permission"] == "team.fetch.many"

    async def test_api_token_needs_read_users(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        allowed = await api_token(factory, owner, ["read:users"])
        denied = await api_token(factory, owner, ["read:projects"])

        ok = await api.as_(allowed).get(BASE)
        refused = await api.as_(denied).get(BASE)

        assert ok.status_code == 200
        assert refused.status_code == 403
        assert refused.json()["required_scope"] == "read:users"

    async def test_x_organization_id_picks_the_team(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member
    ) -> None:
        await join(factory, owner, other_owner.organization, "viewer")

        mine = await api.as_(owner).get(BASE)
        other = await api.as_(owner, **{"X-Organization-Id": str(other_owner.organization.id)}).get(
            BASE
        )

        assert [m["id"] for m in mine.json()["members"]] == [owner.id]
        assert [(m["id"], m["role"]) for m in other.json()["members"]] == [
            (other_owner.id, "owner"),
            (owner.id, "viewer"),
        ]

    async def test_x_organization_id_of_a_stranger_is_403(
        self, api: Api, owner: Member, other_owner: Member
    ) -> None:
        response = await api.as_(
            owner, **{"X-Organization-Id": str(other_owner.organization.id)}
        ).get(BASE)

        assert response.status_code == 403
        assert response.json()["error_code"] == "not_a_member"

    async def test_query_count_does_not_grow_with_rows(
        self, api: Api, factory: Factory, owner: Member, queries
    ) -> None:
        await _invitation(factory, owner, "first@example.com")
        with queries:
            await api.as_(owner).get(BASE)
        one = queries.count
        for number in range(5):
            await factory.member(owner.organization, "member")
            await _invitation(factory, owner, f"more{number}@example.com")

        with queries:
            response = await api.as_(owner).get(BASE)

        assert len(response.json()["members"]) == 6
        assert len(response.json()["pending_invitations"]) == 6
        assert queries.count == one


class TestUpdateMemberRole:
    async def test_admin_changes_a_role(
        self, api: Api, owner: Member, admin: Member, member: Member
    ) -> None:
        response = await api.as_(admin).put(f"{BASE}/{member.id}", json={"role": "viewer"})

        assert response.status_code == 200
        assert response.json() == {
            "message": "Role updated",
            "user": {"id": member.id, "name": "Max Member", "role": "viewer"},
        }
        listed = (await api.as_(owner).get(BASE)).json()["members"]
        assert {m["id"]: m["roles"] for m in listed}[member.id] == ["viewer"]

    async def test_role_by_id_keeps_custom_roles(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        auditor = await custom_role(factory, owner.organization, "auditor", ["report.fetch"])
        membership = await _membership(factory, owner.organization.id, member.id)
        assert membership is not None
        await factory.session.refresh(membership, ["roles"])
        membership.roles = [*membership.roles, auditor]
        await factory.session.commit()
        admin_role = await RoleRepository(factory.session).by_moniker(
            owner.organization.id, "admin"
        )
        assert admin_role is not None

        response = await api.as_(owner).put(f"{BASE}/{member.id}", json={"role": admin_role.id})

        assert response.json()["user"]["role"] == "admin"
        listed = (await api.as_(owner).get(BASE)).json()["members"]
        assert sorted({m["id"]: m["roles"] for m in listed}[member.id]) == ["admin", "auditor"]

    async def test_only_an_owner_makes_an_owner(
        self, api: Api, owner: Member, admin: Member, member: Member
    ) -> None:
        denied = await api.as_(admin).put(f"{BASE}/{member.id}", json={"role": "owner"})
        allowed = await api.as_(owner).put(f"{BASE}/{member.id}", json={"role": "owner"})

        assert denied.status_code == 403
        assert denied.json()["error_code"] == "owner_only"
        assert allowed.status_code == 200

    async def test_last_owner_cannot_step_down(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).put(f"{BASE}/{owner.id}", json={"role": "admin"})

        assert response.status_code == 409
        assert response.json()["error_code"] == "last_owner"

    async def test_unknown_role_is_invalid_reference(
        self, api: Api, owner: Member, member: Member
    ) -> None:
        for role in ("emperor", 99_999_999, "9" * 30):
            response = await api.as_(owner).put(f"{BASE}/{member.id}", json={"role": role})

            assert response.status_code == 422
            assert response.json()["error_code"] == "invalid_reference"
            assert list(response.json()["errors"]) == ["role"]

    async def test_customer_role_needs_a_client(
        self, api: Api, owner: Member, member: Member
    ) -> None:
        response = await api.as_(owner).put(f"{BASE}/{member.id}", json={"role": "customer"})

        assert response.status_code == 400
        assert "role" in response.json()["errors"]

    async def test_leaving_the_customer_role_drops_the_client(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        client = await factory.client(owner.organization)
        customer = await factory.member(owner.organization, "customer", client_id=client.id)

        response = await api.as_(owner).put(f"{BASE}/{customer.id}", json={"role": "member"})

        assert response.status_code == 200
        membership = await _membership(factory, owner.organization.id, customer.id)
        assert membership is not None
        assert membership.client_id is None

    async def test_member_is_denied(self, api: Api, member: Member, viewer: Member) -> None:
        response = await api.as_(member).put(f"{BASE}/{viewer.id}", json={"role": "admin"})

        assert response.status_code == 403
        assert response.json()["required_permission"] == "team.update"

    async def test_member_of_another_organization_is_not_found_and_unchanged(
        self, api: Api, owner: Member, other_owner: Member
    ) -> None:
        response = await api.as_(owner).put(f"{BASE}/{other_owner.id}", json={"role": "viewer"})

        assert response.status_code == 404
        assert response.json()["error_code"] == "not_found"
        listed = (await api.as_(other_owner).get(BASE)).json()["members"]
        assert listed[0]["roles"] == ["owner"]


class TestRemoveMember:
    async def test_admin_removes_a_member(
        self, api: Api, factory: Factory, owner: Member, admin: Member, member: Member
    ) -> None:
        token = await api_token(factory, member, ["read:users"])

        response = await api.as_(admin).delete(f"{BASE}/{member.id}")

        assert response.status_code == 200
        assert await _membership(factory, owner.organization.id, member.id) is None
        revoked = await factory.session.execute(
            select(ApiToken.revoked_at)
            .where(ApiToken.user_id == member.id)
            .execution_options(populate_existing=True)
        )
        assert revoked.scalar_one() is not None
        assert (await api.as_(token).get(BASE)).status_code == 401
        gone = await factory.session.execute(
            select(User.current_organization_id)
            .where(User.id == member.id)
            .execution_options(populate_existing=True)
        )
        assert gone.scalar_one() is None

    async def test_admin_cannot_remove_an_owner(
        self, api: Api, owner: Member, admin: Member
    ) -> None:
        response = await api.as_(admin).delete(f"{BASE}/{owner.id}")

        assert response.status_code == 403
        assert response.json()["error_code"] == "owner_only"

    async def test_last_owner_cannot_be_removed(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).delete(f"{BASE}/{owner.id}")

        assert response.status_code == 409
        assert response.json()["error_code"] == "last_owner"

    async def test_viewer_is_denied(self, api: Api, viewer: Member, member: Member) -> None:
        response = await api.as_(viewer).delete(f"{BASE}/{member.id}")

        assert response.status_code == 403

    async def test_member_of_another_organization_is_not_found_and_kept(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member
    ) -> None:
        response = await api.as_(owner).delete(f"{BASE}/{other_owner.id}")

        assert response.status_code == 404
        assert await _membership(factory, other_owner.organization.id, other_owner.id) is not None


class TestLeaveOrganization:
    async def test_viewer_leaves_and_moves_to_their_other_organization(
        self, api: Api, factory: Factory, owner: Member, viewer: Member, other_owner: Member
    ) -> None:
        await join(factory, viewer, other_owner.organization)

        response = await api.as_(viewer).post(f"{BASE}/leave")

        assert response.status_code == 200
        assert response.json()["message"] == "You left Acme Agency"
        assert await _membership(factory, owner.organization.id, viewer.id) is None
        now_in = (await api.as_(viewer).get(BASE)).json()["members"]
        assert other_owner.id in [m["id"] for m in now_in]

    async def test_last_owner_cannot_leave(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).post(f"{BASE}/leave")

        assert response.status_code == 409
        assert response.json()["error_code"] == "last_owner"

    async def test_one_of_two_owners_may_leave(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        second = await factory.member(owner.organization, "owner")

        response = await api.as_(second).post(f"{BASE}/leave")

        assert response.status_code == 200

    async def test_without_an_organization_is_403(
        self, api: Api, factory: Factory, viewer: Member
    ) -> None:
        await api.as_(viewer).post(f"{BASE}/leave")

        response = await api.as_(viewer).post(f"{BASE}/leave")

        assert response.status_code == 403
        assert response.json()["error_code"] == "no_organization"
