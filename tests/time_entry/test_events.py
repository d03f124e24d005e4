"""What a change leaves behind: webhook jobs in the same transaction, and deleting an
organisation that has entries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from clocktower.models import Job, Project, Task, TimeEntry
from clocktower.webhook.events import FAN_OUT_JOB
from clocktower.worker.runner import JobRunner
from tests.support import Api, Factory, Member
from tests.time_entry.conftest import (
    ENTRIES,
    create_entry,
    entry_count,
    entry_url,
    make_project,
    make_task,
    webhook_events,
)


async def fan_out_payloads(factory: Factory, who: Member) -> list[dict[str, Any]]:
    result = await factory.session.execute(
        select(Job.payload).where(Job.organization_id == who.organization.id).order_by(Job.id)
    )
    return [payload for (payload,) in result if "event" in payload]


class TestWebhookJobs:
    async def test_create_update_delete(
        self, api: Api, factory: Factory, member: Member, project: Project
    ) -> None:
        entry = await create_entry(api, member, project_id=project.id)
        assert await webhook_events(factory, member.organization) == [
            ("time_entry.created", entry["id"])
        ]
        (created,) = await fan_out_payloads(factory, member)
        assert created["data"]["start_time"] == "2024-01-15T09:00:00Z"
        assert created["data"]["project_id"] == project.id
        assert "project" not in created["data"]

        await api.as_(member).put(entry_url(entry["id"]), json={"notes": "Changed"})
        await api.as_(member).post(f"{entry_url(entry['id'])}/notes", json={"notes": "Again"})
        await api.as_(member).delete(entry_url(entry["id"]))

        assert await webhook_events(factory, member.organization) == [
            ("time_entry.created", entry["id"]),
            ("time_entry.updated", entry["id"]),
            ("time_entry.updated", entry["id"]),
            ("time_entry.deleted", entry["id"]),
        ]
        updated = (await fan_out_payloads(factory, member))[1]
        assert updated["data"]["notes"] == "Changed"

    async def test_timer_start_and_stop_through_entries(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        started = await api.as_(member).post(ENTRIES, json={"start_time": "2024-01-15T09:00:00Z"})
        entry_id = started.json()["time_entry"]["id"]

        await api.as_(member).put(entry_url(entry_id), json={"notes": "Running"})
        await api.as_(member).patch(entry_url(entry_id), json={"end_time": "2024-01-15T10:00:00Z"})

        assert await webhook_events(factory, member.organization) == [
            ("time_entry.created", entry_id),
            ("timer.started", entry_id),
            ("time_entry.updated", entry_id),
            ("time_entry.updated", entry_id),
            ("timer.stopped", entry_id),
        ]
        stopped = (await fan_out_payloads(factory, member))[-1]
        assert stopped["data"]["is_active"] is False
        assert stopped["data"]["duration_seconds"] == 3600

    async def test_fan_out_jobs_run_to_done(
        self, api: Api, factory: Factory, member: Member, runner: JobRunner
    ) -> None:
        await create_entry(api, member)

        assert await runner.run_until_idle() >= 1

        result = await factory.session.execute(
            select(Job.status, Job.last_error).where(
                Job.organization_id == member.organization.id, Job.kind == FAN_OUT_JOB
            )
        )
        assert result.all() == [("done", None)]

    async def test_refused_requests_queue_nothing(
        self, api: Api, factory: Factory, member: Member, viewer: Member, project: Project
    ) -> None:
        await api.as_(member).post(ENTRIES, json={})
        before = await webhook_events(factory, member.organization)
        entry_id = before[0][1]

        refused = [
            await api.as_(member).post(ENTRIES, json={"project_id": project.id}),  # 409
            await api.as_(member).post(
                ENTRIES,
                json={"start_time": "2024-01-15T09:00:00Z", "end_time": "2024-01-15T08:00:00Z"},
            ),
            await api.as_(member).put(
                entry_url(entry_id), json={"end_time": "2000-01-01T00:00:00Z"}
            ),
            await api.as_(viewer).delete(entry_url(entry_id)),
            await api.as_(member).post(ENTRIES, json={"project_id": 999_999}),
        ]

        assert [r.status_code for r in refused] == [409, 400, 400, 403, 422]
        assert await webhook_events(factory, member.organization) == before
        assert await entry_count(factory, member.organization.id) == 1

    async def test_idempotent_replay_queues_nothing_more(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        headers = {"Idempotency-Key": "once"}
        body = {"start_time": "2024-01-15T09:00:00Z", "duration_seconds": 60}

        await api.as_(member).post(ENTRIES, json=body, headers=headers)
        await api.as_(member).post(ENTRIES, json=body, headers=headers)

        assert [event for event, _ in await webhook_events(factory, member.organization)] == [
            "time_entry.created"
        ]


class TestOrganisationDeletion:
    async def test_deleting_an_organisation_with_entries(
        self,
        api: Api,
        factory: Factory,
        owner: Member,
        member: Member,
        other_owner: Member,
        project: Project,
        task: Task,
    ) -> None:
        organization_id = owner.organization.id
        client = await factory.client(owner.organization)
        billed = await make_project(factory, owner.organization, name="Billed", client_id=client.id)
        await make_task(factory, billed, name="Billed task")
        await create_entry(api, member, task_id=task.id)
        await create_entry(api, owner, project_id=billed.id, notes="Owner's")
        await create_entry(api, member, client_id=client.id)
        await api.as_(member).post(ENTRIES, json={"project_id": project.id})  # running
        kept = await create_entry(api, other_owner)

        response = await api.as_(owner).delete(f"/api/v1/organizations/{organization_id}")

        assert response.status_code == 200, response.text
        assert await entry_count(factory, organization_id) == 0
        left = await factory.session.execute(
            select(func.count(TimeEntry.id)).where(TimeEntry.id == kept["id"])
        )
        assert left.scalar_one() == 1
        assert (await api.as_(other_owner).get(entry_url(kept["id"]))).status_code == 200
