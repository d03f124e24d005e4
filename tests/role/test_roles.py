"""Role routes: list, read, create, update, delete, permissions, users with a role."""

from __future__ import annotations

from typing import Any

import pytest

from clocktower.auth.permissions import BUILTIN_ROLES
from tests.role.conftest import give_role, make_role
from tests.support import Api, Factory, Member, api_token

ROLES = "/api/v1/roles"
NEW_ROLE = {
    "title": "Bookkeeper",
    "moniker": "bookkeeper",
    "description": "Reads the books",
    "permissions": ["client.fetch", "client.fetch.many", "report.fetch"],
}


async def _role(api: Api, who: Member, identifier: str | int) -> dict[str, Any]:
    response = await api.as_(who).get(f"{ROLES}/{identifier}")
    assert response.status_code == 200, response.text
    return response.json()["role"]


class TestListRoles:
    async def test_lists_builtin_and_custom_roles_with_counts(
        self, api: Api, factory: Factory, owner: Member, admin: Member
    ) -> None:
        custom = await give_role(factory, admin, ["report.fetch"])

        response = await api.as_(owner).get(ROLES)

        assert response.status_code == 200
        body = response.json()
        by_moniker = {role["moniker"]: role for role in body["roles"]}
        assert set(by_moniker) == {*BUILTIN_ROLES, custom.moniker}
        assert by_moniker["owner"]["permissions"] == ["*"]
        assert by_moniker["owner"]["is_builtin"] is True
        assert by_moniker["owner"]["users_count"] == 1
        assert by_moniker["admin"]["users_count"] == 1
        assert by_moniker["viewer"]["users_count"] == 0
        assert by_moniker[custom.moniker] | {"created_at": None, "updated_at": None} == {
            "id": custom.id,
            "title": custom.title,
            "moniker": custom.moniker,
            "description": None,
            "permissions": ["report.fetch"],
            "is_builtin": False,
            "users_count": 1,
            "created_at": None,
            "updated_at": None,
        }
        assert by_moniker["owner"]["created_at"].endswith("Z")
        assert body["pagination"]["total"] == len(BUILTIN_ROLES) + 1

    async def test_builtin_permissions_come_from_code_not_the_row(
        self, api: Api, factory: Factory, owner: Member, viewer: Member
    ) -> None:
        from sqlalchemy import update

        from clocktower.models import Role

        await factory.session.execute(
            update(Role)
            .where(Role.organization_id == owner.organization.id, Role.moniker == "viewer")
            .values(permissions=["*"])
        )
        await factory.session.commit()

        role = await _role(api, owner, "viewer")
        denied = await api.as_(viewer).post(ROLES, json=NEW_ROLE)

        assert role["permissions"] == list(BUILTIN_ROLES["viewer"][2])
        assert denied.status_code == 403

    async def test_paginates(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).get(ROLES, params={"page": 2, "per_page": 2})

        body = response.json()
        assert [role["moniker"] for role in body["roles"]] == ["member", "viewer"]
        assert body["pagination"]["total"] == len(BUILTIN_ROLES)
        assert body["pagination"]["has_next"] is True

    async def test_other_organisations_roles_are_not_listed(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member
    ) -> None:
        theirs = await make_role(factory, other_owner.organization, ["report.fetch"])

        response = await api.as_(owner).get(ROLES)

        ids = {role["id"] for role in response.json()["roles"]}
        assert theirs.id not in ids
        assert len(ids) == len(BUILTIN_ROLES)

    async def test_member_without_role_list_is_forbidden(self, api: Api, member: Member) -> None:
        response = await api.as_(member).get(ROLES)

        assert response.status_code == 403
        assert response.json()["required_permission"] == "role.list"

    async def test_anonymous_is_401(self, api: Api) -> None:
        response = await api.get(ROLES)

        assert response.status_code == 401

    async def test_query_count_does_not_grow_with_rows(
        self, api: Api, factory: Factory, owner: Member, queries: Any
    ) -> None:
        first = await factory.member(owner.organization, "member")
        await give_role(factory, first, ["report.fetch"])
        with queries:
            await api.as_(owner).get(ROLES)
        few = queries.count

        for _ in range(6):
            someone = await factory.member(owner.organization, "viewer")
            await give_role(factory, someone, ["report.fetch"])
        with queries:
            response = await api.as_(owner).get(ROLES)

        assert len(response.json()["roles"]) == len(BUILTIN_ROLES) + 7
        assert queries.count == few


class TestGetRole:
    @pytest.mark.parametrize("by", ["id", "moniker"])
    async def test_by_id_or_moniker(
        self, api: Api, factory: Factory, owner: Member, by: str
    ) -> None:
        role = await make_role(factory, owner.organization, ["task.*"], moniker="planner")

        found = await _role(api, owner, role.id if by == "id" else "planner")

        assert found["id"] == role.id
        assert found["moniker"] == "planner"
        assert found["permissions"] == ["task.*"]
        assert found["users_count"] == 0

    async def test_member_may_read_roles(self, api: Api, member: Member) -> None:
        found = await _role(api, member, "member")

        assert found["permissions"] == list(BUILTIN_ROLES["member"][2])
        assert found["users_count"] == 1

    @pytest.mark.parametrize("identifier", ["nobody", "999999", "9" * 40, "²"])
    async def test_unknown_is_404(self, api: Api, owner: Member, identifier: str) -> None:
        response = await api.as_(owner).get(f"{ROLES}/{identifier}")

        assert response.status_code == 404
        assert response.json()["error_code"] == "not_found"

    @pytest.mark.parametrize("by", ["id", "moniker"])
    async def test_other_organisations_role_is_404(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member, by: str
    ) -> None:
        theirs = await make_role(factory, other_owner.organization, ["*"], moniker="theirs")

        response = await api.as_(owner).get(f"{ROLES}/{theirs.id if by == 'id' else 'theirs'}")

        assert response.status_code == 404
        assert response.json()["error_code"] == "not_found"

    async def test_customer_without_role_read_is_forbidden(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        customer = await factory.member(owner.organization, "customer")

        response = await api.as_(customer).get(f"{ROLES}/owner")

        assert response.status_code == 403
        assert response.json()["required_permission"] == "role.read"


class TestCreateRole:
    async def test_creates_a_custom_role(self, api: Api, admin: Member) -> None:
        response = await api.as_(admin).post(ROLES, json=NEW_ROLE)

        assert response.status_code == 201
        body = response.json()
        assert body["message"] == "Role created"
        role = body["role"]
        assert role["title"] == "Bookkeeper"
        assert role["moniker"] == "bookkeeper"
        assert role["description"] == "Reads the books"
        assert role["permissions"] == NEW_ROLE["permissions"]
        assert role["is_builtin"] is False
        assert role["users_count"] == 0
        assert (await _role(api, admin, "bookkeeper"))["id"] == role["id"]

    async def test_duplicates_are_dropped_in_order(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).post(
            ROLES,
            json={
                "title": "Twice",
                "moniker": "twice",
                "permissions": ["task.*", "report.fetch", "task.*"],
            },
        )

        assert response.json()["role"]["permissions"] == ["task.*", "report.fetch"]

    async def test_permissions_default_to_none(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).post(ROLES, json={"title": "Empty", "moniker": "empty"})

        assert response.status_code == 201
        assert response.json()["role"]["permissions"] == []

    @pytest.mark.parametrize("moniker", ["bookkeeper", "admin", "owner"])
    async def test_taken_moniker_is_conflict(
        self, api: Api, factory: Factory, owner: Member, moniker: str
    ) -> None:
        await make_role(factory, owner.organization, [], moniker="bookkeeper")

        response = await api.as_(owner).post(ROLES, json={**NEW_ROLE, "moniker": moniker})

        assert response.status_code == 409
        assert response.json()["error_code"] == "role_moniker_taken"

    async def test_same_moniker_in_another_organisation_is_fine(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member
    ) -> None:
        await make_role(factory, other_owner.organization, [], moniker="bookkeeper")

        response = await api.as_(owner).post(ROLES, json=NEW_ROLE)

        assert response.status_code == 201

    async def test_unknown_nodes_are_listed(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).post(
            ROLES,
            json={
                **NEW_ROLE,
                "permissions": ["report.fetch", "company.fetch", "nothing.*", "report"],
            },
        )

        assert response.status_code == 400
        body = response.json()
        assert body["error_code"] == "validation_error"
        assert body["errors"]["permissions"] == [
            "Unknown permission node: company.fetch",
            "Unknown permission node: nothing.*",
            "Unknown permission node: report",
        ]

    async def test_known_wildcards_and_field_nodes_are_accepted(
        self, api: Api, owner: Member
    ) -> None:
        permissions = ["*", "obj.*", "obj.role.*", "obj.role.title", "time_entry.*", "role.*"]
        response = await api.as_(owner).post(ROLES, json={**NEW_ROLE, "permissions": permissions})

        assert response.status_code == 201
        assert response.json()["role"]["permissions"] == permissions

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("moniker", "Bookkeeper"),
            ("moniker", "1st"),
            ("moniker", "a"),
            ("moniker", "with-dash"),
            ("moniker", "x" * 65),
            ("title", ""),
            ("title", "t" * 101),
            ("description", "d" * 501),
            ("permissions", "report.fetch"),
            ("permissions", [""]),
            ("permissions", [1]),
            ("permissions", None),
            ("admin", True),
        ],
    )
    async def test_invalid_body_is_validation_error(
        self, api: Api, owner: Member, field: str, value: Any
    ) -> None:
        response = await api.as_(owner).post(ROLES, json={**NEW_ROLE, field: value})

        assert response.status_code == 400
        body = response.json()
        assert body["error_code"] == "validation_error"
        assert any(key.startswith(field) for key in body["errors"])

    async def test_missing_title_is_validation_error(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).post(ROLES, json={"moniker": "x_y"})

        assert response.status_code == 400
        assert "title" in response.json()["errors"]

    async def test_malformed_json_is_400(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).post(
            ROLES, content=b"{nope", headers={"Content-Type": "application/json"}
        )

        assert response.status_code == 400
        assert response.json()["error_code"] == "invalid_json"

    @pytest.mark.parametrize("who", ["member", "viewer"])
    async def test_without_role_create_is_forbidden(
        self, api: Api, member: Member, viewer: Member, who: str
    ) -> None:
        caller = member if who == "member" else viewer

        response = await api.as_(caller).post(ROLES, json=NEW_ROLE)

        assert response.status_code == 403
        assert response.json()["required_permission"] == "role.create"
        assert (await api.as_(caller).get(f"{ROLES}/bookkeeper")).status_code == 404

    @pytest.mark.parametrize(
        "permissions",
        [["*"], ["organization.delete"], ["report.fetch", "organization.*"], ["organization.*"]],
    )
    async def test_admin_cannot_grant_what_they_lack(
        self, api: Api, admin: Member, permissions: list[str]
    ) -> None:
        response = await api.as_(admin).post(ROLES, json={**NEW_ROLE, "permissions": permissions})

        assert response.status_code == 403
        body = response.json()
        assert body["error_code"] == "permission_escalation"
        assert "report.fetch" not in str(body["errors"])
        assert (await api.as_(admin).get(f"{ROLES}/bookkeeper")).status_code == 404

    async def test_owner_can_grant_everything(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).post(
            ROLES, json={**NEW_ROLE, "permissions": ["*", "organization.delete"]}
        )

        assert response.status_code == 201
        assert response.json()["role"]["permissions"] == ["*", "organization.delete"]

    async def test_admin_can_grant_nodes_covered_by_their_wildcards(
        self, api: Api, admin: Member
    ) -> None:
        response = await api.as_(admin).post(
            ROLES, json={**NEW_ROLE, "permissions": ["role.*", "client.update", "obj.role.title"]}
        )

        assert response.status_code == 201

    async def test_single_nodes_do_not_add_up_to_a_wildcard(
        self, api: Api, factory: Factory, viewer: Member
    ) -> None:
        await give_role(factory, viewer, ["role.read", "role.create", "report.fetch"])

        narrow = await api.as_(viewer).post(ROLES, json={**NEW_ROLE, "permissions": ["role.read"]})
        wide = await api.as_(viewer).post(
            ROLES, json={**NEW_ROLE, "moniker": "wide", "permissions": ["report.*"]}
        )

        assert narrow.status_code == 201
        assert wide.status_code == 403
        assert wide.json()["error_code"] == "permission_escalation"


class TestCreateRoleWithApiToken:
    async def test_token_without_write_scope_gets_scope_error(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        token = await api_token(factory, owner, ["read:organization"])

        listed = await api.as_(token).get(ROLES)
        created = await api.as_(token).post(ROLES, json=NEW_ROLE)

        assert listed.status_code == 200
        assert created.status_code == 403
        assert created.json()["required_scope"] == "write:organization"
        assert created.json()["available_scopes"] == ["read:organization"]

    async def test_token_never_does_more_than_its_user(
        self, api: Api, factory: Factory, viewer: Member
    ) -> None:
        token = await api_token(factory, viewer, ["admin:all"])

        response = await api.as_(token).post(ROLES, json=NEW_ROLE)

        assert response.status_code == 403
        assert response.json()["required_permission"] == "role.create"

    async def test_token_cannot_grant_beyond_its_scopes(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        token = await api_token(factory, owner, ["read:organization", "write:organization"])

        beyond = await api.as_(token).post(ROLES, json={**NEW_ROLE, "permissions": ["client.*"]})
        within = await api.as_(token).post(
            ROLES,
            json={**NEW_ROLE, "moniker": "within", "permissions": ["role.*", "obj.role.title"]},
        )
        admin_token = await api_token(factory, owner, ["admin:all"])
        everything = await api.as_(admin_token).post(
            ROLES, json={**NEW_ROLE, "moniker": "everything", "permissions": ["*"]}
        )

        assert beyond.status_code == 403
        assert beyond.json()["error_code"] == "permission_escalation"
        assert within.status_code == 201
        assert everything.status_code == 201


class TestUpdateRole:
    async def test_changes_fields_and_replaces_permissions(
        self, api: Api, factory: Factory, admin: Member
    ) -> None:
        role = await make_role(factory, admin.organization, ["task.*", "report.fetch"])

        response = await api.as_(admin).patch(
            f"{ROLES}/{role.moniker}",
            json={
                "title": "Renamed",
                "moniker": "renamed",
                "description": "Now described",
                "permissions": ["project.fetch"],
            },
        )

        assert response.status_code == 200
        body = response.json()
        assert body["message"] == "Role updated"
        assert body["role"]["title"] == "Renamed"
        assert body["role"]["moniker"] == "renamed"
        assert body["role"]["description"] == "Now described"
        assert body["role"]["permissions"] == ["project.fetch"]
        assert (await _role(api, admin, role.id))["moniker"] == "renamed"

    async def test_only_sent_fields_change(self, api: Api, factory: Factory, admin: Member) -> None:
        role = await make_role(factory, admin.organization, ["task.*"], title="Planner")

        response = await api.as_(admin).patch(f"{ROLES}/{role.id}", json={"description": "x"})

        assert response.json()["role"]["title"] == "Planner"
        assert response.json()["role"]["permissions"] == ["task.*"]
        cleared = await api.as_(admin).patch(f"{ROLES}/{role.id}", json={"description": None})
        assert cleared.json()["role"]["description"] is None

    @pytest.mark.parametrize("field", ["title", "moniker", "permissions"])
    async def test_null_for_a_required_field_is_validation_error(
        self, api: Api, factory: Factory, admin: Member, field: str
    ) -> None:
        role = await make_role(factory, admin.organization, [])

        response = await api.as_(admin).patch(f"{ROLES}/{role.id}", json={field: None})

        assert response.status_code == 400
        assert field in response.json()["errors"]

    @pytest.mark.parametrize("moniker", ["owner", "admin", "viewer"])
    async def test_builtin_role_is_immutable(self, api: Api, owner: Member, moniker: str) -> None:
        response = await api.as_(owner).patch(f"{ROLES}/{moniker}", json={"title": "Mine now"})

        assert response.status_code == 409
        assert response.json()["error_code"] == "role_builtin"
        assert (await _role(api, owner, moniker))["title"] == BUILTIN_ROLES[moniker][0]

    async def test_taken_moniker_is_conflict(
        self, api: Api, factory: Factory, admin: Member
    ) -> None:
        await make_role(factory, admin.organization, [], moniker="first")
        second = await make_role(factory, admin.organization, [], moniker="second")

        to_custom = await api.as_(admin).patch(f"{ROLES}/second", json={"moniker": "first"})
        to_builtin = await api.as_(admin).patch(f"{ROLES}/second", json={"moniker": "member"})

        assert to_custom.status_code == 409
        assert to_custom.json()["error_code"] == "role_moniker_taken"
        assert to_builtin.status_code == 409
        assert (await _role(api, admin, second.id))["moniker"] == "second"

    async def test_unknown_node_is_validation_error(
        self, api: Api, factory: Factory, admin: Member
    ) -> None:
        role = await make_role(factory, admin.organization, ["task.*"])

        response = await api.as_(admin).patch(
            f"{ROLES}/{role.id}", json={"permissions": ["task.*", "credential.create"]}
        )

        assert response.status_code == 400
        assert response.json()["errors"]["permissions"] == [
            "Unknown permission node: credential.create"
        ]
        assert (await _role(api, admin, role.id))["permissions"] == ["task.*"]

    async def test_escalation_is_forbidden_and_nothing_changes(
        self, api: Api, factory: Factory, admin: Member
    ) -> None:
        role = await make_role(factory, admin.organization, ["task.*"], title="Planner")

        response = await api.as_(admin).patch(
            f"{ROLES}/{role.id}", json={"title": "Boss", "permissions": ["task.*", "*"]}
        )

        assert response.status_code == 403
        assert response.json()["error_code"] == "permission_escalation"
        unchanged = await _role(api, admin, role.id)
        assert unchanged["title"] == "Planner"
        assert unchanged["permissions"] == ["task.*"]

    async def test_keeping_a_node_already_on_the_role_is_not_granting_it(
        self, api: Api, factory: Factory, admin: Member
    ) -> None:
        role = await make_role(factory, admin.organization, ["*"])

        response = await api.as_(admin).patch(
            f"{ROLES}/{role.id}", json={"permissions": ["*", "report.fetch"]}
        )

        assert response.status_code == 200
        assert response.json()["role"]["permissions"] == ["*", "report.fetch"]

    async def test_other_organisations_role_is_404_and_unchanged(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member
    ) -> None:
        theirs = await make_role(factory, other_owner.organization, [], moniker="theirs")

        by_id = await api.as_(owner).patch(f"{ROLES}/{theirs.id}", json={"title": "Hijacked"})
        by_moniker = await api.as_(owner).patch(f"{ROLES}/theirs", json={"title": "Hijacked"})

        assert by_id.status_code == 404
        assert by_moniker.status_code == 404
        assert (await _role(api, other_owner, theirs.id))["title"] == theirs.title

    async def test_unknown_is_404(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).patch(f"{ROLES}/nobody", json={"title": "X"})

        assert response.status_code == 404

    async def test_viewer_is_forbidden(
        self, api: Api, factory: Factory, owner: Member, viewer: Member
    ) -> None:
        role = await make_role(factory, owner.organization, [])

        response = await api.as_(viewer).patch(f"{ROLES}/{role.id}", json={"title": "X"})

        assert response.status_code == 403
        assert response.json()["required_permission"] == "role.modify"


class TestDeleteRole:
    async def test_deletes_and_members_lose_it(
        self, api: Api, factory: Factory, admin: Member, viewer: Member
    ) -> None:
        role = await give_role(factory, viewer, ["role.*"])
        assert (await api.as_(viewer).post(ROLES, json=NEW_ROLE)).status_code == 201

        response = await api.as_(admin).delete(f"{ROLES}/{role.moniker}")

        assert response.status_code == 200
        assert response.json() == {
            "message": "Role deleted",
            "role": {"id": role.id, "title": role.title, "moniker": role.moniker},
        }
        assert (await api.as_(admin).get(f"{ROLES}/{role.id}")).status_code == 404
        again = await api.as_(viewer).post(ROLES, json={**NEW_ROLE, "moniker": "again"})
        assert again.status_code == 403
        viewers = await api.as_(admin).get(f"{ROLES}/viewer/users")
        assert viewers.json()["users"][0]["roles"] == ["viewer"]

    @pytest.mark.parametrize("moniker", list(BUILTIN_ROLES))
    async def test_builtin_role_cannot_be_deleted(
        self, api: Api, owner: Member, moniker: str
    ) -> None:
        response = await api.as_(owner).delete(f"{ROLES}/{moniker}")

        assert response.status_code == 409
        assert response.json()["error_code"] == "role_builtin"
        await _role(api, owner, moniker)

    async def test_other_organisations_role_is_404_and_kept(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member
    ) -> None:
        theirs = await make_role(factory, other_owner.organization, [], moniker="theirs")

        by_id = await api.as_(owner).delete(f"{ROLES}/{theirs.id}")
        by_moniker = await api.as_(owner).delete(f"{ROLES}/theirs")

        assert by_id.status_code == 404
        assert by_moniker.status_code == 404
        await _role(api, other_owner, theirs.id)

    async def test_unknown_is_404(self, api: Api, owner: Member) -> None:
        assert (await api.as_(owner).delete(f"{ROLES}/123456")).status_code == 404

    async def test_member_is_forbidden(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        role = await make_role(factory, owner.organization, [])

        response = await api.as_(member).delete(f"{ROLES}/{role.id}")

        assert response.status_code == 403
        assert response.json()["required_permission"] == "role.delete"
        await _role(api, owner, role.id)


class TestRolePermissions:
    async def test_add_merges_in_order_without_duplicates(
        self, api: Api, factory: Factory, admin: Member
    ) -> None:
        role = await make_role(factory, admin.organization, ["task.fetch", "report.fetch"])

        response = await api.as_(admin).post(
            f"{ROLES}/{role.id}/permissions",
            json={"permissions": ["project.fetch", "task.fetch", "client.*", "project.fetch"]},
        )

        assert response.status_code == 200
        assert response.json()["message"] == "Permissions added"
        assert response.json()["role"]["permissions"] == [
            "task.fetch",
            "report.fetch",
            "project.fetch",
            "client.*",
        ]

    async def test_remove_takes_nodes_away(self, api: Api, factory: Factory, admin: Member) -> None:
        role = await make_role(factory, admin.organization, ["task.fetch", "report.fetch", "a.b"])

        response = await api.as_(admin).request(
            "DELETE",
            f"{ROLES}/{role.moniker}/permissions",
            json={"permissions": ["task.fetch", "a.b", "project.fetch"]},
        )

        assert response.status_code == 200
        assert response.json()["message"] == "Permissions removed"
        assert response.json()["role"]["permissions"] == ["report.fetch"]

    async def test_add_unknown_node_is_validation_error(
        self, api: Api, factory: Factory, admin: Member
    ) -> None:
        role = await make_role(factory, admin.organization, ["task.fetch"])

        response = await api.as_(admin).post(
            f"{ROLES}/{role.id}/permissions", json={"permissions": ["company.fetch"]}
        )

        assert response.status_code == 400
        assert response.json()["errors"]["permissions"] == [
            "Unknown permission node: company.fetch"
        ]

    async def test_add_escalation_is_forbidden(
        self, api: Api, factory: Factory, admin: Member
    ) -> None:
        role = await make_role(factory, admin.organization, ["task.fetch"])

        response = await api.as_(admin).post(
            f"{ROLES}/{role.id}/permissions", json={"permissions": ["organization.delete"]}
        )

        assert response.status_code == 403
        assert response.json()["error_code"] == "permission_escalation"
        assert (await _role(api, admin, role.id))["permissions"] == ["task.fetch"]

    @pytest.mark.parametrize("method", ["POST", "DELETE"])
    async def test_empty_list_is_validation_error(
        self, api: Api, factory: Factory, admin: Member, method: str
    ) -> None:
        role = await make_role(factory, admin.organization, ["task.fetch"])

        response = await api.as_(admin).request(
            method, f"{ROLES}/{role.id}/permissions", json={"permissions": []}
        )

        assert response.status_code == 400
        assert "permissions" in response.json()["errors"]

    @pytest.mark.parametrize("method", ["POST", "DELETE"])
    async def test_builtin_role_is_immutable(self, api: Api, owner: Member, method: str) -> None:
        response = await api.as_(owner).request(
            method, f"{ROLES}/member/permissions", json={"permissions": ["report.fetch"]}
        )

        assert response.status_code == 409
        assert response.json()["error_code"] == "role_builtin"

    @pytest.mark.parametrize("method", ["POST", "DELETE"])
    async def test_other_organisations_role_is_404_and_unchanged(
        self,
        api: Api,
        factory: Factory,
        owner: Member,
        other_owner: Member,
        method: str,
    ) -> None:
        theirs = await make_role(factory, other_owner.organization, ["report.fetch"])

        for identifier in (theirs.id, theirs.moniker):
            response = await api.as_(owner).request(
                method, f"{ROLES}/{identifier}/permissions", json={"permissions": ["task.*"]}
            )
            assert response.status_code == 404
        assert (await _role(api, other_owner, theirs.id))["permissions"] == ["report.fetch"]

    @pytest.mark.parametrize("method", ["POST", "DELETE"])
    async def test_viewer_is_forbidden(
        self, api: Api, factory: Factory, owner: Member, viewer: Member, method: str
    ) -> None:
        role = await make_role(factory, owner.organization, ["report.fetch"])

        response = await api.as_(viewer).request(
            method, f"{ROLES}/{role.id}/permissions", json={"permissions": ["task.fetch"]}
        )

        assert response.status_code == 403
        assert response.json()["required_permission"] == "role.modify"


class TestRoleUsers:
    async def test_lists_members_holding_the_role(
        self, api: Api, factory: Factory, owner: Member, admin: Member, member: Member
    ) -> None:
        role = await give_role(factory, admin, ["report.fetch"])
        await give_role(factory, member, role=role)

        response = await api.as_(owner).get(f"{ROLES}/{role.moniker}/users")

        assert response.status_code == 200
        body = response.json()
        assert [user["id"] for user in body["users"]] == [admin.id, member.id]
        first = body["users"][0]
        assert first["name"] == "Ada Admin"
        assert first["email"] == admin.user.email
        assert first["roles"] == ["admin", role.moniker]
        assert "password_hash" not in first
        assert body["pagination"]["total"] == 2

    async def test_builtin_role_users_and_pagination(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        for _ in range(3):
            await factory.member(owner.organization, "viewer")

        response = await api.as_(owner).get(
            f"{ROLES}/viewer/users", params={"per_page": 2, "page": 2}
        )

        body = response.json()
        assert len(body["users"]) == 1
        assert body["pagination"]["total"] == 3

    async def test_members_of_another_organisation_never_appear(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member
    ) -> None:
        response = await api.as_(owner).get(f"{ROLES}/owner/users")

        assert [user["id"] for user in response.json()["users"]] == [owner.id]

    async def test_other_organisations_role_is_404(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member
    ) -> None:
        theirs = await give_role(factory, other_owner, ["report.fetch"])

        for identifier in (theirs.id, theirs.moniker):
            response = await api.as_(owner).get(f"{ROLES}/{identifier}/users")
            assert response.status_code == 404

    async def test_needs_user_read_other(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        await give_role(factory, member, ["role.read"], only=True)

        response = await api.as_(member).get(f"{ROLES}/owner/users")

        assert response.status_code == 403
        assert response.json()["required_permission"] == "user.read.other"

    async def test_query_count_does_not_grow_with_rows(
        self, api: Api, factory: Factory, owner: Member, queries: Any
    ) -> None:
        role = await make_role(factory, owner.organization, ["report.fetch"])
        first = await factory.member(owner.organization, "member")
        await give_role(factory, first, role=role)
        with queries:
            await api.as_(owner).get(f"{ROLES}/{role.id}/users")
        few = queries.count

        for _ in range(5):
            someone = await factory.member(owner.organization, "viewer")
            await give_role(factory, someone, role=role)
        with queries:
            response = await api.as_(owner).get(f"{ROLES}/{role.id}/users")

        assert len(response.json()["users"]) == 6
        assert queries.count == few
