"""What roles grant: wildcards, dependencies, unions, direct grants, tokens, field gating."""

from __future__ import annotations

from tests.role.conftest import give_role, grant_directly, make_role
from tests.support import Api, Factory, Member, api_token

ROLES = "/api/v1/roles"


def _new_role(moniker: str) -> dict[str, object]:
    return {"title": moniker.title(), "moniker": moniker, "permissions": ["report.fetch"]}


class TestWildcardRoles:
    async def test_viewer_given_role_wildcard_can_create_roles(
        self, api: Api, factory: Factory, viewer: Member
    ) -> None:
        before = await api.as_(viewer).post(ROLES, json=_new_role("before"))
        await give_role(factory, viewer, ["role.*"])

        after = await api.as_(viewer).post(ROLES, json=_new_role("after"))

        assert before.status_code == 403
        assert after.status_code == 201

    async def test_role_wildcard_grants_role_modify(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        target = await make_role(factory, owner.organization, ["report.fetch"])
        await give_role(factory, member, ["role.*", "obj.*"], only=True)

        response = await api.as_(member).patch(f"{ROLES}/{target.id}", json={"title": "Changed"})

        assert response.status_code == 200
        assert response.json()["role"]["title"] == "Changed"

    async def test_node_without_its_dependency_is_not_enough(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        target = await make_role(factory, owner.organization, ["report.fetch"])
        await give_role(factory, member, ["role.modify"], only=True)

        response = await api.as_(member).patch(f"{ROLES}/{target.id}", json={"title": "Changed"})

        # The answer names what is missing: the dependency, not the node itself.
        assert response.status_code == 403
        assert response.json()["required_permission"] == "role.read"

    async def test_node_with_its_dependency_is_enough(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        target = await make_role(factory, owner.organization, ["report.fetch"])
        await give_role(factory, member, ["role.modify", "role.read"], only=True)

        response = await api.as_(member).patch(f"{ROLES}/{target.id}", json={"title": "Changed"})

        assert response.status_code == 200

    async def test_global_wildcard_grants_everything(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        await give_role(factory, member, ["*"], only=True)

        response = await api.as_(member).post(
            ROLES, json={**_new_role("boss"), "permissions": ["*"]}
        )

        assert response.status_code == 201


class TestUnionOfGrants:
    async def test_permissions_add_up_across_roles(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        reader = await make_role(factory, member.organization, ["role.read"])
        lister = await make_role(factory, member.organization, ["role.list"])
        await give_role(factory, member, role=reader, only=True)
        only_read = await api.as_(member).get(ROLES)

        await give_role(factory, member, role=lister)
        both = await api.as_(member).get(ROLES)

        assert only_read.status_code == 403
        assert both.status_code == 200

    async def test_direct_permissions_add_to_the_roles(
        self, api: Api, factory: Factory, viewer: Member
    ) -> None:
        await grant_directly(factory, viewer, ["role.create"])

        response = await api.as_(viewer).post(ROLES, json=_new_role("direct"))

        assert response.status_code == 201

    async def test_a_role_change_applies_on_the_next_request(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        granting = await give_role(factory, member, ["role.*"])
        assert (await api.as_(member).post(ROLES, json=_new_role("one"))).status_code == 201

        await api.as_(owner).request(
            "DELETE", f"{ROLES}/{granting.id}/permissions", json={"permissions": ["role.*"]}
        )

        assert (await api.as_(member).post(ROLES, json=_new_role("two"))).status_code == 403


class TestApiTokenLimits:
    async def test_token_is_bounded_by_its_scopes(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        token = await api_token(factory, owner, ["read:organization"])

        read = await api.as_(token).get(f"{ROLES}/owner")
        write = await api.as_(token).patch(f"{ROLES}/owner", json={"title": "X"})

        assert read.status_code == 200
        assert write.status_code == 403
        assert write.json()["required_scope"] == "write:organization"

    async def test_token_is_bounded_by_its_user(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        token = await api_token(factory, member, ["admin:all"])

        response = await api.as_(token).get(ROLES)

        assert response.status_code == 403
        assert response.json()["required_permission"] == "role.list"

    async def test_token_follows_its_users_roles(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        token = await api_token(factory, member, ["admin:all"])
        await give_role(factory, member, ["role.list"])

        response = await api.as_(token).get(ROLES)

        assert response.status_code == 200


class TestFieldGating:
    async def test_only_granted_fields_of_roles_are_returned(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        await give_role(factory, member, ["role.read", "role.list", "obj.role.title"], only=True)

        listed = await api.as_(member).get(ROLES)
        one = await api.as_(member).get(f"{ROLES}/owner")

        assert listed.status_code == 200
        roles = listed.json()["roles"]
        assert roles
        assert all(set(role) == {"id", "title"} for role in roles)
        assert set(listed.json()["pagination"]) >= {"page", "total"}
        assert one.json()["role"] == {"id": one.json()["role"]["id"], "title": "Owner"}

    async def test_type_wildcard_shows_every_field(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        await give_role(factory, member, ["role.read", "obj.role.*"], only=True)

        one = await api.as_(member).get(f"{ROLES}/owner")

        assert set(one.json()["role"]) == {
            "id",
            "title",
            "moniker",
            "description",
            "permissions",
            "is_builtin",
            "users_count",
            "created_at",
            "updated_at",
        }

    async def test_no_field_node_leaves_only_the_id(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        await give_role(factory, member, ["role.read"], only=True)

        one = await api.as_(member).get(f"{ROLES}/member")

        assert set(one.json()["role"]) == {"id"}

    async def test_users_of_a_role_are_gated_as_users(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        await give_role(
            factory, member, ["role.read", "user.read.other", "obj.user.name"], only=True
        )

        response = await api.as_(member).get(f"{ROLES}/owner/users")

        assert response.json()["users"] == [{"id": owner.id, "name": owner.user.name}]

    async def test_created_role_answer_is_gated_too(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        await give_role(
            factory, member, ["role.read", "role.create", "obj.role.moniker"], only=True
        )

        response = await api.as_(member).post(
            ROLES, json={"title": "Gated", "moniker": "gated", "permissions": ["role.read"]}
        )

        assert response.status_code == 201
        assert set(response.json()["role"]) == {"id", "moniker"}
