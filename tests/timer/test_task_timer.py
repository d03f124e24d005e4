"""Seed 000 task timers: POST /tasks/{id}/start and POST /tasks/{id}/stop."""

from __future__ import annotations

from clocktower.kit.time import utcnow
from clocktower.models import Project, Task
from tests.support import Api, Factory, Member
from tests.time_entry.conftest import make_project, make_task
from tests.timer.conftest import (
    STATUS,
    iso,
    running_entries,
    start,
    task_start,
    task_stop,
    webhook_events,
)


class TestStartTaskTimer:
    async def test_starts_a_timer_on_the_task(
        self, api: Api, factory: Factory, member: Member, project: Project, task: Task
    ) -> None:
        response = await api.as_(member).post(task_start(task.id))

        assert response.status_code == 201, response.text
        body = response.json()
        assert body["message"] == "Timer started"
        timer = body["timer"]
        assert timer["task_id"] == task.id
        assert timer["project_id"] == project.id
        assert timer["task"] == {"id": task.id, "name": "Homepage"}
        assert timer["source"] == "timer"
        assert timer["is_active"] is True
        [running] = await running_entries(factory, member)
        assert running.id == timer["id"]
        status = await api.as_(member).get(STATUS)
        assert status.json()["timer"]["id"] == timer["id"]

    async def test_optional_details(self, api: Api, member: Member, task: Task) -> None:
        response = await api.as_(member).post(
            task_start(task.id),
            json={"notes": "Copy", "tags": ["content"], "billable": False, "start_time": iso(5)},
        )

        assert response.status_code == 201
        timer = response.json()["timer"]
        assert (timer["notes"], timer["tags"], timer["billable"]) == ("Copy", "content", False)

    async def test_unknown_task_is_not_found(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        response = await api.as_(member).post(task_start(987654))

        assert response.status_code == 404
        assert response.json()["error_code"] == "not_found"
        assert await running_entries(factory, member) == []

    async def test_other_organisations_task_is_not_found(
        self, api: Api, factory: Factory, member: Member, other_task: Task
    ) -> None:
        response = await api.as_(member).post(task_start(other_task.id))

        assert response.status_code == 404
        assert await running_entries(factory, member) == []

    async def test_second_start_is_a_conflict(
        self, api: Api, factory: Factory, owner: Member, member: Member, task: Task
    ) -> None:
        other = await make_task(factory, await make_project(factory, owner.organization, name="B"))
        await api.as_(member).post(task_start(task.id))

        response = await api.as_(member).post(task_start(other.id))

        assert response.status_code == 409
        assert response.json()["error_code"] == "timer_already_running"
        assert len(await running_entries(factory, member)) == 1

    async def test_task_of_an_inactive_project_is_refused(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        held = await make_project(factory, owner.organization, name="Held", status="on_hold")
        waiting = await make_task(factory, held)

        response = await api.as_(member).post(task_start(waiting.id))

        assert response.status_code == 400
        assert response.json()["error_code"] == "project_inactive"

    async def test_viewer_cannot_start(self, api: Api, viewer: Member, task: Task) -> None:
        response = await api.as_(viewer).post(task_start(task.id))

        assert response.status_code == 403

    async def test_customer_cannot_start_on_their_clients_task(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        acme = await factory.client(owner.organization, name="Acme")
        theirs = await make_task(
            factory, await make_project(factory, owner.organization, client_id=acme.id)
        )
        customer = await factory.member(owner.organization, "customer", client_id=acme.id)

        response = await api.as_(customer).post(task_start(theirs.id))

        assert response.status_code == 403
        assert await running_entries(factory, customer) == []

    async def test_idempotency_key_replays(
        self, api: Api, factory: Factory, member: Member, task: Task
    ) -> None:
        headers = {"Idempotency-Key": "task-start-1"}

        first = await api.as_(member).post(task_start(task.id), headers=headers)
        again = await api.as_(member).post(task_start(task.id), headers=headers)

        assert first.status_code == again.status_code == 201
        assert again.content == first.content
        assert len(await running_entries(factory, member)) == 1

    async def test_start_queues_timer_started(
        self, api: Api, factory: Factory, member: Member, task: Task
    ) -> None:
        response = await api.as_(member).post(task_start(task.id))

        assert ("timer.started", response.json()["timer"]["id"]) in await webhook_events(
            factory, member
        )


class TestStopTaskTimer:
    async def test_stops_the_timer_on_the_task(
        self, api: Api, factory: Factory, member: Member, task: Task
    ) -> None:
        started = (await api.as_(member).post(task_start(task.id))).json()["timer"]

        response = await api.as_(member).post(task_stop(task.id))

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["message"] == "Timer stopped"
        assert body["timer"]["id"] == started["id"]
        assert body["timer"]["is_active"] is False
        assert await running_entries(factory, member) == []
        assert ("timer.stopped", started["id"]) in await webhook_events(factory, member)

    async def test_end_time_is_honoured(self, api: Api, member: Member, task: Task) -> None:
        now = utcnow()
        await api.as_(member).post(task_start(task.id), json={"start_time": iso(50, now)})

        response = await api.as_(member).post(task_stop(task.id), json={"end_time": iso(20, now)})

        assert response.json()["timer"]["duration_seconds"] == 30 * 60

    async def test_timer_on_another_task_is_not_stopped(
        self, api: Api, factory: Factory, member: Member, project: Project, task: Task
    ) -> None:
        other = await make_task(factory, project, name="Footer")
        await api.as_(member).post(task_start(other.id))

        response = await api.as_(member).post(task_stop(task.id))

        assert response.status_code == 409
        assert response.json()["error_code"] == "no_active_timer"
        [running] = await running_entries(factory, member)
        assert running.task_id == other.id

    async def test_timer_without_that_task_is_not_stopped(
        self, api: Api, factory: Factory, member: Member, project: Project, task: Task
    ) -> None:
        await start(api, member, project_id=project.id)

        response = await api.as_(member).post(task_stop(task.id))

        assert response.status_code == 409
        assert len(await running_entries(factory, member)) == 1

    async def test_nothing_running_is_a_conflict(
        self, api: Api, factory: Factory, member: Member, task: Task
    ) -> None:
        response = await api.as_(member).post(task_stop(task.id))

        assert response.status_code == 409
        assert response.json()["error_code"] == "no_active_timer"
        assert await webhook_events(factory, member) == []

    async def test_another_users_timer_on_the_task_is_not_stopped(
        self, api: Api, factory: Factory, admin: Member, member: Member, task: Task
    ) -> None:
        await api.as_(admin).post(task_start(task.id))

        response = await api.as_(member).post(task_stop(task.id))

        assert response.status_code == 409
        assert len(await running_entries(factory, admin)) == 1

    async def test_unknown_task_is_not_found(self, api: Api, member: Member) -> None:
        response = await api.as_(member).post(task_stop(987654))

        assert response.status_code == 404

    async def test_other_organisations_task_is_not_found(
        self, api: Api, factory: Factory, member: Member, task: Task, other_task: Task
    ) -> None:
        await api.as_(member).post(task_start(task.id))

        response = await api.as_(member).post(task_stop(other_task.id))

        assert response.status_code == 404
        assert len(await running_entries(factory, member)) == 1

    async def test_viewer_cannot_stop(self, api: Api, viewer: Member, task: Task) -> None:
        response = await api.as_(viewer).post(task_stop(task.id))

        assert response.status_code == 403
