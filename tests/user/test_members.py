"""The users of an organisation (seed 004): list, get, update, remove, roles, check-permission."""

from __future__ import annotations

from sqlalchemy import select

from clocktower.auth.permissions import BUILTIN_ROLES
from clocktower.models import Membership, User
from tests.conftest import QueryCounter
from tests.support import PASSWORD, Api, Factory, Member, api_token, membership_of
from tests.user.conftest import custom_role, member_with

USERS = "/api/v1/users"

DIRECTORY = ["user.read.other", "user.list.other", "obj.user.id", "obj.user.name"]
# May edit other users' profiles, but neither their roles nor their permissions.
EDITOR = ["user.read.other", "user.write.other", "obj.user.*"]


def _url(who: Member | int, suffix: str = "") -> str:
    user_id = who if isinstance(who, int) else who.id
    return f"{USERS}/{user_id}{suffix}"


class TestListUsers:
    async def test_lists_the_members_with_their_roles(
        self, api: Api, owner: Member, admin: Member, member: Member, other_owner: Member
    ) -> None:
        response = await api.as_(admin).get(USERS)

        assert response.status_code == 200
        body = response.json()
        by_id = {user["id"]: user for user in body["users"]}
        assert set(by_id) == {owner.id, admin.id, member.id}
        assert by_id[member.id]["roles"] == ["member"]
        assert by_id[member.id]["email"] == member.user.email
        assert by_id[member.id]["permissions"] == []
        assert by_id[member.id]["joined_at"]
        assert body["pagination"]["total"] == 3
        assert body["pagination"]["page"] == 1

    async def test_paginates(
        self, api: Api, owner: Member, admin: Member, member: Member, viewer: Member
    ) -> None:
        first = await api.as_(admin).get(USERS, params={"per_page": 3})
        second = await api.as_(admin).get(USERS, params={"per_page": 3, "page": 2})

        assert len(first.json()["users"]) == 3
        assert first.json()["pagination"]["has_next"] is True
        assert len(second.json()["users"]) == 1
        ids = [u["id"] for u in first.json()["users"] + second.json()["users"]]
        assert sorted(ids) == sorted([owner.id, admin.id, member.id, viewer.id])

    async def test_filters_by_name_or_email(
        self, api: Api, factory: Factory, owner: Member, admin: Member
    ) -> None:
        await factory.member(owner.organization, name="Zed Zulu", email="zz@Sample.org")

        by_name = await api.as_(admin).get(USERS, params={"q": "zULu"})
        by_email = await api.as_(admin).get(USERS, params={"q": "sample.ORG"})
        wildcard = await api.as_(admin).get(USERS, params={"q": "%"})

        assert [u["name"] for u in by_name.json()["users"]] == ["Zed Zulu"]
        assert [u["name"] for u in by_email.json()["users"]] == ["Zed Zulu"]
        assert wildcard.json()["users"] == []

    async def test_filters_by_role(
        self, api: Api, owner: Member, admin: Member, member: Member, viewer: Member
    ) -> None:
        response = await api.as_(admin).get(USERS, params={"role": "viewer"})
        unknown = await api.as_(admin).get(USERS, params={"role": "nobody"})

        assert [u["id"] for u in response.json()["users"]] == [viewer.id]
        assert unknown.json()["users"] == []

    async def test_fields_are_gated(self, api: Api, factory: Factory, owner: Member) -> None:
        reader = await member_with(factory, owner.organization, DIRECTORY)

        response = await api.as_(reader).get(USERS)

        assert response.status_code == 200
        users = response.json()["users"]
        assert {frozenset(user) for user in users} == {frozenset({"id", "name"})}
        assert {user["name"] for user in users} == {owner.user.name, reader.user.name}

    async def test_member_without_list_permission_is_403(self, api: Api, member: Member) -> None:
        response = await api.as_(member).get(USERS)

        assert response.status_code == 403
        assert response.json()["required_permission"] == "user.list.other"

    async def test_api_token_without_scope_is_403(
        self, api: Api, factory: Factory, admin: Member
    ) -> None:
        token = await api_token(factory, admin, ["read:projects"])

        response = await api.as_(token).get(USERS)

        assert response.status_code == 403
        assert response.json()["required_scope"] == "read:users"
        assert response.json()["available_scopes"] == ["read:projects"]

    async def test_query_count_does_not_grow_with_the_page(
        self, api: Api, factory: Factory, owner: Member, queries: QueryCounter
    ) -> None:
        with queries:
            await api.as_(owner).get(USERS)
        one = queries.count
        for _ in range(5):
            member = await factory.member(owner.organization)
            membership = await membership_of(factory, member)
            membership.permissions = ["project.fetch"]
        await factory.session.commit()

        with queries:
            response = await api.as_(owner).get(USERS)

        assert len(response.json()["users"]) == 6
        assert queries.count == one, (one, queries.statements)
        assert one <= 8


class TestGetUser:
    async def test_answers_the_member(self, api: Api, viewer: Member, member: Member) -> None:
        response = await api.as_(viewer).get(_url(member))

        assert response.status_code == 200
        user = response.json()["user"]
        assert user["id"] == member.id
        assert user["roles"] == ["member"]
        assert user["name"] == member.user.name

    async def test_user_of_another_organisation_is_404(
        self, api: Api, admin: Member, other_owner: Member
    ) -> None:
        response = await api.as_(admin).get(_url(other_owner))

        assert response.status_code == 404
        assert response.json()["error_code"] == "not_found"

    async def test_unknown_user_is_404(self, api: Api, admin: Member) -> None:
        response = await api.as_(admin).get(_url(987_654_321))

        assert response.status_code == 404

    async def test_non_integer_id_is_validation_error(self, api: Api, admin: Member) -> None:
        response = await api.as_(admin).get(f"{USERS}/abc")

        assert response.status_code == 400
        assert "user_id" in response.json()["errors"]

    async def test_without_permission_is_403(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        nobody = await member_with(factory, owner.organization, ["project.fetch"])

        response = await api.as_(nobody).get(_url(owner))

        assert response.status_code == 403
        assert response.json()["required_permission"] == "user.read.other"


class TestUpdateUser:
    async def test_changes_name_and_image(self, api: Api, admin: Member, member: Member) -> None:
        response = await api.as_(admin).patch(
            _url(member), json={"name": "Renamed", "image_url": "https://example.com/a.png"}
        )

        assert response.status_code == 200
        body = response.json()
        assert body["message"] == "User updated"
        assert body["user"]["name"] == "Renamed"
        assert body["user"]["image_url"] == "https://example.com/a.png"
        assert (await api.as_(member).get("/api/v1/users/me")).json()["user"]["name"] == "Renamed"

    async def test_replaces_roles_by_moniker_or_id(
        self, api: Api, factory: Factory, admin: Member, member: Member
    ) -> None:
        support = await custom_role(factory, admin.organization, "support", ["task.fetch"])

        response = await api.as_(admin).patch(
            _url(member), json={"roles": ["viewer", support.id, "viewer"]}
        )

        assert response.status_code == 200
        assert response.json()["user"]["roles"] == ["viewer", "support"]
        stored = await membership_of(factory, member)
        assert sorted(role.moniker for role in stored.roles) == ["support", "viewer"]
        # The new roles apply at once: a viewer may not create projects.
        check = await api.as_(member).post(
            "/api/v1/users/@me/check-permission", json={"permissions": ["project.create"]}
        )
        assert check.json()["results"][0]["has_permission"] is False

    async def test_sets_direct_permissions(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        response = await api.as_(owner).patch(
            _url(member), json={"permissions": ["user.list.other", "project.*", "project.*"]}
        )

        assert response.status_code == 200
        assert response.json()["user"]["permissions"] == ["user.list.other", "project.*"]
        # member holds user.read.other through its role, now user.list.other directly.
        assert (await api.as_(member).get(USERS)).status_code == 200
        cleared = await api.as_(owner).patch(_url(member), json={"permissions": []})
        assert cleared.json()["user"]["permissions"] == []
        assert (await api.as_(member).get(USERS)).status_code == 403

    async def test_unknown_permission_node_is_validation_error(
        self, api: Api, owner: Member, member: Member
    ) -> None:
        response = await api.as_(owner).patch(
            _url(member), json={"permissions": ["project.fetch", "rocket.launch"]}
        )

        assert response.status_code == 400
        assert response.json()["error_code"] == "validation_error"
        assert "permissions" in response.json()["errors"]

    async def test_unknown_role_is_invalid_reference(
        self, api: Api, owner: Member, member: Member
    ) -> None:
        response = await api.as_(owner).patch(_url(member), json={"roles": ["astronaut"]})

        assert response.status_code == 422
        assert response.json()["error_code"] == "invalid_reference"
        assert "roles" in response.json()["errors"]

    async def test_role_of_another_organisation_is_invalid_reference(
        self, api: Api, factory: Factory, owner: Member, member: Member, other_owner: Member
    ) -> None:
        foreign = await custom_role(factory, other_owner.organization, "foreign", [])

        response = await api.as_(owner).patch(_url(member), json={"roles": [foreign.id]})

        assert response.status_code == 422

    async def test_empty_roles_is_validation_error(
        self, api: Api, owner: Member, member: Member
    ) -> None:
        response = await api.as_(owner).patch(_url(member), json={"roles": []})

        assert response.status_code == 400
        assert "roles" in response.json()["errors"]

    async def test_roles_need_their_own_permission(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        editor = await member_with(factory, owner.organization, EDITOR)

        response = await api.as_(editor).patch(
            _url(member), json={"name": "Fine", "roles": ["viewer"]}
        )

        assert response.status_code == 403
        body = response.json()
        assert body["message"] == "You do not have permission to modify roles on another user."
        assert body["required_permission"] == "user.roles.other"
        assert body["error_code"] == "forbidden"
        stored = await membership_of(factory, member)
        assert [role.moniker for role in stored.roles] == ["member"]

    async def test_permissions_need_their_own_permission(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        editor = await member_with(factory, owner.organization, EDITOR)

        response = await api.as_(editor).patch(
            _url(member), json={"permissions": ["project.fetch"]}
        )

        assert response.status_code == 403
        assert response.json()["required_permission"] == "user.permissions.other"
        assert "permissions on another user" in response.json()["message"]

    async def test_profile_fields_need_only_write_other(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        editor = await member_with(factory, owner.organization, EDITOR)

        response = await api.as_(editor).patch(_url(member), json={"name": "Edited"})

        assert response.status_code == 200

    async def test_with_the_conditional_permissions(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        manager = await member_with(
            factory,
            owner.organization,
            [*EDITOR, "user.roles.other", "user.permissions.other", *BUILTIN_ROLES["viewer"][2]],
        )

        response = await api.as_(manager).patch(
            _url(member), json={"roles": ["viewer"], "permissions": ["report.fetch"]}
        )

        assert response.status_code == 200
        assert response.json()["user"]["roles"] == ["viewer"]
        assert response.json()["user"]["permissions"] == ["report.fetch"]

    async def test_granting_what_you_do_not_hold_is_refused(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        manager = await member_with(
            factory,
            owner.organization,
            [*EDITOR, "user.permissions.other", "project.fetch"],
        )

        response = await api.as_(manager).patch(
            _url(member), json={"permissions": ["project.fetch", "project.delete"]}
        )

        assert response.status_code == 403
        assert response.json()["error_code"] == "permission_escalation"
        assert response.json()["permissions"] == ["project.delete"]
        assert (await membership_of(factory, member)).permissions == []

    async def test_granting_a_wider_wildcard_is_refused(
        self, api: Api, admin: Member, member: Member
    ) -> None:
        response = await api.as_(admin).patch(_url(member), json={"permissions": ["*"]})

        assert response.status_code == 403
        assert response.json()["error_code"] == "permission_escalation"

    async def test_assigning_a_role_beyond_your_own_grants_is_refused(
        self, api: Api, factory: Factory, admin: Member, member: Member
    ) -> None:
        await custom_role(factory, admin.organization, "superpower", ["*"])

        response = await api.as_(admin).patch(_url(member), json={"roles": ["superpower"]})

        assert response.status_code == 403
        assert response.json()["error_code"] == "permission_escalation"

    async def test_only_an_owner_grants_the_owner_role(
        self, api: Api, owner: Member, admin: Member, member: Member
    ) -> None:
        refused = await api.as_(admin).patch(_url(member), json={"roles": ["owner"]})
        granted = await api.as_(owner).patch(_url(member), json={"roles": ["owner"]})

        assert refused.status_code == 403
        assert refused.json()["error_code"] == "owner_only"
        assert granted.status_code == 200
        assert granted.json()["user"]["roles"] == ["owner"]

    async def test_last_owner_cannot_be_demoted(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        response = await api.as_(owner).patch(_url(owner), json={"roles": ["admin"]})

        assert response.status_code == 409
        assert response.json()["error_code"] == "last_owner"
        stored = await membership_of(factory, owner)
        assert [role.moniker for role in stored.roles] == ["owner"]

    async def test_user_of_another_organisation_is_404_and_unchanged(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member
    ) -> None:
        response = await api.as_(owner).patch(
            _url(other_owner), json={"name": "Hijacked", "roles": ["viewer"]}
        )

        assert response.status_code == 404
        user = await factory.session.get(User, other_owner.id, populate_existing=True)
        assert user is not None
        assert user.name != "Hijacked"
        stored = await membership_of(factory, other_owner)
        assert [role.moniker for role in stored.roles] == ["owner"]

    async def test_member_without_write_other_is_403(
        self, api: Api, member: Member, viewer: Member
    ) -> None:
        response = await api.as_(member).patch(_url(viewer), json={"name": "Nope"})

        assert response.status_code == 403
        assert response.json()["required_permission"] == "user.write.other"

    async def test_api_token_without_scope_is_403(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        token = await api_token(factory, owner, ["read:users"])

        response = await api.as_(token).patch(_url(member), json={"name": "Nope"})

        assert response.status_code == 403
        assert response.json()["required_scope"] == "write:organization"

    async def test_unknown_field_is_validation_error(
        self, api: Api, owner: Member, member: Member
    ) -> None:
        response = await api.as_(owner).patch(_url(member), json={"email": "x@example.com"})

        assert response.status_code == 400
        assert response.json()["errors"] == {"email": ["Unknown field"]}


class TestRemoveUser:
    async def test_removes_the_membership_only(
        self, api: Api, factory: Factory, admin: Member, member: Member
    ) -> None:
        response = await api.as_(admin).delete(_url(member))

        assert response.status_code == 200
        assert response.json()["message"]
        assert (await api.as_(admin).get(_url(member))).status_code == 404
        # The account itself stays: the person can still sign in.
        login = await api.post(
            "/api/v1/auth/login", json={"email": member.user.email, "password": PASSWORD}
        )
        assert login.status_code == 200
        me = await api.as_(member).get("/api/v1/users/me")
        assert me.json()["user"]["roles"] == []

    async def test_user_of_another_organisation_is_404_and_stays(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member
    ) -> None:
        response = await api.as_(owner).delete(_url(other_owner))

        assert response.status_code == 404
        found = await factory.session.execute(
            select(Membership.id).where(Membership.user_id == other_owner.id)
        )
        assert found.scalars().all() == [other_owner.membership.id]

    async def test_last_owner_cannot_be_removed(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).delete(_url(owner))

        assert response.status_code == 409
        assert response.json()["error_code"] == "last_owner"

    async def test_admin_cannot_remove_an_owner(
        self, api: Api, owner: Member, admin: Member
    ) -> None:
        response = await api.as_(admin).delete(_url(owner))

        assert response.status_code == 403
        assert response.json()["error_code"] == "owner_only"

    async def test_member_without_permission_is_403(
        self, api: Api, member: Member, viewer: Member
    ) -> None:
        response = await api.as_(member).delete(_url(viewer))

        assert response.status_code == 403
        assert response.json()["required_permission"] == "user.delete.other"


class TestUserRoles:
    async def test_lists_the_roles_with_their_grants(
        self, api: Api, viewer: Member, member: Member
    ) -> None:
        response = await api.as_(viewer).get(_url(member, "/roles"))

        assert response.status_code == 200
        [role] = response.json()["roles"]
        assert role["moniker"] == "member"
        assert role["title"] == "Member"
        assert role["is_builtin"] is True
        assert role["permissions"] == list(BUILTIN_ROLES["member"][2])

    async def test_role_fields_are_gated(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        reader = await member_with(
            factory, owner.organization, ["user.read.other", "role.read", "obj.role.moniker"]
        )

        response = await api.as_(reader).get(_url(member, "/roles"))

        assert response.json()["roles"] == [
            {"id": response.json()["roles"][0]["id"], "moniker": "member"}
        ]

    async def test_user_of_another_organisation_is_404(
        self, api: Api, admin: Member, other_owner: Member
    ) -> None:
        response = await api.as_(admin).get(_url(other_owner, "/roles"))

        assert response.status_code == 404

    async def test_without_role_read_is_403(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        reader = await member_with(factory, owner.organization, ["user.read.other"])

        response = await api.as_(reader).get(_url(member, "/roles"))

        assert response.status_code == 403
        assert response.json()["required_permission"] == "role.read"


class TestCheckUserPermissions:
    async def test_answers_for_the_other_user(
        self, api: Api, owner: Member, member: Member
    ) -> None:
        response = await api.as_(owner).post(
            _url(member, "/check-permission"),
            json={"permissions": ["user.read", "project.create", "project.delete", "*"]},
        )

        assert response.status_code == 200
        results = {r["permission"]: r["has_permission"] for r in response.json()["results"]}
        assert results == {
            "user.read": True,
            "project.create": True,
            "project.delete": False,
            "*": False,
        }

    async def test_counts_direct_permissions_and_dependencies(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        target = await member_with(factory, owner.organization, ["project.update"])
        membership = await membership_of(factory, target)
        membership.permissions = ["task.*"]
        await factory.session.commit()

        response = await api.as_(owner).post(
            _url(target, "/check-permission"),
            json={"permissions": ["project.update", "task.delete"]},
        )

        results = {r["permission"]: r["has_permission"] for r in response.json()["results"]}
        # project.update depends on project.fetch, which the role lacks.
        assert results == {"project.update": False, "task.delete": True}

    async def test_user_of_another_organisation_is_404(
        self, api: Api, owner: Member, other_owner: Member
    ) -> None:
        response = await api.as_(owner).post(
            _url(other_owner, "/check-permission"), json={"permissions": ["project.fetch"]}
        )

        assert response.status_code == 404

    async def test_without_permission_is_403(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        nobody = await member_with(factory, owner.organization, ["project.fetch"])

        response = await api.as_(nobody).post(
            _url(owner, "/check-permission"), json={"permissions": ["project.fetch"]}
        )

        assert response.status_code == 403
