"""Bulk actions and CSV imports stream one live event per entry, like single writes."""

from __future__ import annotations

from typing import Any

from clocktower.models import Project
from tests.live.stream import EventStream
from tests.live.test_events import add_entry
from tests.support import Api, Member

BULK = "/api/v1/time-entries/bulk"
IMPORT = "/api/v1/time-entries/import-csv"
HEADER = (
    "date,start_time,end_time,duration_hours,user_email,user_name,client,project,task,"
    "notes,tags,billable,paid,source\n"
)


async def _bulk(api: Api, who: Member, body: dict[str, Any]) -> None:
    response = await api.as_(who).post(BULK, json=body)
    assert response.status_code == 200, response.text


async def test_bulk_update_and_delete(api: Api, app: Any, owner: Member, project: Project) -> None:
    first = await add_entry(api, owner, project)
    second = await add_entry(api, owner, project)
    ids = sorted([first["id"], second["id"]])
    async with EventStream(app, owner.token) as stream:
        await stream.next_event("snapshot")
        await _bulk(api, owner, {"entry_ids": ids, "action": "set_paid", "value": True})
        updated = [await stream.next(), await stream.next()]
        await _bulk(api, owner, {"entry_ids": ids, "action": "delete"})
        deleted = [await stream.next(), await stream.next()]

    assert {event.event for event in updated} == {"time_entry.updated"}
    assert sorted(event.data["id"] for event in updated) == ids
    assert all(event.data["paid"] for event in updated)
    assert {event.event for event in deleted} == {"time_entry.deleted"}
    assert sorted(event.data["id"] for event in deleted) == ids


async def test_import_creates(api: Api, app: Any, owner: Member, project: Project) -> None:
    rows = "".join(
        f"x,2024-03-0{day}T09:00:00Z,2024-03-0{day}T10:00:00Z,,,,,{project.name},,,,,,\n"
        for day in (4, 5)
    )
    async with EventStream(app, owner.token) as stream:
        await stream.next_event("snapshot")
        response = await api.as_(owner).post(
            IMPORT, content=(HEADER + rows).encode(), headers={"Content-Type": "text/csv"}
        )
        assert response.status_code in (200, 201), response.text
        created = [await stream.next(), await stream.next()]

    assert {event.event for event in created} == {"time_entry.created"}
    assert {event.data["project_id"] for event in created} == {project.id}
