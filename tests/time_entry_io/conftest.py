"""Fixtures for bulk actions, imports and exports: entries as rows, jobs and audit rows read
back, sample files of other trackers under files/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from clocktower.models import AuditLog, Job, Project, Task, TimeEntry
from tests.support import Factory, Member
from tests.time_entry.conftest import add_entry, make_project, make_task

__all__ = ["add_entry", "make_project", "make_task"]

ENTRIES = "/api/v1/time-entries"
BULK = f"{ENTRIES}/bulk"
IMPORT = f"{ENTRIES}/import-csv"
EXPORT = f"{ENTRIES}/export"
FILES = Path(__file__).parent / "files"


def sample(name: str) -> str:
    return (FILES / name).read_text(encoding="utf-8-sig")


async def events(factory: Factory, organization_id: int, event: str) -> list[dict[str, Any]]:
    """The data of every queued webhook event of that name, oldest first."""
    rows = await factory.session.scalars(
        select(Job)
        .where(Job.kind == "webhook.fan_out", Job.organization_id == organization_id)
        .order_by(Job.id)
    )
    return [job.payload["data"] for job in rows if job.payload.get("event") == event]


async def jobs_of_kind(factory: Factory, kind: str) -> list[Job]:
    return list(await factory.session.scalars(select(Job).where(Job.kind == kind)))


async def audit_actions(factory: Factory, organization_id: int, action: str) -> list[AuditLog]:
    return list(
        await factory.session.scalars(
            select(AuditLog)
            .where(AuditLog.organization_id == organization_id, AuditLog.action == action)
            .order_by(AuditLog.id)
        )
    )


async def entries_of(factory: Factory, organization_id: int) -> list[TimeEntry]:
    """The organisation's entries as stored, oldest first (fresh from the database)."""
    result = await factory.session.scalars(
        select(TimeEntry)
        .where(TimeEntry.organization_id == organization_id)
        .order_by(TimeEntry.start_at, TimeEntry.id)
        .execution_options(populate_existing=True)
    )
    return list(result)


async def count_entries(factory: Factory, organization_id: int) -> int:
    found = await factory.session.scalar(
        select(func.count())
        .select_from(TimeEntry)
        .where(TimeEntry.organization_id == organization_id)
    )
    return int(found or 0)


async def names_of(factory: Factory, organization_id: int) -> dict[str, list[str]]:
    """Names of the organisation's projects (with client) and tasks, sorted."""
    from clocktower.models import Client

    clients = {
        c.id: c.name
        for c in await factory.session.scalars(
            select(Client).where(Client.organization_id == organization_id)
        )
    }
    projects = list(
        await factory.session.scalars(
            select(Project).where(Project.organization_id == organization_id)
        )
    )
    tasks = list(
        await factory.session.scalars(select(Task).where(Task.organization_id == organization_id))
    )
    return {
        "clients": sorted(clients.values()),
        "projects": sorted(f"{clients.get(p.client_id, '-')}/{p.name}" for p in projects),
        "tasks": sorted(t.name for t in tasks),
    }


@pytest.fixture
async def project(factory: Factory, owner: Member) -> Project:
    return await make_project(factory, owner.organization)
