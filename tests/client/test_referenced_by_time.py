"""Tracked time keeps its client (S2.1): a client with time entries, on itself or on any
of its projects, is archived by DELETE instead of deleted."""

from __future__ import annotations

from typing import Any

from clocktower.models import Client
from tests.client.conftest import client_count, projects_of, reload
from tests.support import Api, Factory, Member
from tests.time_entry.conftest import create_entry

CLIENTS = "/api/v1/clients"
ENTRIES = "/api/v1/time-entries"


async def new_client(api: Api, who: Member) -> dict[str, Any]:
    """A client through the API, with its untouched General Support project."""
    response = await api.as_(who).post(CLIENTS, json={"name": "Initech"})
    assert response.status_code == 201, response.text
    client: dict[str, Any] = response.json()["client"]
    return client


async def test_time_on_its_general_support_project_archives_it(
    api: Api, admin: Member, factory: Factory
) -> None:
    client = await new_client(api, admin)
    [support] = await projects_of(factory, client["id"])
    await create_entry(api, admin, project_id=support.id)

    response = await api.as_(admin).delete(f"{CLIENTS}/{client['id']}")

    assert response.status_code == 200
    assert response.json() == {"message": "Client archived"}
    kept = await api.as_(admin).get(f"{CLIENTS}/{client['id']}")
    assert kept.json()["client"]["is_active"] is False
    assert len(await projects_of(factory, client["id"])) == 1


async def test_time_on_the_client_without_a_project_archives_it(
    api: Api, admin: Member, factory: Factory, acme: Client
) -> None:
    entry = await create_entry(api, admin, client_id=acme.id)
    assert entry["project_id"] is None

    response = await api.as_(admin).delete(f"{CLIENTS}/{acme.id}")

    assert response.json() == {"message": "Client archived"}
    found = await reload(factory, acme)
    assert found is not None
    assert found.is_active is False


async def test_deleted_once_its_time_is_gone(api: Api, admin: Member, factory: Factory) -> None:
    client = await new_client(api, admin)
    [support] = await projects_of(factory, client["id"])
    entry = await create_entry(api, admin, project_id=support.id)
    assert (await api.as_(admin).delete(f"{ENTRIES}/{entry['id']}")).status_code == 200
    before = await client_count(factory, admin.organization.id)

    response = await api.as_(admin).delete(f"{CLIENTS}/{client['id']}")

    assert response.json() == {"message": "Client deleted"}
    assert await client_count(factory, admin.organization.id) == before - 1
    assert await projects_of(factory, client["id"]) == []


async def test_another_organisations_time_does_not_keep_ours(
    api: Api, owner: Member, other_owner: Member, factory: Factory
) -> None:
    ours = await new_client(api, owner)
    theirs = await new_client(api, other_owner)
    [their_support] = await projects_of(factory, theirs["id"])
    await create_entry(api, other_owner, project_id=their_support.id)

    response = await api.as_(owner).delete(f"{CLIENTS}/{ours['id']}")

    assert response.json() == {"message": "Client deleted"}
    assert (await api.as_(other_owner).delete(f"{CLIENTS}/{theirs['id']}")).json() == {
        "message": "Client archived"
    }
