"""Focus-session fixtures: a project and task of the organisation, request helpers."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from clocktower.models import Job, Project, Task
from tests.support import Api, Factory, Member
from tests.time_entry.conftest import make_project, make_task

SESSIONS = "/api/v1/sessions"
ENTRIES = "/api/v1/time-entries"
START = "2024-01-15T09:00:00Z"


def session_url(session_id: int) -> str:
    return f"{SESSIONS}/{session_id}"


def body(
    *,
    type: str = "session",
    start: str = START,
    duration: int = 1500,
    task: dict[str, Any] | None = None,
    project: dict[str, Any] | None = None,
    **session_fields: Any,
) -> dict[str, Any]:
    """A seed 001 body in the seed's camelCase spelling."""
    found: dict[str, Any] = {
        "session": {"startTimestamp": start, "duration": duration, "type": type, **session_fields}
    }
    if task is not None:
        found["task"] = task
    if project is not None:
        found["project"] = project
    return found


async def create_session(api: Api, who: Member, **fields: Any) -> dict[str, Any]:
    response = await api.as_(who).post(SESSIONS, json=body(**fields))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def entries_of(api: Api, who: Member) -> list[dict[str, Any]]:
    response = await api.as_(who).get(ENTRIES)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["time_entries"]
    return found


async def webhook_jobs(factory: Factory) -> list[dict[str, Any]]:
    """The payload (`event`, `data`, ...) of each queued webhook job, oldest first."""
    rows = await factory.session.execute(
        select(Job.payload).where(Job.kind == "webhook.fan_out").order_by(Job.id)
    )
    return list(rows.scalars())


async def webhook_events(factory: Factory, event: str) -> list[dict[str, Any]]:
    """The `data` of each queued webhook job for `event`, oldest first."""
    return [job["data"] for job in await webhook_jobs(factory) if job["event"] == event]


async def row_count(factory: Factory, model: type[Any]) -> int:
    rows = await factory.session.execute(select(model.id))
    return len(rows.all())


@pytest.fixture
async def project(factory: Factory, owner: Member) -> Project:
    return await make_project(factory, owner.organization)


@pytest.fixture
async def task(factory: Factory, project: Project) -> Task:
    return await make_task(factory, project)


@pytest.fixture
async def other_task(factory: Factory, other_owner: Member) -> Task:
    elsewhere = await make_project(factory, other_owner.organization, name="Elsewhere")
    return await make_task(factory, elsewhere, name="Their task")
