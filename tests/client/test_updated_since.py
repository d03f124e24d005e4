"""Seed 000 `GET /api/customers?lastSyncTimestamp=`: GET /api/v1/clients?updated_since=."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from clocktower.models import SyncChange
from tests.support import Api, Factory, Member

CLIENTS = "/api/v1/clients"
LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)


def _names(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return sorted(client["name"] for client in response.json()["clients"])


async def _old_and_new(factory: Factory, owner: Member) -> None:
    old = await factory.client(owner.organization, name="Old")
    await factory.client(owner.organization, name="New")
    await factory.session.commit()
    # The change log's commit time is what `updated_since` reads: the old one is old.
    await factory.session.execute(
        update(SyncChange)
        .where(SyncChange.object_type == "client", SyncChange.object_id == old.id)
        .values(changed_at=LONG_AGO)
    )
    await factory.session.commit()


class TestUpdatedSince:
    async def test_only_clients_changed_after(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        await _old_and_new(factory, owner)
        get = api.as_(owner).get

        aware = await get(CLIENTS, params={"updated_since": "2026-06-01T00:00:00Z"})
        naive = await get(CLIENTS, params={"updated_since": "2026-06-01T00:00:00"})
        # 2026-01-01T01:00Z: an hour after the old client changed.
        offset = await get(CLIENTS, params={"updated_since": "2025-12-31T23:00:00-02:00"})
        before = (LONG_AGO - timedelta(seconds=1)).isoformat()

        assert _names(aware) == ["New"]
        assert aware.json()["pagination"]["total"] == 1
        assert _names(naive) == ["New"]
        assert _names(offset) == ["New"]
        assert _names(await get(CLIENTS, params={"updated_since": before})) == ["New", "Old"]
        assert _names(await get(CLIENTS)) == ["New", "Old"]

    async def test_exactly_at_the_instant_is_not_changed_after(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        await _old_and_new(factory, owner)

        response = await api.as_(owner).get(
            CLIENTS, params={"updated_since": "2026-01-01T00:00:00Z"}
        )

        assert _names(response) == ["New"]

    async def test_bad_value_is_400(self, api: Api, owner: Member) -> None:
        for value in ("yesterday", "2026-13-01T00:00:00Z"):
            response = await api.as_(owner).get(CLIENTS, params={"updated_since": value})
            assert response.status_code == 400, value
            assert response.json()["error_code"] == "validation_error"
