"""`updated_since` on tasks and clients (seed 000's lastSyncTimestamp) reads the change
log's commit times: set-based writers are found, untouched objects are not, and a change
that waited for the counter is stamped when it got it."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from clocktower.changelog import recorder
from clocktower.db import Database
from clocktower.kit.time import utcnow
from clocktower.models import Client, SyncChange, Task
from tests.conftest import test_settings as settings_for
from tests.support import Api, Factory, Member
from tests.time_entry.conftest import make_project, make_task

NATIVE_HEADER = (
    "date,start_time,end_time,duration_hours,user_email,user_name,client,project,task,"
    "notes,tags,billable,paid,source\n"
)


def names(response: Any, key: str) -> list[str]:
    assert response.status_code == 200, response.text
    return sorted(item["name"] for item in response.json()[key])


async def age_the_log(factory: Factory, organization_id: int) -> str:
    """Every change so far happened a day ago; answers an instant after them."""
    await factory.session.execute(
        update(SyncChange)
        .where(SyncChange.organization_id == organization_id)
        .values(changed_at=utcnow() - timedelta(days=1))
    )
    await factory.session.commit()
    return (utcnow() - timedelta(hours=1)).isoformat()


class TestSetBasedWriters:
    async def test_clients_and_tasks_a_csv_import_created_are_changed_since(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        await factory.client(owner.organization, name="Old client")
        await make_task(factory, await make_project(factory, owner.organization), name="Old task")
        since = await age_the_log(factory, owner.organization.id)
        text = NATIVE_HEADER + (
            "x,2024-03-04T09:00:00Z,2024-03-04T10:00:00Z,,,,Globex,Portal,Design,One,,,,\n"
        )
        imported = await api.as_(owner).post(
            "/api/v1/time-entries/import-csv",
            content=text.encode(),
            headers={"Content-Type": "text/csv"},
        )
        assert imported.status_code == 201, imported.text

        clients = await api.as_(owner).get("/api/v1/clients", params={"updated_since": since})
        tasks = await api.as_(owner).get("/api/v1/tasks", params={"updated_since": since})

        assert names(clients, "clients") == ["Globex"]
        assert names(tasks, "tasks") == ["Design"]
        everything = await api.as_(owner).get("/api/v1/clients")
        assert names(everything, "clients") == ["Globex", "Old client"]

    async def test_it_reads_the_log_not_updated_at(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        project = await make_project(factory, owner.organization)
        logged = await make_task(factory, project, name="Changed, per the log")
        stamped = await make_task(factory, project, name="Only updated_at moved")
        since = await age_the_log(factory, owner.organization.id)
        recorder.note(factory.session, owner.organization.id, "task", [logged.id])
        await factory.session.execute(
            update(Task).where(Task.id == stamped.id).values(updated_at=utcnow())
        )
        await factory.session.commit()

        tasks = await api.as_(owner).get("/api/v1/tasks", params={"updated_since": since})

        assert names(tasks, "tasks") == ["Changed, per the log"]

    async def test_a_deleted_client_is_not_changed_since(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        gone = await factory.client(owner.organization, name="Gone")
        since = await age_the_log(factory, owner.organization.id)
        deleted = await api.as_(owner).delete(f"/api/v1/clients/{gone.id}")
        assert deleted.status_code == 200, deleted.text

        clients = await api.as_(owner).get("/api/v1/clients", params={"updated_since": since})

        assert names(clients, "clients") == []


async def test_a_change_that_waited_for_the_counter_is_stamped_when_it_got_it(
    backend: str, committing_database: Database, live_http: httpx.AsyncClient
) -> None:
    """A client listing made while a change waits for the counter does not show it; the
    change must then carry a time after that listing, or `updated_since` never finds it."""
    if backend == "sqlite":
        pytest.skip(
            "SQLite write transactions queue at BEGIN IMMEDIATE, before they change "
            "anything: none waits for the counter with a change in hand"
        )
    database = committing_database
    async with database.sessionmaker() as session:
        factory = Factory(session, settings_for(database.url), "not-a-password-hash")
        owner = await factory.organization()
        waiting = await factory.client(owner.organization, name="Waiting")
    headers = {"Authorization": f"Bearer {owner.token}"}

    async with database.sessionmaker() as holder:
        # Another transaction has numbered its change and not committed yet.
        holder.add(Client(organization_id=owner.organization.id, name="Holder"))
        await recorder.assign_now(holder)
        edit = asyncio.create_task(
            live_http.patch(
                f"/api/v1/clients/{waiting.id}", json={"notes": "late"}, headers=headers
            )
        )
        await asyncio.sleep(0.5)
        assert not edit.done(), "the edit should be waiting for the counter"
        listed_at = utcnow().isoformat()
        listing = await live_http.get(
            "/api/v1/clients", params={"updated_since": listed_at}, headers=headers
        )
        await holder.commit()
    edited = await edit

    assert edited.status_code == 200, edited.text
    assert names(listing, "clients") == []
    later = await live_http.get(
        "/api/v1/clients", params={"updated_since": listed_at}, headers=headers
    )
    assert names(later, "clients") == ["Waiting"]
