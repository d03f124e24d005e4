"""API tokens: create once, list, rename, revoke; using them; tenancy; idempotency."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select, update

from clocktower.kit.time import utcnow
from clocktower.kit.tokens import sha256_hex
from clocktower.models import ApiToken, IdempotencyKey, Membership
from tests.api_token.support import issue_token
from tests.conftest import QueryCounter
from tests.support import Api, Factory, Member

TOKENS = "/api/v1/api-tokens"
SETTINGS = "/api/v1/settings"


class TestCreateApiToken:
    async def test_returns_the_token_once(self, api: Api, admin: Member) -> None:
        response = await api.as_(admin).post(
            TOKENS,
            json={
                "name": "Zapier",
                "description": "Syncs time entries",
                "scopes": ["read:projects", "read:time_entries"],
                "expires_in_days": 30,
            },
        )

        assert response.status_code == 201
        body = response.json()
        token = body["token"]
        assert body["message"] == "API token created; copy it now, it is not shown again"
        assert token.startswith("tt_")
        assert len(token) == 35
        assert token[3:].isalnum()
        created = body["api_token"]
        assert created["name"] == "Zapier"
        assert created["description"] == "Syncs time entries"
        assert created["user"] == {
            "id": admin.id,
            "name": admin.user.name,
            "email": admin.user.email,
        }
        assert created["token_prefix"] == token[:8]
        assert created["scopes"] == ["read:projects", "read:time_entries"]
        assert created["is_active"] is True
        assert created["revoked_at"] is None
        assert created["last_used_at"] is None
        assert created["created_at"].endswith("Z")
        assert created["expires_at"] is not None
        assert "token_hash" not in created
        assert "token" not in created

    async def test_list_and_get_never_show_the_token_or_its_hash(
        self, api: Api, admin: Member
    ) -> None:
        token, created = await issue_token(api, admin, scopes=["read:projects"])

        listed = await api.as_(admin).get(TOKENS)
        fetched = await api.as_(admin).get(f"{TOKENS}/{created['id']}")

        for response in (listed, fetched):
            assert response.status_code == 200
            assert token not in response.text
            assert sha256_hex(token) not in response.text
            assert "token_hash" not in response.text

    async def test_stored_only_as_its_hash(self, api: Api, admin: Member, factory: Factory) -> None:
        token, created = await issue_token(api, admin, scopes=["read:projects"])

        row = (
            await factory.session.execute(
                select(ApiToken.token_hash).where(ApiToken.id == created["id"])
            )
        ).scalar_one()
        assert row == sha256_hex(token)

    async def test_for_another_member(self, api: Api, admin: Member, member: Member) -> None:
        _, created = await issue_token(api, admin, scopes=["read:projects"], user=member)

        assert created["user"]["id"] == member.id

    async def test_duplicate_scopes_are_kept_once(self, api: Api, admin: Member) -> None:
        _, created = await issue_token(
            api, admin, scopes=["read:projects", "read:projects", "read:tasks"]
        )

        assert created["scopes"] == ["read:projects", "read:tasks"]

    async def test_user_of_another_organisation_is_invalid_reference(
        self, api: Api, admin: Member, other_owner: Member
    ) -> None:
        response = await api.as_(admin).post(
            TOKENS, json={"name": "x", "scopes": ["read:projects"], "user_id": other_owner.id}
        )

        assert response.status_code == 422
        assert response.json()["error_code"] == "invalid_reference"
        assert "user_id" in response.json()["errors"]

    async def test_unknown_scopes_are_listed(self, api: Api, admin: Member) -> None:
        response = await api.as_(admin).post(
            TOKENS, json={"name": "x", "scopes": ["read:projects", "fly:rockets", "sudo"]}
        )

        assert response.status_code == 400
        body = response.json()
        assert body["error_code"] == "unknown_scopes"
        assert body["unknown_scopes"] == ["fly:rockets", "sudo"]
        assert "fly:rockets" in body["errors"]["scopes"][0]

    async def test_scopes_are_required(self, api: Api, admin: Member) -> None:
        missing = await api.as_(admin).post(TOKENS, json={"name": "x"})
        empty = await api.as_(admin).post(TOKENS, json={"name": "x", "scopes": []})

        assert missing.status_code == 400
        assert empty.status_code == 400
        assert "scopes" in empty.json()["errors"]

    async def test_bad_fields_are_validation_errors(self, api: Api, admin: Member) -> None:
        base = {"name": "x", "scopes": ["read:projects"]}
        for body, field in (
            ({**base, "name": ""}, "name"),
            ({**base, "name": "n" * 101}, "name"),
            ({**base, "expires_in_days": 0}, "expires_in_days"),
            ({**base, "expires_in_days": 3651}, "expires_in_days"),
            ({**base, "token_hash": "abc"}, "token_hash"),
        ):
            response = await api.as_(admin).post(TOKENS, json=body)

            assert response.status_code == 400, body
            assert response.json()["error_code"] == "validation_error"
            assert field in response.json()["errors"]

    async def test_admin_cannot_mint_a_token_for_an_owner(
        self, api: Api, admin: Member, owner: Member
    ) -> None:
        response = await api.as_(admin).post(
            TOKENS, json={"name": "x", "scopes": ["admin:all"], "user_id": owner.id}
        )

        assert response.status_code == 403
        assert response.json()["error_code"] == "api_token_user_outranks_caller"

    async def test_owner_can_mint_a_token_for_an_admin(
        self, api: Api, owner: Member, admin: Member
    ) -> None:
        _, created = await issue_token(api, owner, scopes=["admin:all"], user=admin)

        assert created["user"]["id"] == admin.id

    async def test_member_without_permission_is_forbidden(self, api: Api, member: Member) -> None:
        response = await api.as_(member).post(
            TOKENS, json={"name": "x", "scopes": ["read:projects"]}
        )

        assert response.status_code == 403
        assert response.json()["required_permission"] == "api_token.create"


class TestUseApiToken:
    async def test_bearer_and_api_key_headers(self, api: Api, admin: Member) -> None:
        token, _ = await issue_token(api, admin, scopes=["read:organization"])

        bearer = await api.get(SETTINGS, headers={"Authorization": f"Bearer {token}"})
        api_key = await api.get(SETTINGS, headers={"X-API-Key": token})

        assert bearer.status_code == 200
        assert api_key.status_code == 200
        assert bearer.json()["settings"]["organization"]["id"] == admin.organization.id

    async def test_missing_scope_is_403_with_scopes(self, api: Api, admin: Member) -> None:
        token, _ = await issue_token(api, admin, scopes=["read:projects"])

        response = await api.as_(token).get(SETTINGS)

        assert response.status_code == 403
        body = response.json()
        assert body["error_code"] == "forbidden"
        assert body["required_scope"] == "read:organization"
        assert body["available_scopes"] == ["read:projects"]

    async def test_admin_all_never_exceeds_the_users_roles(
        self, api: Api, admin: Member, viewer: Member
    ) -> None:
        token, _ = await issue_token(api, admin, scopes=["admin:all"], user=viewer)

        read = await api.as_(token).get(SETTINGS)
        write = await api.as_(token).put(SETTINGS, json={"name": "Taken over"})

        assert read.status_code == 200
        assert write.status_code == 403
        assert write.json()["required_permission"] == "setting.update"

    async def test_admin_all_passes_every_scope_check(self, api: Api, admin: Member) -> None:
        token, _ = await issue_token(api, admin, scopes=["admin:all"])

        response = await api.as_(token).put(SETTINGS, json={"name": "Renamed by script"})

        assert response.status_code == 200

    async def test_expired_token_is_401(self, api: Api, admin: Member, factory: Factory) -> None:
        token, created = await issue_token(
            api, admin, scopes=["read:organization"], expires_in_days=1
        )
        await factory.session.execute(
            update(ApiToken)
            .where(ApiToken.id == created["id"])
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await factory.session.commit()

        response = await api.as_(token).get(SETTINGS)

        assert response.status_code == 401
        assert response.json()["error_code"] == "unauthorized"

    async def test_revoked_token_is_401(self, api: Api, admin: Member) -> None:
        token, created = await issue_token(api, admin, scopes=["read:organization"])
        await api.as_(admin).delete(f"{TOKENS}/{created['id']}")

        response = await api.as_(token).get(SETTINGS)

        assert response.status_code == 401

    async def test_unknown_token_is_401(self, api: Api, admin: Member) -> None:
        response = await api.as_("tt_" + "x" * 32).get(SETTINGS)

        assert response.status_code == 401

    async def test_last_use_is_recorded(self, api: Api, admin: Member) -> None:
        token, created = await issue_token(api, admin, scopes=["read:organization"])

        await api.as_(token).get(SETTINGS)
        fetched = await api.as_(admin).get(f"{TOKENS}/{created['id']}")

        used = fetched.json()["api_token"]
        assert used["last_used_at"] is not None
        assert used["last_used_ip"] == "127.0.0.1"

    async def test_user_removed_from_organisation_is_401(
        self, api: Api, admin: Member, member: Member, factory: Factory
    ) -> None:
        token, _ = await issue_token(api, admin, scopes=["read:organization"], user=member)
        assert (await api.as_(token).get(SETTINGS)).status_code == 200
        await factory.session.execute(
            delete(Membership).where(Membership.id == member.membership.id)
        )
        await factory.session.commit()

        response = await api.as_(token).get(SETTINGS)

        assert response.status_code == 401

    async def test_another_organisation_header_is_not_a_member(
        self, api: Api, admin: Member, other_owner: Member
    ) -> None:
        token, _ = await issue_token(api, admin, scopes=["read:organization"])

        response = await api.as_(
            token, **{"X-Organization-Id": str(other_owner.organization.id)}
        ).get(SETTINGS)

        assert response.status_code == 403
        assert response.json()["error_code"] == "not_a_member"


class TestListApiTokens:
    async def test_newest_first_with_filters(self, api: Api, admin: Member, member: Member) -> None:
        _, first = await issue_token(api, admin, scopes=["read:projects"], name="first")
        _, second = await issue_token(api, admin, scopes=["read:tasks"], name="second", user=member)
        _, third = await issue_token(api, admin, scopes=["read:tasks"], name="third")
        await api.as_(admin).delete(f"{TOKENS}/{third['id']}")

        everything = await api.as_(admin).get(TOKENS)
        of_member = await api.as_(admin).get(TOKENS, params={"user_id": member.id})
        active = await api.as_(admin).get(TOKENS, params={"active": "true"})
        inactive = await api.as_(admin).get(TOKENS, params={"active": "false"})

        assert everything.status_code == 200
        assert [t["name"] for t in everything.json()["api_tokens"]] == ["third", "second", "first"]
        assert everything.json()["pagination"]["total"] == 3
        assert [t["id"] for t in of_member.json()["api_tokens"]] == [second["id"]]
        assert [t["id"] for t in active.json()["api_tokens"]] == [second["id"], first["id"]]
        assert [t["id"] for t in inactive.json()["api_tokens"]] == [third["id"]]
        assert inactive.json()["api_tokens"][0]["is_active"] is False

    async def test_expired_tokens_are_inactive(
        self, api: Api, admin: Member, factory: Factory
    ) -> None:
        _, created = await issue_token(api, admin, scopes=["read:projects"], expires_in_days=1)
        await factory.session.execute(
            update(ApiToken)
            .where(ApiToken.id == created["id"])
            .values(expires_at=utcnow() - timedelta(minutes=5))
        )
        await factory.session.commit()

        active = await api.as_(admin).get(TOKENS, params={"active": "true"})
        inactive = await api.as_(admin).get(TOKENS, params={"active": "false"})

        assert active.json()["api_tokens"] == []
        assert inactive.json()["api_tokens"][0]["is_active"] is False

    async def test_other_organisations_tokens_are_not_listed(
        self, api: Api, admin: Member, other_owner: Member
    ) -> None:
        await issue_token(api, other_owner, scopes=["read:projects"], name="theirs")
        await issue_token(api, admin, scopes=["read:projects"], name="ours")

        response = await api.as_(admin).get(TOKENS)

        assert [t["name"] for t in response.json()["api_tokens"]] == ["ours"]

    async def test_paginates(self, api: Api, admin: Member) -> None:
        for number in range(3):
            await issue_token(api, admin, scopes=["read:projects"], name=f"t{number}")

        response = await api.as_(admin).get(TOKENS, params={"per_page": 2, "page": 2})

        assert [t["name"] for t in response.json()["api_tokens"]] == ["t0"]
        assert response.json()["pagination"]["has_prev"] is True

    async def test_viewer_is_forbidden(self, api: Api, viewer: Member) -> None:
        response = await api.as_(viewer).get(TOKENS)

        assert response.status_code == 403
        assert response.json()["required_permission"] == "api_token.fetch.many"

    async def test_query_count_does_not_grow_with_rows(
        self, api: Api, admin: Member, member: Member, viewer: Member, queries: QueryCounter
    ) -> None:
        await issue_token(api, admin, scopes=["read:projects"])
        with queries:
            one = await api.as_(admin).get(TOKENS)
        single = queries.count
        for user in (member, viewer, admin, member, viewer):
            await issue_token(api, admin, scopes=["read:projects"], user=user)
        with queries:
            many = await api.as_(admin).get(TOKENS)

        assert len(one.json()["api_tokens"]) == 1
        assert len(many.json()["api_tokens"]) == 6
        assert queries.count == single


class TestListScopes:
    async def test_lists_seed_scopes_with_descriptions(self, api: Api, admin: Member) -> None:
        response = await api.as_(admin).get(f"{TOKENS}/scopes")

        assert response.status_code == 200
        scopes = {s["scope"]: s["description"] for s in response.json()["scopes"]}
        assert scopes["read:projects"] == "View projects"
        assert scopes["admin:all"] == "Full administrative access (use with caution)"
        assert "read:organization" in scopes

    async def test_viewer_is_forbidden(self, api: Api, viewer: Member) -> None:
        response = await api.as_(viewer).get(f"{TOKENS}/scopes")

        assert response.status_code == 403


class TestGetApiToken:
    async def test_unknown_id_is_404(self, api: Api, admin: Member) -> None:
        response = await api.as_(admin).get(f"{TOKENS}/999999")

        assert response.status_code == 404
        assert response.json()["error_code"] == "not_found"

    async def test_out_of_range_id_is_400(self, api: Api, admin: Member) -> None:
        response = await api.as_(admin).get(f"{TOKENS}/{2**70}")

        assert response.status_code == 400


class TestUpdateApiToken:
    async def test_renames_and_describes(self, api: Api, admin: Member) -> None:
        _, created = await issue_token(api, admin, scopes=["read:projects"])

        response = await api.as_(admin).patch(
            f"{TOKENS}/{created['id']}", json={"name": "Renamed", "description": None}
        )

        assert response.status_code == 200
        updated = response.json()["api_token"]
        assert updated["name"] == "Renamed"
        assert updated["description"] is None
        assert updated["scopes"] == ["read:projects"]

    async def test_only_name_and_description_change(self, api: Api, admin: Member) -> None:
        _, created = await issue_token(api, admin, scopes=["read:projects"])

        scopes = await api.as_(admin).patch(
            f"{TOKENS}/{created['id']}", json={"scopes": ["admin:all"]}
        )
        null_name = await api.as_(admin).patch(f"{TOKENS}/{created['id']}", json={"name": None})

        assert scopes.status_code == 400
        assert scopes.json()["errors"] == {"scopes": ["Unknown field"]}
        assert null_name.status_code == 400
        assert "name" in null_name.json()["errors"]

    async def test_member_without_permission_is_forbidden(
        self, api: Api, admin: Member, member: Member
    ) -> None:
        _, created = await issue_token(api, admin, scopes=["read:projects"], user=member)

        response = await api.as_(member).patch(f"{TOKENS}/{created['id']}", json={"name": "x"})

        assert response.status_code == 403


class TestRevokeApiToken:
    async def test_revoking_twice_keeps_the_first_time(self, api: Api, admin: Member) -> None:
        _, created = await issue_token(api, admin, scopes=["read:projects"])

        first = await api.as_(admin).delete(f"{TOKENS}/{created['id']}")
        second = await api.as_(admin).delete(f"{TOKENS}/{created['id']}")

        assert first.status_code == 200
        assert first.json()["message"] == "API token revoked"
        assert first.json()["api_token"]["is_active"] is False
        assert first.json()["api_token"]["revoked_at"] is not None
        assert second.status_code == 200
        assert second.json()["api_token"]["revoked_at"] == first.json()["api_token"]["revoked_at"]

    async def test_member_without_permission_is_forbidden(
        self, api: Api, admin: Member, member: Member
    ) -> None:
        _, created = await issue_token(api, admin, scopes=["read:projects"], user=member)

        response = await api.as_(member).delete(f"{TOKENS}/{created['id']}")

        assert response.status_code == 403
        assert response.json()["required_permission"] == "api_token.revoke"


class TestAnotherOrganisationsToken:
    async def test_is_not_found_and_unchanged(
        self, api: Api, admin: Member, other_owner: Member
    ) -> None:
        token, theirs = await issue_token(
            api, other_owner, scopes=["read:organization"], name="theirs"
        )
        url = f"{TOKENS}/{theirs['id']}"

        fetched = await api.as_(admin).get(url)
        patched = await api.as_(admin).patch(url, json={"name": "hijacked"})
        revoked = await api.as_(admin).delete(url)

        for response in (fetched, patched, revoked):
            assert response.status_code == 404
            assert response.json()["error_code"] == "not_found"
        unchanged = (await api.as_(other_owner).get(url)).json()["api_token"]
        assert unchanged["name"] == "theirs"
        assert unchanged["revoked_at"] is None
        assert (await api.as_(token).get(SETTINGS)).status_code == 200


class TestIdempotentCreate:
    async def test_same_key_and_body_replays_the_first_answer(
        self, api: Api, admin: Member, factory: Factory
    ) -> None:
        body = {"name": "Retry-safe", "scopes": ["read:projects"]}
        headers = {"Idempotency-Key": "create-token-1"}

        first = await api.as_(admin).post(TOKENS, json=body, headers=headers)
        again = await api.as_(admin).post(TOKENS, json=body, headers=headers)

        assert first.status_code == 201
        assert again.status_code == 201
        assert again.content == first.content
        assert again.json()["token"] == first.json()["token"]
        # The stored first answer holds the plaintext token: only encrypted at rest.
        stored = (await factory.session.execute(select(IdempotencyKey.response_body))).scalars()
        assert all(first.json()["token"].encode() not in body for body in stored)
        count = (
            await factory.session.execute(
                select(func.count())
                .select_from(ApiToken)
                .where(ApiToken.organization_id == admin.organization.id)
            )
        ).scalar_one()
        assert count == 1

    async def test_same_key_with_another_body_is_refused(self, api: Api, admin: Member) -> None:
        headers = {"Idempotency-Key": "create-token-2"}
        await api.as_(admin).post(
            TOKENS, json={"name": "a", "scopes": ["read:projects"]}, headers=headers
        )

        response = await api.as_(admin).post(
            TOKENS, json={"name": "b", "scopes": ["read:projects"]}, headers=headers
        )

        assert response.status_code == 422
        assert response.json()["error_code"] == "idempotency_key_reused"
        listed = await api.as_(admin).get(TOKENS)
        assert [t["name"] for t in listed.json()["api_tokens"]] == ["a"]

    async def test_overlong_key_is_400(self, api: Api, admin: Member) -> None:
        response = await api.as_(admin).post(
            TOKENS,
            json={"name": "a", "scopes": ["read:projects"]},
            headers={"Idempotency-Key": "k" * 129},
        )

        assert response.status_code == 400
        assert response.json()["error_code"] == "invalid_idempotency_key"
