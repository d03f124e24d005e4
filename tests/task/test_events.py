"""Webhook `task.completed` (S6.5): one `webhook.fan_out` job when a task moves into
done (or is created done); none for any other change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from clocktower.models import Job, Project
from clocktower.webhook.events import FAN_OUT_JOB
from tests.support import Api, Factory, Member
from tests.task.conftest import TASKS, create_task

EVENT = "task.completed"


async def events(factory: Factory, organization_id: int) -> list[dict[str, Any]]:
    rows = await factory.session.execute(
        select(Job.payload)
        .where(Job.kind == FAN_OUT_JOB, Job.organization_id == organization_id)
        .order_by(Job.id)
    )
    return [payload for payload in rows.scalars() if payload["event"] == EVENT]


async def test_moving_into_done_is_an_event(
    api: Api, member: Member, project: Project, factory: Factory
) -> None:
    task = await create_task(api, member, name="Ship it", project_id=project.id)

    response = await api.as_(member).patch(f"{TASKS}/{task['id']}", json={"status": "done"})

    assert response.status_code == 200
    done = response.json()["task"]
    [event] = await events(factory, member.organization.id)
    assert event["data"] == {
        "id": task["id"],
        "name": "Ship it",
        "project_id": project.id,
        "completed_at": done["completed_at"],
    }
    assert event["data"]["completed_at"].endswith("Z")


async def test_other_changes_emit_nothing(
    api: Api, member: Member, project: Project, factory: Factory
) -> None:
    task = await create_task(api, member, project_id=project.id)
    url = f"{TASKS}/{task['id']}"

    await api.as_(member).patch(url, json={"status": "in_progress", "name": "Renamed"})
    await api.as_(member).patch(url, json={"status": "review"})

    assert await events(factory, member.organization.id) == []


async def test_done_again_is_not_a_second_completion(
    api: Api, member: Member, project: Project, factory: Factory
) -> None:
    task = await create_task(api, member, project_id=project.id)
    url = f"{TASKS}/{task['id']}"

    await api.as_(member).patch(url, json={"status": "done"})
    await api.as_(member).put(url, json={"status": "done", "priority": 3})

    assert len(await events(factory, member.organization.id)) == 1


async def test_reopened_and_done_again_completes_again(
    api: Api, member: Member, project: Project, factory: Factory
) -> None:
    task = await create_task(api, member, project_id=project.id)
    url = f"{TASKS}/{task['id']}"

    await api.as_(member).patch(url, json={"status": "done"})
    await api.as_(member).patch(url, json={"status": "todo"})
    await api.as_(member).patch(url, json={"status": "done"})

    assert len(await events(factory, member.organization.id)) == 2


async def test_created_done_is_an_event(
    api: Api, member: Member, project: Project, factory: Factory
) -> None:
    task = await create_task(api, member, project_id=project.id, status="done")

    [event] = await events(factory, member.organization.id)
    assert event["data"]["id"] == task["id"]
    assert event["data"]["completed_at"] == task["completed_at"]


async def test_a_refused_change_emits_nothing(
    api: Api, member: Member, project: Project, factory: Factory
) -> None:
    await create_task(api, member, project_id=project.id, external_ref="GH-1")
    task = await create_task(api, member, project_id=project.id)

    response = await api.as_(member).patch(
        f"{TASKS}/{task['id']}", json={"status": "done", "external_ref": "GH-1"}
    )

    assert response.status_code == 409
    assert await events(factory, member.organization.id) == []


async def test_another_organisations_task_emits_nothing(
    api: Api, member: Member, other_owner: Member, other_project: Project, factory: Factory
) -> None:
    theirs = await create_task(api, other_owner, project_id=other_project.id)

    response = await api.as_(member).patch(f"{TASKS}/{theirs['id']}", json={"status": "done"})

    assert response.status_code == 404
    assert await events(factory, other_owner.organization.id) == []
