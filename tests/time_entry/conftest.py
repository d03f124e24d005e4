"""Time entry fixtures: projects and tasks made directly, entries through the API or rows."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from clocktower.models import Organization, Project, Task, TimeEntry
from tests.support import Api, Factory, Member

ENTRIES = "/api/v1/time-entries"


async def make_project(
    factory: Factory,
    organization: Organization,
    *,
    name: str = "Website",
    client_id: int | None = None,
    **fields: Any,
) -> Project:
    project = Project(organization_id=organization.id, name=name, client_id=client_id, **fields)
    factory.session.add(project)
    await factory.session.commit()
    return project


async def make_task(factory: Factory, project: Project, *, name: str = "Homepage") -> Task:
    task = Task(organization_id=project.organization_id, project_id=project.id, name=name)
    factory.session.add(task)
    await factory.session.commit()
    return task


async def add_entry(
    factory: Factory,
    who: Member,
    start: datetime,
    *,
    minutes: int | None = 60,
    project: Project | None = None,
    task: Task | None = None,
    **fields: Any,
) -> TimeEntry:
    """A stored entry without going through the API (for read-side tests); `minutes=None`
    makes a running timer (without the single-timer slot)."""
    entry = TimeEntry(
        organization_id=who.organization.id,
        user_id=who.id,
        project_id=project.id if project else (task.project_id if task else None),
        task_id=task.id if task else None,
        client_id=project.client_id if project else None,
        start_at=start,
        end_at=start + timedelta(minutes=minutes) if minutes is not None else None,
        duration_seconds=minutes * 60 if minutes is not None else None,
        **fields,
    )
    factory.session.add(entry)
    await factory.session.commit()
    return entry


async def create_entry(api: Api, who: Member, **fields: Any) -> dict[str, Any]:
    body = {
        "start_time": "2024-01-15T09:00:00Z",
        "end_time": "2024-01-15T17:00:00Z",
        **fields,
    }
    response = await api.as_(who).post(ENTRIES, json=body)
    assert response.status_code == 201, response.text
    entry: dict[str, Any] = response.json()["time_entry"]
    return entry


@pytest.fixture
async def project(factory: Factory, owner: Member) -> Project:
    return await make_project(factory, owner.organization)


@pytest.fixture
async def task(factory: Factory, project: Project) -> Task:
    return await make_task(factory, project)


@pytest.fixture
async def other_project(factory: Factory, other_owner: Member) -> Project:
    return await make_project(factory, other_owner.organization, name="Elsewhere")
