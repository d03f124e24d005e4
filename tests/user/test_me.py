"""GET and PATCH /users/me, and POST /users/@me/check-permission."""

from __future__ import annotations

import pytest

from tests.support import PASSWORD, Api, Factory, Member, api_token
from tests.user.conftest import member_with

ME = "/api/v1/users/me"


class TestGetCurrentUser:
    async def test_answers_the_user_with_roles_here(self, api: Api, admin: Member) -> None:
        response = await api.as_(admin).get(ME)

        assert response.status_code == 200
        user = response.json()["user"]
        assert user["id"] == admin.id
        assert user["email"] == admin.user.email
        assert user["roles"] == ["admin"]
        assert user["current_organization_id"] == admin.organization.id
        assert user["timezone"] == "UTC"
        assert user["default_project_id"] is None
        assert "password_hash" not in user
        assert user["created_at"].endswith("Z") or user["created_at"].endswith("+00:00")

    async def test_roles_follow_the_requested_organisation(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member
    ) -> None:
        from clocktower.organization.repository import RoleRepository
        from clocktower.organization.service import add_member

        viewer_role = await RoleRepository(factory.session).by_moniker(
            other_owner.organization.id, "viewer"
        )
        assert viewer_role is not None
        await add_member(factory.session, other_owner.organization, owner.user, viewer_role)
        await factory.session.commit()

        response = await api.as_(owner).get(
            ME, headers={"X-Organization-Id": str(other_owner.organization.id)}
        )

        assert response.json()["user"]["roles"] == ["viewer"]
        assert response.json()["user"]["current_organization_id"] == other_owner.organization.id

    async def test_user_without_an_organisation_sees_their_whole_record(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        member.user.current_organization_id = None
        await factory.session.commit()

        response = await api.as_(member).get(ME)

        assert response.status_code == 200
        user = response.json()["user"]
        assert user["roles"] == []
        assert user["current_organization_id"] is None
        assert user["email"] == member.user.email

    async def test_fields_are_gated_by_the_roles(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        limited = await member_with(factory, owner.organization, ["obj.user.name"])

        response = await api.as_(limited).get(ME)

        assert response.json()["user"] == {"id": limited.id, "name": limited.user.name}

    async def test_needs_authentication(self, api: Api) -> None:
        response = await api.get(ME)

        assert response.status_code == 401
        assert response.json()["error_code"] == "unauthorized"

    async def test_api_token_with_read_users_scope(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        token = await api_token(factory, member, ["read:users"])

        response = await api.as_(token).get(ME)

        assert response.status_code == 200
        assert response.json()["user"]["id"] == member.id

    async def test_api_token_without_read_users_scope_is_403(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        token = await api_token(factory, member, ["read:projects"])

        response = await api.as_(token).get(ME)

        assert response.status_code == 403
        body = response.json()
        assert body["required_scope"] == "read:users"
        assert body["available_scopes"] == ["read:projects"]


class TestUpdateProfile:
    async def test_partial_update(self, api: Api, member: Member) -> None:
        response = await api.as_(member).patch(
            ME,
            json={
                "name": "Maxine Member",
                "username": "maxine.m",
                "image_url": "https://example.com/avatar.png",
                "timezone": "Europe/Amsterdam",
                "locale": "nl-NL",
                "github_username": "maxine-m",
                "cw_identifier": "MMember",
            },
        )

        assert response.status_code == 200
        body = response.json()
        assert body["message"] == "Profile updated"
        user = body["user"]
        assert user["name"] == "Maxine Member"
        assert user["username"] == "maxine.m"
        assert user["image_url"] == "https://example.com/avatar.png"
        assert user["timezone"] == "Europe/Amsterdam"
        assert user["locale"] == "nl-NL"
        assert user["github_username"] == "maxine-m"
        assert user["cw_identifier"] == "MMember"
        assert user["email"] == member.user.email
        again = await api.as_(member).get(ME)
        assert again.json()["user"]["username"] == "maxine.m"

    async def test_null_clears_optional_fields(self, api: Api, member: Member) -> None:
        await api.as_(member).patch(ME, json={"github_username": "maxine"})

        response = await api.as_(member).patch(ME, json={"github_username": None})

        assert response.json()["user"]["github_username"] is None

    async def test_signs_in_with_the_new_username(self, api: Api, member: Member) -> None:
        await api.as_(member).patch(ME, json={"username": "max_m"})

        response = await api.post(
            "/api/v1/auth/login", json={"username": "max_m", "password": PASSWORD}
        )

        assert response.status_code == 200

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"timezone": "Mars/Olympus"}, "timezone"),
            ({"username": "a b"}, "username"),
            ({"username": "ab"}, "username"),
            ({"image_url": "javascript:alert(1)"}, "image_url"),
            ({"image_url": "ftp://example.com/a.png"}, "image_url"),
            ({"name": ""}, "name"),
            ({"name": None}, "name"),
            ({"locale": "not a locale"}, "locale"),
            ({"github_username": "-bad-"}, "github_username"),
            ({"email": "not-an-email"}, "email"),
            ({"is_superuser": True}, "is_superuser"),
            ({"default_project_id": 1}, "default_project_id"),
        ],
    )
    async def test_invalid_values_are_validation_errors(
        self, api: Api, member: Member, body: dict[str, object], field: str
    ) -> None:
        response = await api.as_(member).patch(ME, json=body)

        assert response.status_code == 400
        assert response.json()["error_code"] == "validation_error"
        assert field in response.json()["errors"]

    async def test_taken_username_is_conflict(
        self, api: Api, member: Member, admin: Member
    ) -> None:
        await api.as_(admin).patch(ME, json={"username": "taken"})

        response = await api.as_(member).patch(ME, json={"username": "taken", "name": "X"})

        assert response.status_code == 409
        assert response.json()["error_code"] == "username_taken"
        unchanged = await api.as_(member).get(ME)
        assert unchanged.json()["user"]["name"] == member.user.name

    async def test_keeping_your_own_username_is_fine(self, api: Api, member: Member) -> None:
        await api.as_(member).patch(ME, json={"username": "mine"})

        response = await api.as_(member).patch(ME, json={"username": "mine"})

        assert response.status_code == 200

    async def test_email_change_with_the_current_password(self, api: Api, member: Member) -> None:
        response = await api.as_(member).patch(
            ME, json={"email": "New.Address@Example.com", "current_password": PASSWORD}
        )

        assert response.status_code == 200
        assert response.json()["user"]["email"] == "new.address@example.com"
        login = await api.post(
            "/api/v1/auth/login",
            json={"email": "new.address@example.com", "password": PASSWORD},
        )
        assert login.status_code == 200

    async def test_email_change_without_the_password_is_refused(
        self, api: Api, member: Member
    ) -> None:
        response = await api.as_(member).patch(ME, json={"email": "new@example.com"})

        assert response.status_code == 400
        assert response.json()["error_code"] == "validation_error"
        assert "current_password" in response.json()["errors"]

    async def test_email_change_with_a_wrong_password_is_refused(
        self, api: Api, member: Member
    ) -> None:
        response = await api.as_(member).patch(
            ME, json={"email": "new@example.com", "current_password": "wrong password"}
        )

        assert response.status_code == 400
        assert response.json()["error_code"] == "current_password_incorrect"
        unchanged = await api.as_(member).get(ME)
        assert unchanged.json()["user"]["email"] == member.user.email

    async def test_taken_email_is_conflict(
        self, api: Api, member: Member, other_owner: Member
    ) -> None:
        response = await api.as_(member).patch(
            ME, json={"email": other_owner.user.email, "current_password": PASSWORD}
        )

        assert response.status_code == 409
        assert response.json()["error_code"] == "email_taken"

    async def test_same_email_needs_no_password(self, api: Api, member: Member) -> None:
        response = await api.as_(member).patch(ME, json={"email": member.user.email.upper()})

        assert response.status_code == 200

    async def test_api_token_needs_write_users_scope(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        token = await api_token(factory, member, ["read:users"])

        response = await api.as_(token).patch(ME, json={"name": "Via token"})

        assert response.status_code == 403
        assert response.json()["required_scope"] == "write:users"


class TestCheckMyPermissions:
    URL = "/api/v1/users/@me/check-permission"

    async def test_answers_per_node(self, api: Api, member: Member) -> None:
        response = await api.as_(member).post(
            self.URL,
            json={"permissions": ["user.read", "project.create", "project.delete", "no.such"]},
        )

        assert response.status_code == 200
        assert response.json() == {
            "results": [
                {"permission": "user.read", "has_permission": True},
                {"permission": "project.create", "has_permission": True},
                {"permission": "project.delete", "has_permission": False},
                {"permission": "no.such", "has_permission": False},
            ]
        }

    async def test_api_token_answers_within_its_scopes(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        token = await api_token(factory, owner, ["read:users", "read:projects"])

        response = await api.as_(token).post(
            self.URL, json={"permissions": ["project.fetch", "project.create"]}
        )

        results = {r["permission"]: r["has_permission"] for r in response.json()["results"]}
        assert results == {"project.fetch": True, "project.create": False}

    async def test_empty_list_is_validation_error(self, api: Api, member: Member) -> None:
        response = await api.as_(member).post(self.URL, json={"permissions": []})

        assert response.status_code == 400
        assert "permissions" in response.json()["errors"]
