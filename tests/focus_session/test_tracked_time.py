"""Work sessions are tracked time, counted once; breaks never (S3.3). Edits on either side
(PUT /sessions, /time-entries) show on the other."""

from __future__ import annotations

from typing import Any

from clocktower.models import FocusSession, Project, Task, TimeEntry
from tests.focus_session.conftest import (
    ENTRIES,
    body,
    create_session,
    entries_of,
    row_count,
    session_url,
    webhook_events,
    webhook_jobs,
)
from tests.support import Api, Factory, Member
from tests.time_entry.conftest import make_task


async def put_session(api: Api, who: Member, session_id: int, sent: dict[str, Any]) -> Any:
    response = await api.as_(who).put(session_url(session_id), json=sent)
    assert response.status_code == 200, response.text
    return response.json()


class TestTrackedTime:
    async def test_a_work_session_is_one_focus_entry_breaks_none(
        self, api: Api, member: Member, task: Task
    ) -> None:
        work = await create_session(api, member, task={"id": task.id}, note="Spec")
        await create_session(api, member, type="break", start="2024-01-15T09:25:00Z", duration=300)
        await create_session(api, member, type="long-break", start="2024-01-15T10:00:00Z")

        entries = await entries_of(api, member)

        assert len(entries) == 1
        entry = entries[0]
        assert entry["id"] == work["session"]["time_entry_id"]
        assert entry["source"] == "focus"
        assert entry["duration_seconds"] == 1500
        assert entry["start_time"] == "2024-01-15T09:00:00Z"
        assert entry["end_time"] == "2024-01-15T09:25:00Z"
        assert entry["task_id"] == task.id
        assert entry["project_id"] == task.project_id
        assert entry["notes"] == "Spec"
        assert entry["user_id"] == member.id

    async def test_webhook_created_event_for_work_sessions_only(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        work = await create_session(api, member)
        await create_session(api, member, type="break")
        await create_session(api, member, type="long-break")

        created = await webhook_events(factory, "time_entry.created")

        assert [event["id"] for event in created] == [work["session"]["time_entry_id"]]
        assert created[0]["source"] == "focus"

    async def test_session_to_break_removes_the_entry_and_back_adds_one(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        session = (await create_session(api, member))["session"]

        to_break = await put_session(api, member, session["id"], body(type="break"))
        entries_as_break = await entries_of(api, member)
        back = await put_session(api, member, session["id"], body(type="session", duration=600))

        assert to_break["session"]["time_entry_id"] is None
        assert to_break["session"]["type"] == "break"
        assert entries_as_break == []
        assert [job["event"] for job in await webhook_jobs(factory)] == [
            "time_entry.created",
            "time_entry.deleted",
            "time_entry.created",
        ]
        new_entry_id = back["session"]["time_entry_id"]
        assert new_entry_id is not None
        entries = await entries_of(api, member)
        assert [(e["id"], e["duration_seconds"]) for e in entries] == [(new_entry_id, 600)]
        assert await row_count(factory, FocusSession) == 1

    async def test_put_changes_the_entry(
        self, api: Api, factory: Factory, member: Member, project: Project
    ) -> None:
        session = (await create_session(api, member, note="Draft"))["session"]
        other = await make_task(factory, project, name="Other")

        updated = await put_session(
            api,
            member,
            session["id"],
            body(start="2024-01-15T10:00:00Z", duration=900, note="Final", task={"id": other.id}),
        )

        assert updated["session"]["edited"] is True
        assert updated["session"]["time_entry_id"] == session["time_entry_id"]
        (entry,) = await entries_of(api, member)
        assert entry["start_time"] == "2024-01-15T10:00:00Z"
        assert entry["duration_seconds"] == 900
        assert entry["notes"] == "Final"
        assert entry["task_id"] == other.id
        assert entry["project_id"] == other.project_id

    async def test_an_entry_edit_shows_in_the_session(self, api: Api, member: Member) -> None:
        session = (await create_session(api, member))["session"]

        edited = await api.as_(member).put(
            f"{ENTRIES}/{session['time_entry_id']}",
            json={"start_time": "2024-01-15T08:00:00Z", "end_time": "2024-01-15T08:50:00Z"},
        )
        read = (await api.as_(member).get(session_url(session["id"]))).json()["session"]
        listed = (await api.as_(member).get("/api/v1/sessions")).json()["sessions"]

        assert edited.status_code == 200, edited.text
        assert read["start_timestamp"] == "2024-01-15T08:00:00Z"
        assert read["duration"] == 3000
        assert read["edited"] is True
        assert read["last_updated"] >= session["last_updated"]
        assert listed == [read]

    async def test_the_range_follows_the_entry(self, api: Api, member: Member) -> None:
        session = (await create_session(api, member))["session"]
        await api.as_(member).put(
            f"{ENTRIES}/{session['time_entry_id']}",
            json={"start_time": "2024-01-16T09:00:00Z", "end_time": "2024-01-16T09:25:00Z"},
        )

        on_15th = await api.as_(member).get(
            "/api/v1/sessions", params={"start": "2024-01-15", "end": "2024-01-15"}
        )
        on_16th = await api.as_(member).get(
            "/api/v1/sessions", params={"start": "2024-01-16", "end": "2024-01-16"}
        )

        assert on_15th.json()["sessions"] == []
        assert [s["id"] for s in on_16th.json()["sessions"]] == [session["id"]]

    async def test_deleting_the_entry_deletes_the_session(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        session = (await create_session(api, member))["session"]

        deleted = await api.as_(member).delete(f"{ENTRIES}/{session['time_entry_id']}")
        read = await api.as_(member).get(session_url(session["id"]))

        assert deleted.status_code == 200, deleted.text
        assert read.status_code == 404
        assert await row_count(factory, FocusSession) == 0

    async def test_deleting_the_session_deletes_its_entry(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        work = (await create_session(api, member))["session"]
        rest = (await create_session(api, member, type="break"))["session"]

        first = await api.as_(member).delete(session_url(work["id"]))
        second = await api.as_(member).delete(session_url(rest["id"]))

        assert first.status_code == second.status_code == 200
        assert first.json() == {"message": "Session deleted"}
        assert await row_count(factory, FocusSession) == 0
        assert await row_count(factory, TimeEntry) == 0
        deleted = await webhook_events(factory, "time_entry.deleted")
        assert [event["id"] for event in deleted] == [work["time_entry_id"]]
