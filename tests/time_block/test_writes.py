"""Creating, reading, changing, deleting and syncing time blocks (seed 003)."""

from __future__ import annotations

from typing import Any

from clocktower.models import Client, Project
from clocktower.worker.runner import JobRunner
from tests.support import Api, Factory, Member
from tests.time_block.conftest import (
    AMSTERDAM,
    BLOCKS,
    colleague,
    count_states,
    sync_jobs,
    sync_states,
)
from tests.time_entry.conftest import ENTRIES, create_entry, make_project, make_task

SEED_CREATE = {
    "title": "Development Work",
    "description": "Implement new feature",
    "start_time": "2024-01-08T09:00:00",
    "end_time": "2024-01-08T12:00:00",
    "is_billable": True,
    "color": "#0D9488",
}
NOT_CONNECTED = {
    "calendar": ("not_connected", "No calendar integration connected"),
    "invoicing": ("not_connected", "No invoicing integration connected"),
}


async def create_block(api: Api, who: Member, **fields: Any) -> dict[str, Any]:
    response = await api.as_(who).post(BLOCKS, json={**SEED_CREATE, **fields})
    assert response.status_code == 201, response.text
    block: dict[str, Any] = response.json()["data"]
    return block


class TestCreateTimeBlock:
    async def test_seed_example_round_trip(
        self, api: Api, factory: Factory, john: Member, acme: Client, redesign: Project
    ) -> None:
        response = await api.as_(john).post(
            BLOCKS, json={**SEED_CREATE, "client_id": acme.id, "project_id": redesign.id}
        )

        assert response.status_code == 201, response.text
        body = response.json()
        block_id = body["data"]["id"]
        assert body == {
            "data": {
                "id": block_id,
                "title": "Development Work",
                "start_time": "2024-01-08T09:00:00+01:00",
                "end_time": "2024-01-08T12:00:00+01:00",
                "calendar_sync_status": "pending",
                "invoicing_sync_status": "pending",
            },
            "message": "Time block created. Syncing to integrations...",
        }
        shown = (await api.as_(john).get(f"{BLOCKS}/{block_id}")).json()
        assert shown == {
            "data": {
                "id": block_id,
                "title": "Development Work",
                "description": "Implement new feature",
                "start_time": "2024-01-08T09:00:00+01:00",
                "end_time": "2024-01-08T12:00:00+01:00",
                "timezone": AMSTERDAM,
                "color": "#0D9488",
                "is_billable": True,
                "client": {"id": acme.id, "name": "Acme Corp"},
                "project": {"id": redesign.id, "name": "Website Redesign"},
                "user": {"id": john.id, "name": "John Doe"},
                "calendar_sync_status": "pending",
                "invoicing_sync_status": "pending",
                "external_ids": {"calendar_event_id": None, "invoicing_entry_id": None},
            }
        }
        listed = await api.as_(john).get(
            BLOCKS, params={"start": "2024-01-08", "end": "2024-01-14"}
        )
        assert listed.json() == {
            "data": [shown["data"]],
            "meta": {"total_hours": 3.0, "billable_hours": 3.0, "by_day": {"2024-01-08": 3.0}},
        }
        # One ledger: the block is a time entry, stored in UTC.
        entry = (await api.as_(john).get(f"{ENTRIES}/{block_id}")).json()["time_entry"]
        assert entry["start_time"] == "2024-01-08T08:00:00Z"
        assert entry["notes"] == "Implement new feature"
        assert entry["source"] == "calendar"
        assert await sync_jobs(factory, block_id) == ["queued"]
        assert await sync_states(factory, block_id) == {
            "calendar": ("pending", None),
            "invoicing": ("pending", None),
        }

    async def test_calendar_id_does_not_resolve_yet(self, api: Api, john: Member) -> None:
        response = await api.as_(john).post(BLOCKS, json={**SEED_CREATE, "calendar_id": 1})

        assert response.status_code == 422
        body = response.json()
        assert body["error_code"] == "invalid_reference"
        assert body["errors"] == {"calendar_id": ["Calendar not found"]}

    async def test_title_and_times_are_required(self, api: Api, john: Member) -> None:
        missing = await api.as_(john).post(BLOCKS, json={"description": "No title"})
        blank = await api.as_(john).post(BLOCKS, json={**SEED_CREATE, "title": "  "})

        assert missing.status_code == 400
        assert set(missing.json()["errors"]) == {"title", "start_time", "end_time"}
        assert blank.status_code == 400
        assert "title" in blank.json()["errors"]

    async def test_end_must_be_after_start(self, api: Api, john: Member) -> None:
        response = await api.as_(john).post(
            BLOCKS, json={**SEED_CREATE, "end_time": "2024-01-08T08:00:00"}
        )

        assert response.status_code == 400
        assert response.json()["errors"] == {"end_time": ["end_time must be after start_time"]}

    async def test_bad_values_are_refused(self, api: Api, john: Member) -> None:
        for change in (
            {"color": "teal"},
            {"timezone": "Mars/Olympus"},
            {"start_time": "monday"},
            {"start_time": "0001-01-01T00:00:00"},
            {"is_billable": "perhaps"},
            {"unknown": 1},
        ):
            response = await api.as_(john).post(BLOCKS, json={**SEED_CREATE, **change})

            assert response.status_code == 400, change
            assert set(response.json()["errors"]) == set(change), response.json()

    async def test_offsets_are_honoured_and_shown_in_the_blocks_zone(
        self, api: Api, john: Member
    ) -> None:
        block = await create_block(
            api, john, start_time="2024-01-08T09:00:00-05:00", end_time="2024-01-08T15:00:00Z"
        )

        assert block["start_time"] == "2024-01-08T15:00:00+01:00"
        assert block["end_time"] == "2024-01-08T16:00:00+01:00"

    async def test_naive_times_are_in_the_bodys_zone(self, api: Api, john: Member) -> None:
        block = await create_block(api, john, timezone="America/New_York")

        shown = (await api.as_(john).get(f"{BLOCKS}/{block['id']}")).json()["data"]
        assert block["start_time"] == "2024-01-08T09:00:00-05:00"
        assert shown["timezone"] == "America/New_York"
        entry = (await api.as_(john).get(f"{ENTRIES}/{block['id']}")).json()["time_entry"]
        assert entry["start_time"] == "2024-01-08T14:00:00Z"

    async def test_references_resolve_in_the_organisation(
        self, api: Api, factory: Factory, john: Member, redesign: Project, other_owner: Member
    ) -> None:
        theirs = await make_project(factory, other_owner.organization, name="Theirs")
        quiet = await make_project(factory, john.organization, name="Quiet", billable=False)
        archived = await make_project(factory, john.organization, name="Old", status="archived")
        task = await make_task(factory, redesign, name="Homepage")

        foreign = await api.as_(john).post(BLOCKS, json={**SEED_CREATE, "project_id": theirs.id})
        inactive = await api.as_(john).post(BLOCKS, json={**SEED_CREATE, "project_id": archived.id})
        by_task = await create_block(api, john, task_id=task.id, color=None, is_billable=None)
        unbilled = await create_block(api, john, project_id=quiet.id, is_billable=None)

        assert foreign.status_code == 422
        assert foreign.json()["errors"] == {"project_id": ["Project not found"]}
        assert inactive.status_code == 400
        assert inactive.json()["error_code"] == "project_inactive"
        shown = (await api.as_(john).get(f"{BLOCKS}/{by_task['id']}")).json()["data"]
        assert shown["project"]["name"] == "Website Redesign"
        assert shown["client"]["name"] == "Acme Corp"
        assert shown["color"] == "#4285F4"  # the project's colour
        assert shown["is_billable"] is True
        billable = (await api.as_(john).get(f"{BLOCKS}/{unbilled['id']}")).json()["data"]
        assert billable["is_billable"] is False  # the project's default

    async def test_needs_create_permission(self, api: Api, factory: Factory, john: Member) -> None:
        viewer = await colleague(factory, john, "viewer")

        response = await api.as_(viewer).post(BLOCKS, json=SEED_CREATE)

        assert response.status_code == 403
        assert response.json()["required_permission"] == "time_entry.create"


class TestGetTimeBlock:
    async def test_not_found_and_other_organisations(
        self, api: Api, john: Member, other_owner: Member
    ) -> None:
        theirs = await create_block(api, other_owner)

        missing = await api.as_(john).get(f"{BLOCKS}/999999")
        foreign = await api.as_(john).get(f"{BLOCKS}/{theirs['id']}")

        for response in (missing, foreign):
            assert response.status_code == 404
            assert response.json()["error_code"] == "not_found"
            assert response.json()["message"] == "Time block not found."

    async def test_visibility_follows_the_ledger(
        self, api: Api, factory: Factory, john: Member, acme: Client, redesign: Project
    ) -> None:
        member = await colleague(factory, john, "member")
        viewer = await colleague(factory, john, "viewer")
        customer = await colleague(factory, john, "customer", client_id=acme.id)
        other = await colleague(
            factory, john, "customer", client_id=(await factory.client(john.organization)).id
        )
        block = await create_block(api, john, project_id=redesign.id)
        url = f"{BLOCKS}/{block['id']}"

        assert (await api.as_(viewer).get(url)).status_code == 200
        assert (await api.as_(customer).get(url)).status_code == 200
        assert (await api.as_(member).get(url)).status_code == 404
        assert (await api.as_(other).get(url)).status_code == 404

    async def test_entries_made_elsewhere_are_blocks(self, api: Api, john: Member) -> None:
        entry = await create_entry(api, john, notes="Reviewed PRs")

        shown = (await api.as_(john).get(f"{BLOCKS}/{entry['id']}")).json()["data"]

        assert shown["title"] == "Reviewed PRs"
        assert shown["description"] == "Reviewed PRs"
        assert shown["start_time"] == "2024-01-15T10:00:00+01:00"
        assert shown["calendar_sync_status"] is None
        assert shown["invoicing_sync_status"] is None


class TestUpdateTimeBlock:
    async def test_seed_example(
        self, api: Api, factory: Factory, john: Member, runner: JobRunner
    ) -> None:
        block = await create_block(api, john)
        await runner.run_until_idle()
        assert await sync_states(factory, block["id"]) == NOT_CONNECTED

        response = await api.as_(john).put(
            f"{BLOCKS}/{block['id']}",
            json={
                "title": "Development Work (Updated)",
                "start_time": "2024-01-08T10:00:00",
                "end_time": "2024-01-08T13:00:00",
            },
        )

        assert response.status_code == 200, response.text
        assert response.json() == {
            "data": {
                "id": block["id"],
                "title": "Development Work (Updated)",
                "start_time": "2024-01-08T10:00:00+01:00",
                "end_time": "2024-01-08T13:00:00+01:00",
                "calendar_sync_status": "pending",
                "invoicing_sync_status": "pending",
            },
            "message": "Time block updated. Syncing to integrations...",
        }
        assert await sync_states(factory, block["id"]) == {
            "calendar": ("pending", None),
            "invoicing": ("pending", None),
        }
        assert await sync_jobs(factory, block["id"]) == ["done", "queued"]

    async def test_partial_changes(
        self, api: Api, factory: Factory, john: Member, redesign: Project
    ) -> None:
        block = await create_block(api, john, project_id=redesign.id)
        url = f"{BLOCKS}/{block['id']}"

        response = await api.as_(john).put(
            url,
            json={
                "description": None,
                "color": None,
                "is_billable": False,
                "timezone": "Europe/London",
                "end_time": "2024-01-08T12:30:00",
            },
        )

        assert response.status_code == 200, response.text
        shown = (await api.as_(john).get(url)).json()["data"]
        assert shown["title"] == "Development Work"
        assert shown["description"] is None
        assert shown["color"] == "#4285F4"  # back to the project's
        assert shown["is_billable"] is False
        assert shown["timezone"] == "Europe/London"
        # Naive times are in the block's zone after the change.
        assert shown["start_time"] == "2024-01-08T08:00:00+00:00"
        assert shown["end_time"] == "2024-01-08T12:30:00+00:00"
        cleared = await api.as_(john).put(url, json={"timezone": None, "project_id": None})
        assert cleared.status_code == 200
        again = (await api.as_(john).get(url)).json()["data"]
        assert again["timezone"] == AMSTERDAM
        assert again["project"] is None
        assert again["client"]["name"] == "Acme Corp"  # the ledger keeps the client

    async def test_bad_changes_are_refused(self, api: Api, john: Member) -> None:
        block = await create_block(api, john)
        url = f"{BLOCKS}/{block['id']}"

        null_title = await api.as_(john).put(url, json={"title": None})
        backwards = await api.as_(john).put(url, json={"end_time": "2024-01-08T08:00:00"})
        calendar = await api.as_(john).put(url, json={"calendar_id": 7})

        assert null_title.status_code == 400
        assert null_title.json()["errors"] == {"title": ["Value error, may not be null"]}
        assert backwards.status_code == 400
        assert calendar.status_code == 422
        assert calendar.json()["errors"] == {"calendar_id": ["Calendar not found"]}
        shown = (await api.as_(john).get(url)).json()["data"]
        assert shown["end_time"] == "2024-01-08T12:00:00+01:00"

    async def test_who_may_change_a_block(
        self, api: Api, factory: Factory, john: Member, other_owner: Member
    ) -> None:
        admin = await colleague(factory, john, "admin")
        member = await colleague(factory, john, "member")
        viewer = await colleague(factory, john, "viewer")
        block = await create_block(api, member)
        johns = await create_block(api, john)
        theirs = await create_block(api, other_owner)
        change = {"title": "Renamed"}

        by_admin = await api.as_(admin).put(f"{BLOCKS}/{block['id']}", json=change)
        by_viewer = await api.as_(viewer).put(f"{BLOCKS}/{block['id']}", json=change)
        by_member = await api.as_(member).put(f"{BLOCKS}/{johns['id']}", json=change)
        foreign = await api.as_(john).put(f"{BLOCKS}/{theirs['id']}", json=change)

        assert by_admin.status_code == 200
        assert by_viewer.status_code == 403
        assert by_member.status_code == 404  # members cannot see others' time
        assert foreign.status_code == 404
        assert foreign.json()["message"] == "Time block not found."


class TestDeleteTimeBlock:
    async def test_deletes_the_entry_and_its_sync_states(
        self, api: Api, factory: Factory, john: Member, runner: JobRunner
    ) -> None:
        block = await create_block(api, john)
        url = f"{BLOCKS}/{block['id']}"

        response = await api.as_(john).delete(url)

        assert response.status_code == 200
        assert response.json() == {"message": "Time block deleted"}
        assert (await api.as_(john).get(url)).status_code == 404
        assert (await api.as_(john).get(f"{ENTRIES}/{block['id']}")).status_code == 404
        assert await count_states(factory, block["id"]) == 0
        # The sync queued at creation finds nothing left to do.
        await runner.run_until_idle()
        assert await sync_jobs(factory, block["id"]) == ["done"]

    async def test_who_may_delete(
        self, api: Api, factory: Factory, john: Member, other_owner: Member
    ) -> None:
        viewer = await colleague(factory, john, "viewer")
        block = await create_block(api, john)
        theirs = await create_block(api, other_owner)

        by_viewer = await api.as_(viewer).delete(f"{BLOCKS}/{block['id']}")
        foreign = await api.as_(john).delete(f"{BLOCKS}/{theirs['id']}")

        assert by_viewer.status_code == 403
        assert foreign.status_code == 404
        assert (await api.as_(other_owner).get(f"{BLOCKS}/{theirs['id']}")).status_code == 200


class TestSync:
    async def test_job_marks_targets_not_connected(
        self, api: Api, factory: Factory, john: Member, runner: JobRunner
    ) -> None:
        block = await create_block(api, john)

        await runner.run_until_idle()

        assert await sync_states(factory, block["id"]) == NOT_CONNECTED
        assert await sync_jobs(factory, block["id"]) == ["done"]
        shown = (await api.as_(john).get(f"{BLOCKS}/{block['id']}")).json()["data"]
        assert shown["calendar_sync_status"] == "not_connected"
        assert shown["invoicing_sync_status"] == "not_connected"

    async def test_force_sync(
        self, api: Api, factory: Factory, john: Member, runner: JobRunner
    ) -> None:
        block = await create_block(api, john)
        await runner.run_until_idle()

        response = await api.as_(john).post(f"{BLOCKS}/{block['id']}/sync")

        assert response.status_code == 200
        assert response.json() == {
            "message": "Sync initiated",
            "sync_status": {"calendar": "syncing", "invoicing": "syncing"},
        }
        assert await sync_states(factory, block["id"]) == {
            "calendar": ("syncing", None),
            "invoicing": ("syncing", None),
        }
        await runner.run_until_idle()
        assert await sync_states(factory, block["id"]) == NOT_CONNECTED
        assert await sync_jobs(factory, block["id"]) == ["done", "done"]

    async def test_force_sync_of_an_entry_never_synced(
        self, api: Api, factory: Factory, john: Member, runner: JobRunner
    ) -> None:
        entry = await create_entry(api, john)
        assert await count_states(factory, entry["id"]) == 0

        response = await api.as_(john).post(f"{BLOCKS}/{entry['id']}/sync")

        assert response.status_code == 200
        await runner.run_until_idle()
        assert await sync_states(factory, entry["id"]) == NOT_CONNECTED

    async def test_the_job_is_idempotent(
        self, api: Api, factory: Factory, john: Member, runner: JobRunner
    ) -> None:
        block = await create_block(api, john)
        await api.as_(john).post(f"{BLOCKS}/{block['id']}/sync")
        await runner.run_until_idle()
        before = await sync_states(factory, block["id"])

        # A second delivery of the same job (at least once) changes nothing.
        await api.as_(john).put(f"{BLOCKS}/{block['id']}", json={})
        await runner.run_until_idle()

        assert before == NOT_CONNECTED
        assert await sync_states(factory, block["id"]) == NOT_CONNECTED
        assert await sync_jobs(factory, block["id"]) == ["done", "done", "done"]

    async def test_who_may_sync(
        self, api: Api, factory: Factory, john: Member, other_owner: Member
    ) -> None:
        viewer = await colleague(factory, john, "viewer")
        block = await create_block(api, john)
        theirs = await create_block(api, other_owner)

        by_viewer = await api.as_(viewer).post(f"{BLOCKS}/{block['id']}/sync")
        foreign = await api.as_(john).post(f"{BLOCKS}/{theirs['id']}/sync")
        missing = await api.as_(john).post(f"{BLOCKS}/999999/sync")

        assert by_viewer.status_code == 403
        assert by_viewer.json()["required_permission"] == "time_entry.update"
        assert foreign.status_code == 404
        assert missing.status_code == 404
