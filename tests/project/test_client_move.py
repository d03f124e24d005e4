"""A project moved to another client takes its time entries along, in the same
transaction: reports, customers and delta sync see the entries under the new client."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from clocktower.models import Client, TimeEntry
from tests.project.conftest import make_project
from tests.support import Api, Factory, Member
from tests.time_entry.conftest import add_entry, create_entry

PROJECTS = "/api/v1/projects"
ENTRIES = "/api/v1/time-entries"
MONDAY = datetime(2024, 1, 15, 9, tzinfo=UTC)


async def entry_client(api: Api, who: Member, entry: dict[str, Any]) -> int | None:
    response = await api.as_(who).get(f"{ENTRIES}/{entry['id']}")
    assert response.status_code == 200, response.text
    client_id: int | None = response.json()["time_entry"]["client_id"]
    return client_id


async def test_entries_follow_their_project_to_the_new_client(
    api: Api, admin: Member, member: Member, acme: Client, factory: Factory
) -> None:
    globex = await factory.client(admin.organization, name="Globex")
    moving = await make_project(factory, admin.organization, name="Website", client=acme)
    staying = await make_project(factory, admin.organization, name="Support", client=acme)
    first = await create_entry(api, member, project_id=moving.id)
    second = await create_entry(
        api,
        admin,
        project_id=moving.id,
        start_time="2024-01-16T09:00:00Z",
        end_time="2024-01-16T10:00:00Z",
    )
    other = await create_entry(api, admin, project_id=staying.id)
    assert first["client_id"] == acme.id

    response = await api.as_(admin).patch(f"{PROJECTS}/{moving.id}", json={"client_id": globex.id})

    assert response.status_code == 200, response.text
    assert await entry_client(api, admin, first) == globex.id
    assert await entry_client(api, admin, second) == globex.id
    assert await entry_client(api, admin, other) == acme.id
    listed = await api.as_(admin).get(ENTRIES, params={"client_id": globex.id})
    assert sorted(e["id"] for e in listed.json()["time_entries"]) == sorted(
        [first["id"], second["id"]]
    )


async def test_moved_entries_count_as_changed_for_sync(
    api: Api, admin: Member, acme: Client, factory: Factory
) -> None:
    globex = await factory.client(admin.organization, name="Globex")
    project = await make_project(factory, admin.organization, client=acme)
    entry = await create_entry(api, admin, project_id=project.id)

    await api.as_(admin).patch(f"{PROJECTS}/{project.id}", json={"client_id": globex.id})

    after = (await api.as_(admin).get(f"{ENTRIES}/{entry['id']}")).json()["time_entry"]
    assert after["updated_at"] > entry["updated_at"]


async def test_the_move_is_audited_once(
    api: Api, owner: Member, acme: Client, factory: Factory
) -> None:
    globex = await factory.client(owner.organization, name="Globex")
    project = await make_project(factory, owner.organization, client=acme)
    for day in (1, 2, 3):
        await add_entry(factory, owner, datetime(2024, 1, day, 9, tzinfo=UTC), project=project)

    await api.as_(owner).put(f"{PROJECTS}/{project.id}", json={"client_id": globex.id})

    log = await api.as_(owner).get(
        "/api/v1/audit-log", params={"action": "time_entry.moved_with_project"}
    )
    [row] = log.json()["audit_log"]
    assert row["object_type"] == "project"
    assert row["object_id"] == str(project.id)
    assert row["changes"] == {
        "entries": 3,
        # Stored rows without the ledger: no bills were made for them.
        "time_bills": 0,
        "from_client_id": acme.id,
        "to_client_id": globex.id,
    }
    assert row["actor"]["id"] == owner.id


async def test_removing_the_client_clears_it_on_the_entries(
    api: Api, admin: Member, acme: Client, factory: Factory
) -> None:
    project = await make_project(factory, admin.organization, client=acme)
    entry = await create_entry(api, admin, project_id=project.id)

    response = await api.as_(admin).patch(f"{PROJECTS}/{project.id}", json={"client_id": None})

    assert response.status_code == 200
    assert await entry_client(api, admin, entry) is None


async def test_customers_see_the_entries_of_their_client_only(
    api: Api, owner: Member, acme: Client, factory: Factory
) -> None:
    globex = await factory.client(owner.organization, name="Globex")
    of_acme = await factory.member(owner.organization, "customer", client_id=acme.id)
    of_globex = await factory.member(owner.organization, "customer", client_id=globex.id)
    project = await make_project(factory, owner.organization, client=acme)
    entry = await create_entry(api, owner, project_id=project.id)
    assert (await api.as_(of_acme).get(f"{ENTRIES}/{entry['id']}")).status_code == 200

    await api.as_(owner).patch(f"{PROJECTS}/{project.id}", json={"client_id": globex.id})

    assert (await api.as_(of_acme).get(f"{ENTRIES}/{entry['id']}")).status_code == 404
    assert (await api.as_(of_globex).get(f"{ENTRIES}/{entry['id']}")).status_code == 200


async def test_a_refused_move_moves_nothing(
    api: Api, admin: Member, acme: Client, factory: Factory
) -> None:
    globex = await factory.client(admin.organization, name="Globex")
    await make_project(factory, admin.organization, name="Website", client=globex)
    project = await make_project(factory, admin.organization, name="Website", client=acme)
    entry = await create_entry(api, admin, project_id=project.id)

    response = await api.as_(admin).patch(f"{PROJECTS}/{project.id}", json={"client_id": globex.id})

    assert response.status_code == 409
    assert await entry_client(api, admin, entry) == acme.id


async def test_other_fields_leave_the_entries_alone(
    api: Api, admin: Member, acme: Client, factory: Factory
) -> None:
    project = await make_project(factory, admin.organization, client=acme)
    entry = await create_entry(api, admin, project_id=project.id)

    await api.as_(admin).patch(
        f"{PROJECTS}/{project.id}", json={"name": "Renamed", "client_id": acme.id}
    )

    stored = await factory.session.execute(
        select(TimeEntry.client_id, TimeEntry.updated_at)
        .where(TimeEntry.id == entry["id"])
        .execution_options(populate_existing=True)
    )
    client_id, updated_at = stored.one()
    assert client_id == acme.id
    assert updated_at.isoformat().replace("+00:00", "Z") == entry["updated_at"]
