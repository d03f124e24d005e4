"""The audit log: every write appears with its actor; no secret ever does; tenant-scoped."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone

from clocktower.kit.time import utcnow
from clocktower.kit.tokens import sha256_hex
from clocktower.models import AuditLog
from tests.api_token.support import issue_token
from tests.conftest import QueryCounter
from tests.support import Api, Factory, Member

AUDIT = "/api/v1/audit-log"
TOKENS = "/api/v1/api-tokens"


def _actions(response_json: dict[str, object]) -> list[str]:
    return [row["action"] for row in response_json["audit_log"]]  # type: ignore[index, union-attr]


async def _rows(factory: Factory, organization_id: int, count: int, actor: Member) -> None:
    base = utcnow()
    for number in range(count):
        factory.session.add(
            AuditLog(
                organization_id=organization_id,
                actor_user_id=actor.id,
                action="project.update",
                object_type="project",
                object_id=str(number),
                changes={"name": [f"old {number}", f"new {number}"]},
                created_at=base + timedelta(seconds=number),
            )
        )
    await factory.session.commit()


class TestListAuditLog:
    async def test_token_lifecycle_and_settings_changes_are_recorded(
        self, api: Api, admin: Member
    ) -> None:
        token, created = await issue_token(api, admin, scopes=["read:organization"])
        await api.as_(admin).patch(f"{TOKENS}/{created['id']}", json={"name": "Renamed"})
        await api.as_(admin).delete(f"{TOKENS}/{created['id']}")
        await api.as_(admin).put("/api/v1/settings", json={"timezone": "Europe/Amsterdam"})

        response = await api.as_(admin).get(AUDIT)

        assert response.status_code == 200
        rows = response.json()["audit_log"]
        token_rows = [r for r in rows if r["object_type"] == "api_token"]
        assert [r["action"] for r in token_rows] == [
            "api_token.update",
            "api_token.update",
            "api_token.create",
        ]
        revoked, renamed, create = token_rows
        assert "revoked_at" in revoked["changes"]
        assert renamed["changes"]["name"] == ["CI token", "Renamed"]
        assert create["object_id"] == str(created["id"])
        assert create["changes"]["token_hash"] == "[redacted]"
        for row in token_rows:
            assert row["actor"] == {"id": admin.id, "name": admin.user.name}
            assert row["api_token_id"] is None
            assert row["ip_address"] == "127.0.0.1"
            assert row["request_id"]
            assert row["created_at"].endswith("Z")
        settings_row = next(r for r in rows if r["action"] == "organization.update")
        assert settings_row["changes"]["timezone"] == ["UTC", "Europe/Amsterdam"]
        assert settings_row["actor"]["id"] == admin.id
        assert token not in response.text
        assert sha256_hex(token) not in response.text

    async def test_settings_json_change_is_recorded(self, api: Api, admin: Member) -> None:
        await api.as_(admin).put("/api/v1/settings", json={"default_hourly_rate": 80})

        response = await api.as_(admin).get(AUDIT, params={"action": "organization.update"})

        [row] = response.json()["audit_log"]
        _old, new = row["changes"]["settings"]
        assert new["default_hourly_rate_cents"] == 8000

    async def test_writes_through_a_token_name_the_token(self, api: Api, admin: Member) -> None:
        token, created = await issue_token(api, admin, scopes=["admin:all"])
        await api.as_(token).put("/api/v1/settings", json={"currency": "USD"})

        response = await api.as_(admin).get(AUDIT, params={"action": "organization.update"})

        [row] = response.json()["audit_log"]
        assert row["api_token_id"] == created["id"]
        assert row["actor"]["id"] == admin.id
        assert token not in response.text

    async def test_another_organisations_rows_are_never_listed(
        self, api: Api, admin: Member, other_owner: Member
    ) -> None:
        _, theirs = await issue_token(api, other_owner, scopes=["read:projects"])
        await api.as_(other_owner).put("/api/v1/settings", json={"name": "Secret rename"})

        response = await api.as_(admin).get(AUDIT, params={"per_page": 100})

        assert response.status_code == 200
        for row in response.json()["audit_log"]:
            assert row["actor"] is None or row["actor"]["id"] != other_owner.id
        assert "Secret rename" not in response.text
        mine = await api.as_(admin).get(AUDIT, params={"object_id": str(theirs["id"])})
        assert [r for r in mine.json()["audit_log"] if r["object_type"] == "api_token"] == []

    async def test_filters(self, api: Api, admin: Member, owner: Member, factory: Factory) -> None:
        _, created = await issue_token(api, admin, scopes=["read:projects"])
        await api.as_(owner).put("/api/v1/settings", json={"currency": "GBP"})

        by_action = await api.as_(admin).get(AUDIT, params={"action": "api_token.create"})
        by_type = await api.as_(admin).get(AUDIT, params={"object_type": "organization"})
        by_object = await api.as_(admin).get(
            AUDIT, params={"object_type": "api_token", "object_id": str(created["id"])}
        )
        by_actor = await api.as_(admin).get(AUDIT, params={"actor_user_id": owner.id})

        assert _actions(by_action.json()) == ["api_token.create"]
        assert _actions(by_type.json()) == ["organization.update", "organization.create"]
        assert _actions(by_object.json()) == ["api_token.create"]
        assert _actions(by_actor.json()) == ["organization.update"]

    async def test_time_window(self, api: Api, admin: Member, factory: Factory) -> None:
        await _rows(factory, admin.organization.id, 1, admin)
        now = utcnow()
        hour = timedelta(hours=1)

        future = await api.as_(admin).get(AUDIT, params={"since": (now + hour).isoformat()})
        past = await api.as_(admin).get(AUDIT, params={"until": (now - hour).isoformat()})
        around = await api.as_(admin).get(
            AUDIT,
            params={"since": (now - hour).isoformat(), "until": (now + hour).isoformat()},
        )
        # Without an offset the time is UTC.
        naive = await api.as_(admin).get(
            AUDIT,
            params={"since": (now - hour).astimezone(UTC).replace(tzinfo=None).isoformat()},
        )
        # Another offset is converted, not dropped.
        plus_two = timezone(timedelta(hours=2))
        shifted_in = await api.as_(admin).get(
            AUDIT, params={"since": (now - hour).astimezone(plus_two).isoformat()}
        )
        shifted_out = await api.as_(admin).get(
            AUDIT, params={"since": (now + hour).astimezone(plus_two).isoformat()}
        )

        assert future.json()["audit_log"] == []
        assert past.json()["audit_log"] == []
        assert len(around.json()["audit_log"]) >= 1
        assert len(naive.json()["audit_log"]) >= 1
        assert len(shifted_in.json()["audit_log"]) >= 1
        assert shifted_out.json()["audit_log"] == []

    async def test_bad_dates_are_400(self, api: Api, admin: Member) -> None:
        garbage = await api.as_(admin).get(AUDIT, params={"since": "yesterday"})
        backwards = await api.as_(admin).get(
            AUDIT, params={"since": "2025-01-02T00:00:00Z", "until": "2025-01-01T00:00:00Z"}
        )

        assert garbage.status_code == 400
        assert garbage.json()["error_code"] == "validation_error"
        assert "since" in garbage.json()["errors"]
        assert backwards.status_code == 400
        assert "until" in backwards.json()["errors"]

    async def test_paginates_newest_first(self, api: Api, admin: Member, factory: Factory) -> None:
        await _rows(factory, admin.organization.id, 3, admin)

        response = await api.as_(admin).get(
            AUDIT, params={"action": "project.update", "per_page": 2}
        )

        body = response.json()
        assert [r["object_id"] for r in body["audit_log"]] == ["2", "1"]
        assert body["pagination"]["total"] == 3
        assert body["pagination"]["next_page"] == 2

    async def test_viewer_is_forbidden(self, api: Api, viewer: Member) -> None:
        response = await api.as_(viewer).get(AUDIT)

        assert response.status_code == 403
        assert response.json()["required_permission"] == "audit.fetch.many"

    async def test_token_without_admin_scope_is_forbidden(self, api: Api, admin: Member) -> None:
        token, _ = await issue_token(api, admin, scopes=["read:organization"])

        response = await api.as_(token).get(AUDIT)

        assert response.status_code == 403
        assert response.json()["required_scope"] == "admin:all"

    async def test_query_count_does_not_grow_with_rows(
        self,
        api: Api,
        admin: Member,
        member: Member,
        factory: Factory,
        queries: QueryCounter,
    ) -> None:
        await _rows(factory, admin.organization.id, 1, admin)
        params = {"action": "project.update"}
        with queries:
            one = await api.as_(admin).get(AUDIT, params=params)
        single = queries.count
        await _rows(factory, admin.organization.id, 3, member)
        await _rows(factory, admin.organization.id, 3, admin)
        with queries:
            many = await api.as_(admin).get(AUDIT, params=params)

        assert len(one.json()["audit_log"]) == 1
        assert len(many.json()["audit_log"]) == 7
        assert {r["actor"]["name"] for r in many.json()["audit_log"]} == {
            admin.user.name,
            member.user.name,
        }
        assert queries.count == single
