"""Organisations: list mine, create, get, update, delete, switch."""

from __future__ import annotations

from sqlalchemy import func, select

from clocktower.models import Membership, Organization, Role, User
from tests.support import Api, Factory, Member, api_token
from tests.team.helpers import custom_role, join

BASE = "/api/v1/organizations"


async def _reload_user(factory: Factory, user_id: int) -> User:
    result = await factory.session.execute(
        select(User).where(User.id == user_id).execution_options(populate_existing=True)
    )
    return result.scalar_one()


class TestListOrganizations:
    async def test_lists_mine_with_role_and_current(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member
    ) -> None:
        await join(factory, owner, other_owner.organization, "viewer")

        response = await api.as_(owner).get(BASE)

        assert response.status_code == 200
        body = response.json()
        assert {(o["name"], o["role"], o["is_current"]) for o in body["organizations"]} == {
            ("Acme Agency", "owner", True),
            ("Other Org", "viewer", False),
        }
        assert set(body["organizations"][0]) == {"id", "name", "slug", "role", "is_current"}
        assert body["pagination"]["total"] == 2

    async def test_pages(self, api: Api, factory: Factory, owner: Member) -> None:
        for number in range(3):
            await factory.organization(owner.user, name=f"Extra {number}")

        response = await api.as_(owner).get(BASE, params={"per_page": 2, "page": 2})

        body = response.json()
        assert len(body["organizations"]) == 2
        assert body["pagination"]["total"] == 4
        assert body["pagination"]["has_prev"] is True

    async def test_custom_role_names_the_role(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        role = await custom_role(factory, owner.organization, "auditor", ["organization.fetch"])
        membership = await factory.session.get(Membership, member.membership.id)
        assert membership is not None
        await factory.session.refresh(membership, ["roles"])
        membership.roles = [role]
        await factory.session.commit()

        response = await api.as_(member).get(BASE)

        assert response.json()["organizations"][0]["role"] == "auditor"

    async def test_api_token_sees_only_its_organization(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member
    ) -> None:
        await join(factory, owner, other_owner.organization)
        token = await api_token(factory, owner, ["read:organization"])

        response = await api.as_(token).get(BASE)

        assert [o["id"] for o in response.json()["organizations"]] == [owner.organization.id]

    async def test_api_token_without_scope_is_403(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        token = await api_token(factory, owner, ["read:projects"])

        response = await api.as_(token).get(BASE)

        assert response.status_code == 403
        assert response.json()["required_scope"] == "read:organization"
        assert response.json()["available_scopes"] == ["read:projects"]

    async def test_query_count_does_not_grow_with_rows(
        self, api: Api, factory: Factory, owner: Member, queries
    ) -> None:
        with queries:
            await api.as_(owner).get(BASE)
        one = queries.count
        for number in range(5):
            await factory.organization(owner.user, name=f"Extra {number}")

        with queries:
            response = await api.as_(owner).get(BASE)

        assert len(response.json()["organizations"]) == 6
        assert queries.count == one

    async def test_anonymous_is_401(self, api: Api) -> None:
        response = await api.get(BASE)

        assert response.status_code == 401


class TestCreateOrganization:
    async def test_creator_owns_it_and_switches(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        response = await api.as_(owner).post(
            BASE, json={"name": "Freelance", "timezone": "Europe/Amsterdam", "currency": "USD"}
        )

        assert response.status_code == 201
        body = response.json()
        assert body["message"] == "Organization created"
        created = body["organization"]
        assert created["slug"] == "freelance"
        assert created["timezone"] == "Europe/Amsterdam"
        assert created["currency"] == "USD"
        assert created["owner_id"] == owner.id
        assert created["created_at"].endswith("Z")
        listed = (await api.as_(owner).get(BASE)).json()["organizations"]
        assert {(o["name"], o["role"], o["is_current"]) for o in listed} == {
            ("Acme Agency", "owner", False),
            ("Freelance", "owner", True),
        }

    async def test_defaults_to_my_timezone_and_euro(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        user = await _reload_user(factory, owner.id)
        user.timezone = "America/New_York"
        await factory.session.commit()

        response = await api.as_(owner).post(BASE, json={"name": "Side Project"})

        assert response.json()["organization"]["timezone"] == "America/New_York"
        assert response.json()["organization"]["currency"] == "EUR"

    async def test_unknown_timezone_is_validation_error(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).post(BASE, json={"name": "X", "timezone": "Mars/Base"})

        assert response.status_code == 400
        assert "timezone" in response.json()["errors"]

    async def test_currency_must_be_iso_code(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).post(BASE, json={"name": "X", "currency": "eur"})

        assert response.status_code == 400
        assert "currency" in response.json()["errors"]

    async def test_missing_name_is_validation_error(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).post(BASE, json={"name": ""})

        assert response.status_code == 400
        assert "name" in response.json()["errors"]

    async def test_idempotency_key_replays(self, api: Api, factory: Factory, owner: Member) -> None:
        headers = {"Idempotency-Key": "create-freelance"}
        first = await api.as_(owner).post(BASE, json={"name": "Freelance"}, headers=headers)
        second = await api.as_(owner).post(BASE, json={"name": "Freelance"}, headers=headers)

        assert second.status_code == 201
        assert second.headers["Idempotent-Replayed"] == "true"
        assert second.json() == first.json()
        count = await factory.session.execute(
            select(func.count()).select_from(Organization).where(Organization.name == "Freelance")
        )
        assert count.scalar_one() == 1


class TestGetOrganization:
    async def test_member_reads_it(self, api: Api, owner: Member, member: Member) -> None:
        response = await api.as_(member).get(f"{BASE}/{owner.organization.id}")

        assert response.status_code == 200
        organization = response.json()["organization"]
        assert organization["name"] == "Acme Agency"
        assert organization["subscription_status"] == "active"
        assert set(organization) >= {"billing_email", "address", "owner_id", "updated_at"}

    async def test_another_organization_is_not_found(
        self, api: Api, owner: Member, other_owner: Member
    ) -> None:
        response = await api.as_(owner).get(f"{BASE}/{other_owner.organization.id}")

        assert response.status_code == 404
        assert response.json()["error_code"] == "not_found"

    async def test_unknown_id_is_not_found(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).get(f"{BASE}/987654321")

        assert response.status_code == 404

    async def test_reads_an_organization_that_is_not_current(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member
    ) -> None:
        await join(factory, owner, other_owner.organization, "viewer")

        response = await api.as_(owner).get(f"{BASE}/{other_owner.organization.id}")

        assert response.status_code == 200
        assert response.json()["organization"]["name"] == "Other Org"

    async def test_api_token_reaches_only_its_organization(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member
    ) -> None:
        await join(factory, owner, other_owner.organization, "owner")
        token = await api_token(factory, owner, ["read:organization"])

        own = await api.as_(token).get(f"{BASE}/{owner.organization.id}")
        other = await api.as_(token).get(f"{BASE}/{other_owner.organization.id}")

        assert own.status_code == 200
        assert other.status_code == 404

    async def test_api_token_without_scope_is_403(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        token = await api_token(factory, owner, ["read:projects"])

        response = await api.as_(token).get(f"{BASE}/{owner.organization.id}")

        assert response.status_code == 403
        assert response.json()["required_scope"] == "read:organization"


class TestUpdateOrganization:
    async def test_admin_updates_only_the_fields_sent(
        self, api: Api, owner: Member, admin: Member
    ) -> None:
        url = f"{BASE}/{owner.organization.id}"
        response = await api.as_(admin).put(
            url, json={"billing_email": "Billing@Acme.com", "address": "1 Main St"}
        )

        assert response.status_code == 200
        organization = response.json()["organization"]
        assert response.json()["message"] == "Organization updated"
        assert organization["billing_email"] == "Billing@acme.com"
        assert organization["address"] == "1 Main St"
        assert organization["name"] == "Acme Agency"
        assert organization["timezone"] == "UTC"

    async def test_patch_is_partial_too(self, api: Api, owner: Member) -> None:
        url = f"{BASE}/{owner.organization.id}"
        response = await api.as_(owner).patch(url, json={"name": "Acme Ltd", "currency": "GBP"})

        assert response.status_code == 200
        assert response.json()["organization"]["name"] == "Acme Ltd"
        assert response.json()["organization"]["currency"] == "GBP"
        assert (await api.as_(owner).get(url)).json()["organization"]["slug"] == "acme-agency"

    async def test_clearing_optional_fields(self, api: Api, owner: Member) -> None:
        url = f"{BASE}/{owner.organization.id}"
        await api.as_(owner).put(url, json={"address": "1 Main St"})

        response = await api.as_(owner).put(url, json={"address": None})

        assert response.json()["organization"]["address"] is None

    async def test_required_fields_cannot_be_null(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).put(
            f"{BASE}/{owner.organization.id}", json={"name": None, "timezone": None}
        )

        assert response.status_code == 400
        assert set(response.json()["errors"]) == {"name", "timezone"}

    async def test_invalid_values_are_validation_errors(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).put(
            f"{BASE}/{owner.organization.id}",
            json={"timezone": "Nowhere/Land", "currency": "EURO", "billing_email": "nope"},
        )

        assert response.status_code == 400
        assert set(response.json()["errors"]) == {"timezone", "currency", "billing_email"}

    async def test_member_and_viewer_are_denied(
        self, api: Api, owner: Member, member: Member, viewer: Member
    ) -> None:
        for who in (member, viewer):
            response = await api.as_(who).put(f"{BASE}/{owner.organization.id}", json={"name": "X"})

            assert response.status_code == 403
            assert response.json()["required_permission"] == "organization.update"

    async def test_another_organization_is_not_found_and_unchanged(
        self, api: Api, owner: Member, other_owner: Member
    ) -> None:
        url = f"{BASE}/{other_owner.organization.id}"
        response = await api.as_(owner).put(url, json={"name": "Hijacked"})

        assert response.status_code == 404
        assert (await api.as_(other_owner).get(url)).json()["organization"]["name"] == "Other Org"

    async def test_roles_in_the_path_organization_decide(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member
    ) -> None:
        # Viewer in their current organisation, owner of the one in the path: allowed.
        viewer_here = await factory.member(other_owner.organization, "viewer")
        await join(factory, viewer_here, owner.organization, "owner")

        allowed = await api.as_(viewer_here).put(
            f"{BASE}/{owner.organization.id}", json={"name": "Renamed"}
        )
        denied = await api.as_(viewer_here).put(
            f"{BASE}/{other_owner.organization.id}", json={"name": "Renamed"}
        )

        assert allowed.status_code == 200
        assert denied.status_code == 403

    async def test_api_token_with_read_scope_only_is_403(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        token = await api_token(factory, owner, ["read:organization"])

        response = await api.as_(token).put(f"{BASE}/{owner.organization.id}", json={"name": "X"})

        assert response.status_code == 403
        assert response.json()["required_scope"] == "write:organization"


class TestDeleteOrganization:
    async def test_owner_deletes_it_and_members_move_on(
        self, api: Api, factory: Factory, owner: Member, member: Member, other_owner: Member
    ) -> None:
        await join(factory, member, other_owner.organization)
        doomed = owner.organization.id

        response = await api.as_(owner).delete(f"{BASE}/{doomed}")

        assert response.status_code == 200
        assert response.json()["message"] == "Organization Acme Agency deleted"
        assert (await api.as_(other_owner).get(f"{BASE}/{doomed}")).status_code == 404
        for model in (Membership, Role):
            left = await factory.session.execute(
                select(func.count()).select_from(model).where(model.organization_id == doomed)
            )
            assert left.scalar_one() == 0
        assert (await _reload_user(factory, member.id)).current_organization_id == (
            other_owner.organization.id
        )
        assert (await _reload_user(factory, owner.id)).current_organization_id is None
        listed = await api.as_(member).get(BASE)
        assert [o["name"] for o in listed.json()["organizations"]] == ["Other Org"]

    async def test_admin_is_denied(self, api: Api, owner: Member, admin: Member) -> None:
        response = await api.as_(admin).delete(f"{BASE}/{owner.organization.id}")

        assert response.status_code == 403
        assert response.json()["required_permission"] == "organization.delete"

    async def test_a_granted_non_owner_is_still_owner_only(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        role = await custom_role(
            factory, owner.organization, "demolisher", ["organization.fetch", "organization.delete"]
        )
        membership = await factory.session.get(Membership, member.membership.id)
        assert membership is not None
        await factory.session.refresh(membership, ["roles"])
        membership.roles = [*membership.roles, role]
        await factory.session.commit()

        response = await api.as_(member).delete(f"{BASE}/{owner.organization.id}")

        assert response.status_code == 403
        assert response.json()["error_code"] == "owner_only"

    async def test_another_organization_is_not_found_and_kept(
        self, api: Api, owner: Member, other_owner: Member
    ) -> None:
        url = f"{BASE}/{other_owner.organization.id}"
        response = await api.as_(owner).delete(url)

        assert response.status_code == 404
        assert (await api.as_(other_owner).get(url)).status_code == 200


class TestSwitchOrganization:
    async def test_switches_the_current_organization(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member
    ) -> None:
        await join(factory, owner, other_owner.organization)

        response = await api.as_(owner).post(f"{BASE}/{other_owner.organization.id}/switch")

        assert response.status_code == 200
        assert response.json() == {
            "message": "Switched to Other Org",
            "organization": {
                "id": other_owner.organization.id,
                "name": "Other Org",
                "slug": other_owner.organization.slug,
            },
        }
        team = await api.as_(owner).get("/api/v1/team")
        assert {m["name"] for m in team.json()["members"]} == {
            other_owner.user.name,
            owner.user.name,
        }
        current = [o for o in (await api.as_(owner).get(BASE)).json()["organizations"]]
        assert {o["name"]: o["is_current"] for o in current} == {
            "Acme Agency": False,
            "Other Org": True,
        }

    async def test_not_a_member_is_not_found(
        self, api: Api, owner: Member, other_owner: Member
    ) -> None:
        response = await api.as_(owner).post(f"{BASE}/{other_owner.organization.id}/switch")

        assert response.status_code == 404

    async def test_oversized_id_is_validation_error(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).post(f"{BASE}/{10**20}/switch")

        assert response.status_code == 400
