"""The permission catalogue: by category, flat, one category."""

from __future__ import annotations

import pytest

from clocktower.auth.permissions import all_categories, all_nodes
from tests.role.conftest import give_role
from tests.support import Api, Factory, Member, api_token

PERMISSIONS = "/api/v1/permissions"


class TestListPermissionCategories:
    async def test_every_category_with_its_nodes(self, api: Api, member: Member) -> None:
        response = await api.as_(member).get(PERMISSIONS)

        assert response.status_code == 200
        categories = response.json()["categories"]
        assert list(categories) == [category.key for category in all_categories()]
        assert categories["global"]["name"] == "Global Permissions"
        assert categories["global"]["permissions"][0]["node"] == "*"
        assert categories["global"]["permissions"][0]["used_in"] == []
        role_nodes = {entry["node"]: entry for entry in categories["role"]["permissions"]}
        assert set(role_nodes) == {
            "role.read",
            "role.list",
            "role.create",
            "role.modify",
            "role.delete",
        }
        assert role_nodes["role.modify"]["dependencies"] == ["role.read"]
        assert role_nodes["role.modify"]["scope"] == "write:organization"

    async def test_used_in_names_the_routes_requiring_the_node(
        self, api: Api, member: Member
    ) -> None:
        response = await api.as_(member).get(PERMISSIONS)

        role_nodes = {
            entry["node"]: entry for entry in response.json()["categories"]["role"]["permissions"]
        }
        assert "POST /api/v1/roles" in role_nodes["role.create"]["used_in"]
        assert "GET /api/v1/roles" in role_nodes["role.list"]["used_in"]
        assert {
            "GET /api/v1/roles/{identifier}",
            "GET /api/v1/permissions",
            "GET /api/v1/permissions/nodes",
            "GET /api/v1/roles/{identifier}/users",
        } <= set(role_nodes["role.read"]["used_in"])
        assert {
            "PATCH /api/v1/roles/{identifier}",
            "POST /api/v1/roles/{identifier}/permissions",
            "DELETE /api/v1/roles/{identifier}/permissions",
        } <= set(role_nodes["role.modify"]["used_in"])

    async def test_field_gating_nodes_are_listed(self, api: Api, member: Member) -> None:
        response = await api.as_(member).get(PERMISSIONS)

        objects = response.json()["categories"]["objects"]
        nodes = {entry["node"] for entry in objects["permissions"]}
        assert {"obj.*", "obj.role.*", "obj.role.title", "obj.user.email"} <= nodes

    async def test_token_with_read_scope_may_read(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        token = await api_token(factory, owner, ["read:organization"])

        response = await api.as_(token).get(PERMISSIONS)

        assert response.status_code == 200

    async def test_token_without_the_scope_is_forbidden(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        token = await api_token(factory, owner, ["read:projects"])

        response = await api.as_(token).get(PERMISSIONS)

        assert response.status_code == 403
        assert response.json()["required_scope"] == "read:organization"
        assert response.json()["available_scopes"] == ["read:projects"]


class TestListPermissionNodes:
    async def test_flat_list_of_every_node(self, api: Api, viewer: Member) -> None:
        response = await api.as_(viewer).get(f"{PERMISSIONS}/nodes")

        assert response.status_code == 200
        nodes = response.json()["permissions"]
        assert [entry["node"] for entry in nodes] == list(all_nodes())
        by_node = {entry["node"]: entry for entry in nodes}
        assert by_node["*"]["scope"] == "admin:all"
        assert "POST /api/v1/roles" in by_node["role.create"]["used_in"]
        assert set(by_node["user.list.other"]) == {
            "node",
            "description",
            "scope",
            "dependencies",
            "used_in",
        }


class TestGetPermissionCategory:
    async def test_one_category(self, api: Api, member: Member) -> None:
        response = await api.as_(member).get(f"{PERMISSIONS}/team")

        assert response.status_code == 200
        category = response.json()["category"]
        assert category["name"] == "Team Permissions"
        assert [entry["node"] for entry in category["permissions"]] == [
            "team.fetch.many",
            "team.invite",
            "team.update",
            "team.remove",
        ]

    async def test_unknown_category_is_404(self, api: Api, member: Member) -> None:
        response = await api.as_(member).get(f"{PERMISSIONS}/invalidCategory")

        assert response.status_code == 404
        body = response.json()
        assert body["error_code"] == "not_found"
        assert body["message"] == 'Permission category "invalidCategory" not found'


class TestCataloguePermission:
    @pytest.mark.parametrize("path", ["", "/nodes", "/role"])
    async def test_without_role_read_is_forbidden(
        self, api: Api, factory: Factory, member: Member, path: str
    ) -> None:
        await give_role(factory, member, ["report.fetch"], only=True)

        response = await api.as_(member).get(f"{PERMISSIONS}{path}")

        assert response.status_code == 403
        assert response.json()["required_permission"] == "role.read"

    async def test_anonymous_is_401(self, api: Api) -> None:
        assert (await api.get(PERMISSIONS)).status_code == 401
