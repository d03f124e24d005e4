"""Time block fixtures: members in Europe/Amsterdam (seed 003), and readers of sync rows."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from clocktower.models import Client, Job, Project, TimeEntrySyncState
from tests.support import Factory, Member
from tests.time_entry.conftest import make_project

BLOCKS = "/api/v1/time-blocks"
SYNC_JOB = "time_block.sync"
AMSTERDAM = "Europe/Amsterdam"


@pytest.fixture
async def john(factory: Factory) -> Member:
    """Seed 003's John Doe: owner of Acme Agency, working in Europe/Amsterdam."""
    user = await factory.user(name="John Doe", timezone=AMSTERDAM)
    return await factory.organization(user, name="Acme Agency")


@pytest.fixture
async def acme(factory: Factory, john: Member) -> Client:
    return await factory.client(john.organization, name="Acme Corp")


@pytest.fixture
async def redesign(factory: Factory, john: Member, acme: Client) -> Project:
    return await make_project(
        factory, john.organization, name="Website Redesign", client_id=acme.id, color="#4285F4"
    )


async def colleague(factory: Factory, john: Member, role: str, **fields: Any) -> Member:
    return await factory.member(john.organization, role, **{"timezone": AMSTERDAM, **fields})


async def sync_states(factory: Factory, entry_id: int) -> dict[str, tuple[str, str | None]]:
    """target → (status, last_error), read fresh from the database."""
    rows = await factory.session.execute(
        select(
            TimeEntrySyncState.target, TimeEntrySyncState.status, TimeEntrySyncState.last_error
        ).where(TimeEntrySyncState.time_entry_id == entry_id)
    )
    return {target: (status, error) for target, status, error in rows.all()}


async def sync_jobs(factory: Factory, entry_id: int) -> list[str]:
    """Statuses of the time_block.sync jobs queued for the entry, oldest first."""
    rows = await factory.session.execute(
        select(Job.status, Job.payload).where(Job.kind == SYNC_JOB).order_by(Job.id)
    )
    return [status for status, payload in rows.all() if payload["time_entry_id"] == entry_id]


async def count_states(factory: Factory, entry_id: int) -> int:
    result = await factory.session.execute(
        select(func.count())
        .select_from(TimeEntrySyncState)
        .where(TimeEntrySyncState.time_entry_id == entry_id)
    )
    return int(result.scalar_one())
