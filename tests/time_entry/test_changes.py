"""GET, PUT, PATCH and DELETE /time-entries/{id}, and seed 000 POST /{id}/notes."""

from __future__ import annotations

from typing import Any

import pytest

from clocktower.models import Project, Task
from tests.support import Api, Factory, Member
from tests.time_entry.conftest import (
    ENTRIES,
    create_entry,
    entry_count,
    entry_url,
    make_project,
    make_task,
    set_organization_settings,
    set_timezone,
    stored_entries,
    utc,
)


async def changed(api: Api, who: Member, entry_id: int, method: str = "PUT", **body: Any) -> Any:
    response = await api.as_(who).request(method, entry_url(entry_id), json=body)
    assert response.status_code == 200, response.text
    assert response.json()["message"] == "Time entry updated"
    return response.json()["time_entry"]


async def start_timer(api: Api, who: Member, **body: Any) -> dict[str, Any]:
    response = await api.as_(who).post(ENTRIES, json={"start_time": "2024-01-15T09:00:00Z", **body})
    assert response.status_code == 201, response.text
    entry: dict[str, Any] = response.json()["time_entry"]
    return entry


class TestGet:
    async def test_enriched_entry(
        self, api: Api, factory: Factory, owner: Member, member: Member, task: Task
    ) -> None:
        created = await create_entry(api, member, task_id=task.id, notes="Hero")

        response = await api.as_(member).get(entry_url(created["id"]))

        assert response.status_code == 200
        assert response.json() == {"time_entry": created}
        assert response.json()["time_entry"]["task"] == {"id": task.id, "name": "Homepage"}

    async def test_unknown_is_404(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).get(entry_url(999_999))

        assert response.status_code == 404
        assert response.json()["error_code"] == "not_found"

    @pytest.mark.parametrize("path", ["0", "abc", "99999999999999999999"])
    async def test_malformed_id_is_refused(self, api: Api, owner: Member, path: str) -> None:
        response = await api.as_(owner).get(f"{ENTRIES}/{path}")

        assert response.status_code in (400, 404)
        assert "error_code" in response.json()


class TestUpdate:
    async def test_changes_only_what_is_sent(
        self, api: Api, member: Member, project: Project, task: Task
    ) -> None:
        created = await create_entry(
            api, member, task_id=task.id, notes="Hero", tags="design", billable=True
        )

        entry = await changed(api, member, created["id"], billable=False, paid=True)

        assert (entry["billable"], entry["paid"]) == (False, True)
        unchanged = {"notes", "tags", "project_id", "task_id", "start_time", "end_time"}
        assert {key: entry[key] for key in unchanged} == {key: created[key] for key in unchanged}

    async def test_patch_is_the_same_partial_update(self, api: Api, member: Member) -> None:
        created = await create_entry(api, member)

        entry = await changed(
            api, member, created["id"], "PATCH", start_time="2024-01-15T08:00:00Z"
        )

        assert entry["start_time"] == "2024-01-15T08:00:00Z"
        assert entry["end_time"] == "2024-01-15T17:00:00Z"
        assert entry["duration_seconds"] == 9 * 3600

    async def test_duration_sets_the_end_from_the_start(self, api: Api, member: Member) -> None:
        created = await create_entry(api, member)

        entry = await changed(api, member, created["id"], "PATCH", duration_seconds=1800)

        assert entry["end_time"] == "2024-01-15T09:30:00Z"
        assert entry["duration_hours"] == 0.5

    async def test_times_with_offsets_and_naive_times(self, api: Api, member: Member) -> None:
        created = await create_entry(api, member)
        await set_timezone(api, member, "America/New_York")

        entry = await changed(
            api,
            member,
            created["id"],
            start_time="2024-01-15T10:00:00+02:00",
            end_time="2024-01-15T05:00:00",
        )

        assert entry["start_time"] == "2024-01-15T08:00:00Z"
        assert entry["end_time"] == "2024-01-15T10:00:00Z"
        assert entry["duration_seconds"] == 7200

    async def test_span_rules_apply(self, api: Api, owner: Member) -> None:
        created = await create_entry(api, owner)

        backwards = await api.as_(owner).put(
            entry_url(created["id"]), json={"end_time": "2024-01-15T08:00:00Z"}
        )
        long = await api.as_(owner).put(
            entry_url(created["id"]), json={"end_time": "2024-01-16T09:00:00Z"}
        )

        assert backwards.status_code == long.status_code == 400
        await set_organization_settings(api, owner, allow_entries_over_24h=True)
        entry = await changed(api, owner, created["id"], end_time="2024-01-16T09:00:00Z")
        assert entry["duration_hours"] == 24.0

    @pytest.mark.parametrize(
        "field", ["start_time", "end_time", "duration_seconds", "billable", "paid"]
    )
    async def test_explicit_null_for_a_required_field_is_refused(
        self, api: Api, member: Member, field: str
    ) -> None:
        created = await create_entry(api, member)

        response = await api.as_(member).put(entry_url(created["id"]), json={field: None})

        assert response.status_code == 400
        assert field in response.json()["errors"]

    async def test_unknown_fields_are_refused(
        self, api: Api, member: Member, owner: Member
    ) -> None:
        created = await create_entry(api, member)

        for body in ({"hours": 3}, {"user_id": owner.id}, {"source": "import"}):
            response = await api.as_(member).patch(entry_url(created["id"]), json=body)
            assert response.status_code == 400, body

    async def test_notes_and_tags_clear_with_null_or_empty(self, api: Api, member: Member) -> None:
        created = await create_entry(api, member, notes="Hero", tags="design")

        cleared = await changed(api, member, created["id"], notes=None, tags=None)
        assert (cleared["notes"], cleared["tags"]) == (None, None)
        await changed(api, member, created["id"], notes="Again", tags="x")
        emptied = await changed(api, member, created["id"], notes="", tags="")
        assert (emptied["notes"], emptied["tags"]) == (None, None)

    async def test_moving_project_rederives_the_client_and_drops_a_foreign_task(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        acme = await factory.client(owner.organization, name="Acme Corp")
        globex = await factory.client(owner.organization, name="Globex")
        website = await make_project(factory, owner.organization, client_id=acme.id)
        app = await make_project(factory, owner.organization, name="App", client_id=globex.id)
        homepage = await make_task(factory, website)
        created = await create_entry(api, member, task_id=homepage.id)
        assert created["client_id"] == acme.id

        moved = await changed(api, member, created["id"], project_id=app.id)

        assert (moved["project_id"], moved["task_id"], moved["client_id"]) == (
            app.id,
            None,
            globex.id,
        )
        assert moved["client"] == {"id": globex.id, "name": "Globex"}

    async def test_new_task_brings_its_project(
        self, api: Api, factory: Factory, owner: Member, member: Member, project: Project
    ) -> None:
        other = await make_task(factory, project, name="Footer")
        created = await create_entry(api, member, project_id=project.id)

        moved = await changed(api, member, created["id"], task_id=other.id)

        assert (moved["project_id"], moved["task_id"]) == (project.id, other.id)

    async def test_clearing_the_project_clears_its_task_and_keeps_the_client(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        acme = await factory.client(owner.organization)
        website = await make_project(factory, owner.organization, client_id=acme.id)
        homepage = await make_task(factory, website)
        created = await create_entry(api, member, task_id=homepage.id)

        cleared = await changed(api, member, created["id"], project_id=None)
        assert (cleared["project_id"], cleared["task_id"], cleared["client_id"]) == (
            None,
            None,
            acme.id,
        )
        unassigned = await changed(api, member, created["id"], client_id=None)
        assert unassigned["client_id"] is None

    async def test_history_on_an_archived_project_stays_editable(
        self, api: Api, factory: Factory, member: Member, project: Project
    ) -> None:
        created = await create_entry(api, member, project_id=project.id)
        project.status = "archived"
        await factory.session.commit()

        entry = await changed(api, member, created["id"], notes="Still fine")
        same = await changed(api, member, created["id"], project_id=project.id)

        assert entry["notes"] == "Still fine"
        assert same["project_id"] == project.id

    async def test_moving_onto_an_inactive_project_is_refused(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        archived = await make_project(factory, owner.organization, status="archived")
        created = await create_entry(api, member)

        response = await api.as_(member).put(
            entry_url(created["id"]), json={"project_id": archived.id}
        )

        assert response.status_code == 400
        assert response.json()["error_code"] == "project_inactive"

    async def test_bad_references_are_refused(
        self,
        api: Api,
        factory: Factory,
        owner: Member,
        member: Member,
        task: Task,
        other_project: Project,
    ) -> None:
        elsewhere = await make_project(factory, owner.organization, name="Elsewhere")
        created = await create_entry(api, member)

        foreign = await api.as_(member).put(
            entry_url(created["id"]), json={"project_id": other_project.id}
        )
        mismatch = await api.as_(member).put(
            entry_url(created["id"]), json={"project_id": elsewhere.id, "task_id": task.id}
        )

        assert foreign.status_code == 422
        assert foreign.json()["error_code"] == "invalid_reference"
        assert mismatch.status_code == 400
        assert "task_id" in mismatch.json()["errors"]

    async def test_refused_update_changes_nothing(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        created = await create_entry(api, member, notes="Before")

        response = await api.as_(member).put(
            entry_url(created["id"]),
            json={"notes": "After", "end_time": "2024-01-15T08:00:00Z"},
        )

        assert response.status_code == 400
        (stored,) = await stored_entries(factory, member.organization)
        assert stored.notes == "Before"
        assert stored.end_at == utc("2024-01-15T17:00")


class TestStopByUpdate:
    async def test_end_time_stops_a_running_entry(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        running = await start_timer(api, member)

        entry = await changed(api, member, running["id"], end_time="2024-01-15T10:15:00Z")

        assert entry["is_active"] is False
        assert entry["duration_seconds"] == 4500
        (stored,) = await stored_entries(factory, member.organization)
        assert stored.running_slot is None
        # The slot is free: a new timer may start.
        assert (await api.as_(member).post(ENTRIES, json={})).status_code == 201

    async def test_duration_stops_a_running_entry(self, api: Api, member: Member) -> None:
        running = await start_timer(api, member)

        entry = await changed(api, member, running["id"], duration_seconds=600)

        assert entry["end_time"] == "2024-01-15T09:10:00Z"

    async def test_other_changes_keep_it_running(self, api: Api, member: Member) -> None:
        running = await start_timer(api, member)

        entry = await changed(api, member, running["id"], notes="Still going")

        assert entry["is_active"] is True
        assert entry["end_time"] is None

    async def test_a_typed_end_follows_the_span_rules_even_for_a_timer(
        self, api: Api, member: Member
    ) -> None:
        """Unlike /timer/stop, an end typed through PUT is time typed by hand."""
        running = await start_timer(api, member)

        too_long = await api.as_(member).put(
            entry_url(running["id"]), json={"end_time": "2024-01-16T09:00:00Z"}
        )
        fixed = await changed(api, member, running["id"], end_time="2024-01-15T17:00:00Z")

        assert too_long.status_code == 400
        assert fixed["duration_hours"] == 8.0

    async def test_running_start_may_not_move_into_the_future(
        self, api: Api, member: Member
    ) -> None:
        running = await start_timer(api, member)

        response = await api.as_(member).put(
            entry_url(running["id"]), json={"start_time": "2999-01-01T00:00:00Z"}
        )

        assert response.status_code == 400
        assert "start_time" in response.json()["errors"]


class TestNotes:
    async def test_replaces_the_notes(self, api: Api, member: Member) -> None:
        created = await create_entry(api, member, notes="Before", tags="keep")

        response = await api.as_(member).post(
            f"{entry_url(created['id'])}/notes", json={"notes": "After"}
        )

        assert response.status_code == 200
        assert response.json()["message"] == "Notes updated"
        entry = response.json()["time_entry"]
        assert (entry["notes"], entry["tags"]) == ("After", "keep")

    @pytest.mark.parametrize("notes", [None, ""])
    async def test_null_or_empty_clears_them(
        self, api: Api, member: Member, notes: str | None
    ) -> None:
        created = await create_entry(api, member, notes="Before")

        response = await api.as_(member).post(
            f"{entry_url(created['id'])}/notes", json={"notes": notes}
        )

        assert response.json()["time_entry"]["notes"] is None

    @pytest.mark.parametrize("body", [{}, {"notes": 3}, {"notes": "x", "tags": "y"}])
    async def test_bad_bodies_are_refused(
        self, api: Api, member: Member, body: dict[str, Any]
    ) -> None:
        created = await create_entry(api, member)

        response = await api.as_(member).post(f"{entry_url(created['id'])}/notes", json=body)

        assert response.status_code == 400


class TestDelete:
    async def test_deletes_the_entry(self, api: Api, factory: Factory, member: Member) -> None:
        created = await create_entry(api, member)

        response = await api.as_(member).delete(entry_url(created["id"]))

        assert response.status_code == 200
        assert response.json() == {"message": "Time entry deleted"}
        assert (await api.as_(member).get(entry_url(created["id"]))).status_code == 404
        assert await entry_count(factory, member.organization.id) == 0
        again = await api.as_(member).delete(entry_url(created["id"]))
        assert again.status_code == 404

    async def test_running_entry_is_discarded(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        running = await start_timer(api, member)

        response = await api.as_(member).delete(entry_url(running["id"]))

        assert response.status_code == 200
        assert await entry_count(factory, member.organization.id) == 0
        assert (await api.as_(member).post(ENTRIES, json={})).status_code == 201
