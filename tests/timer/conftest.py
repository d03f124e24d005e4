"""Timer fixtures: a project and task of the organisation (and of another), and readers of
what a request left behind: running entries and queued webhook events."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from clocktower.kit.time import utcnow
from clocktower.models import Job, Project, Task, TimeEntry
from clocktower.webhook.events import FAN_OUT_JOB
from tests.support import Api, Factory, Member
from tests.time_entry.conftest import make_project, make_task

STATUS = "/api/v1/timer/status"
START = "/api/v1/timer/start"
STOP = "/api/v1/timer/stop"
SETTINGS = "/api/v1/settings"

# Every timer answer is the enriched time entry.
ENTRY_KEYS = {
    "id",
    "user_id",
    "project_id",
    "task_id",
    "client_id",
    "start_time",
    "end_time",
    "duration_seconds",
    "duration_hours",
    "is_active",
    "notes",
    "tags",
    "billable",
    "paid",
    "source",
    "external_id",
    "created_at",
    "updated_at",
    "user",
    "project",
    "task",
    "client",
}


def active_timer(user_id: int) -> str:
    return f"/api/v1/active-timers/{user_id}"


def task_start(task_id: int) -> str:
    return f"/api/v1/tasks/{task_id}/start"


def task_stop(task_id: int) -> str:
    return f"/api/v1/tasks/{task_id}/stop"


def iso(minutes_ago: float, now: datetime | None = None) -> str:
    """An instant `minutes_ago` before now (or `now`), ISO 8601 with Z, whole seconds."""
    moment = (now or utcnow()) - timedelta(minutes=minutes_ago)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


async def start(api: Api, who: Member, **body: Any) -> dict[str, Any]:
    response = await api.as_(who).post(START, json=body)
    assert response.status_code == 201, response.text
    timer: dict[str, Any] = response.json()["timer"]
    return timer


async def allow_several_timers(api: Api, owner: Member) -> None:
    response = await api.as_(owner).put(SETTINGS, json={"single_active_timer": False})
    assert response.status_code == 200, response.text


async def running_entries(factory: Factory, who: Member) -> list[TimeEntry]:
    result = await factory.session.execute(
        select(TimeEntry)
        .where(
            TimeEntry.organization_id == who.organization.id,
            TimeEntry.user_id == who.id,
            TimeEntry.end_at.is_(None),
        )
        .order_by(TimeEntry.id)
        .execution_options(populate_existing=True)
    )
    return list(result.scalars())


async def stored_entry(factory: Factory, entry_id: int) -> TimeEntry | None:
    result = await factory.session.execute(
        select(TimeEntry).where(TimeEntry.id == entry_id).execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()


async def webhook_events(factory: Factory, who: Member) -> list[tuple[str, int | None]]:
    """(event, entry id) of every webhook fan-out job queued for the organisation."""
    result = await factory.session.execute(
        select(Job.payload)
        .where(Job.kind == FAN_OUT_JOB, Job.organization_id == who.organization.id)
        .order_by(Job.id)
    )
    return [(payload["event"], payload["data"].get("id")) for (payload,) in result]


@pytest.fixture
async def project(factory: Factory, owner: Member) -> Project:
    return await make_project(factory, owner.organization)


@pytest.fixture
async def task(factory: Factory, project: Project) -> Task:
    return await make_task(factory, project)


@pytest.fixture
async def other_task(factory: Factory, other_owner: Member) -> Task:
    """A task of another organisation."""
    elsewhere = await make_project(factory, other_owner.organization, name="Elsewhere")
    return await make_task(factory, elsewhere, name="Not yours")
