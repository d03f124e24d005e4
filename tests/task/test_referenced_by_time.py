"""Tracked time keeps its task: time entries and focus sessions on a task make its delete
a 409 `task_in_use` naming them; the task goes once they are gone."""

from __future__ import annotations

from datetime import UTC, datetime

from clocktower.models import FocusSession, Project
from tests.support import Api, Factory, Member
from tests.time_entry.conftest import add_entry, create_entry, make_task

TASKS = "/api/v1/tasks"
ENTRIES = "/api/v1/time-entries"
MONDAY = datetime(2024, 1, 15, 9, tzinfo=UTC)


async def test_a_task_with_time_entries_is_409(
    api: Api, member: Member, project: Project, factory: Factory
) -> None:
    task = await make_task(factory, project)
    await create_entry(api, member, task_id=task.id)

    response = await api.as_(member).delete(f"{TASKS}/{task.id}")

    assert response.status_code == 409
    body = response.json()
    assert body["error_code"] == "task_in_use"
    # The entry, written through the API, is billed too (S4.2).
    assert body["dependents"] == ["time_bills", "time_entries"]
    assert (await api.as_(member).get(f"{TASKS}/{task.id}")).status_code == 200


async def test_a_running_timer_keeps_the_task_too(
    api: Api, admin: Member, project: Project, factory: Factory
) -> None:
    task = await make_task(factory, project)
    await add_entry(factory, admin, MONDAY, task=task, minutes=None)

    response = await api.as_(admin).delete(f"{TASKS}/{task.id}")

    assert response.status_code == 409


async def test_focus_sessions_are_named_too(
    api: Api, admin: Member, project: Project, factory: Factory
) -> None:
    task = await make_task(factory, project)
    await add_entry(factory, admin, MONDAY, task=task)
    factory.session.add(
        FocusSession(
            organization_id=admin.organization.id,
            user_id=admin.id,
            task_id=task.id,
            type="break",
            start_at=MONDAY,
            duration_seconds=300,
        )
    )
    await factory.session.commit()

    response = await api.as_(admin).delete(f"{TASKS}/{task.id}")

    assert response.status_code == 409
    assert sorted(response.json()["dependents"]) == ["focus_sessions", "time_entries"]


async def test_deleted_once_its_entries_are_gone(
    api: Api, member: Member, project: Project, factory: Factory
) -> None:
    task = await make_task(factory, project)
    entry = await create_entry(api, member, task_id=task.id)
    assert (await api.as_(member).delete(f"{ENTRIES}/{entry['id']}")).status_code == 200

    response = await api.as_(member).delete(f"{TASKS}/{task.id}")

    assert response.status_code == 200
    assert (await api.as_(member).get(f"{TASKS}/{task.id}")).status_code == 404


async def test_time_on_another_task_does_not_block(
    api: Api, member: Member, project: Project, factory: Factory
) -> None:
    busy = await make_task(factory, project, name="Busy")
    idle = await make_task(factory, project, name="Idle")
    await create_entry(api, member, task_id=busy.id)

    response = await api.as_(member).delete(f"{TASKS}/{idle.id}")

    assert response.status_code == 200
