"""Time entry fixtures: projects and tasks made directly, entries through the API or rows,
and readers of what a request left behind (stored entries, queued webhook events)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from clocktower.models import Job, Organization, Project, Task, TimeEntry
from clocktower.webhook.events import FAN_OUT_JOB
from tests.support import Api, Factory, Member

ENTRIES = "/api/v1/time-entries"
SETTINGS = "/api/v1/settings"
PREFERENCES = "/api/v1/preferences"


def entry_url(entry_id: int) -> str:
    return f"{ENTRIES}/{entry_id}"


def utc(text: str) -> datetime:
    """`"2024-01-15T09:00"` → that instant in UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def iso(moment: datetime) -> str:
    """ISO 8601 with Z, as the API answers."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def set_timezone(api: Api, who: Member, zone: str) -> None:
    response = await api.as_(who).put(PREFERENCES, json={"timezone": zone})
    assert response.status_code == 200, response.text


async def set_organization_settings(api: Api, owner: Member, **settings: Any) -> None:
    response = await api.as_(owner).put(SETTINGS, json=settings)
    assert response.status_code == 200, response.text


async def stored_entries(factory: Factory, organization: Organization) -> list[TimeEntry]:
    """The organisation's entries as stored now, oldest id first."""
    result = await factory.session.execute(
        select(TimeEntry)
        .where(TimeEntry.organization_id == organization.id)
        .order_by(TimeEntry.id)
        .execution_options(populate_existing=True)
    )
    return list(result.scalars())


async def entry_count(factory: Factory, organization_id: int) -> int:
    result = await factory.session.execute(
        select(func.count(TimeEntry.id)).where(TimeEntry.organization_id == organization_id)
    )
    return int(result.scalar_one())


async def webhook_events(factory: Factory, organization: Organization) -> list[tuple[str, Any]]:
    """(event, entry id) of every webhook fan-out job queued for the organisation."""
    result = await factory.session.execute(
        select(Job.payload)
        .where(Job.kind == FAN_OUT_JOB, Job.organization_id == organization.id)
        .order_by(Job.id)
    )
    return [(payload["event"], payload["data"].get("id")) for (payload,) in result]


async def forget_entries(factory: Factory, organization: Organization) -> None:
    """Deletes the organisation's entries and queued jobs (between property examples).
    The entries go through the ORM, so the change log numbers their deletion as it
    would the API's: a list total remembered before is not served after."""
    for entry in await stored_entries(factory, organization):
        await factory.session.delete(entry)
    await factory.session.execute(delete(Job).where(Job.organization_id == organization.id))
    await factory.session.commit()


async def make_role(api: Api, owner: Member, moniker: str, permissions: list[str]) -> str:
    """A custom role of the owner's organisation; returns its moniker."""
    response = await api.as_(owner).post(
        "/api/v1/roles",
        json={"title": moniker.title(), "moniker": moniker, "permissions": permissions},
    )
    assert response.status_code == 201, response.text
    return moniker


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
