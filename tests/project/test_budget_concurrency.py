"""Two budget checks of one project at the same time (two runners, or a redelivered job):
the project row lock makes the second wait and then find nothing new to send."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from clocktower.db import Database
from clocktower.models import OutboundEmail, Project, TimeEntry
from clocktower.project.budget import check_budget
from tests.conftest import test_settings as settings_for
from tests.support import Factory

pytestmark = pytest.mark.committing


async def test_concurrent_checks_send_one_alert(committing_database: Database) -> None:
    database = committing_database
    settings = settings_for(database.url)
    async with database.sessionmaker() as session:
        owner = await Factory(session, settings, "not-a-password-hash").organization()
        organization_id = owner.organization.id
        project = Project(
            organization_id=organization_id,
            name="Website",
            budget_type="hours",
            budget_minutes=60,
        )
        session.add(project)
        await session.flush()
        start = datetime(2024, 1, 15, 9, tzinfo=UTC)
        session.add(
            TimeEntry(
                organization_id=organization_id,
                user_id=owner.id,
                project_id=project.id,
                start_at=start,
                end_at=start + timedelta(hours=1),
                duration_seconds=3600,
            )
        )
        await session.commit()
        project_id = project.id

    async def second_check() -> int:
        async with database.transaction() as session:
            return await check_budget(session, settings, organization_id, project_id)

    async with database.transaction() as session:
        assert await check_budget(session, settings, organization_id, project_id) == 100
        second = asyncio.create_task(second_check())
        await asyncio.sleep(0.5)
        # The first check's transaction is still open: the second waits for its lock.
        assert not second.done()

    assert await asyncio.wait_for(second, timeout=30) == 0
    async with database.transaction(write=False) as session:
        sent = await session.execute(
            select(func.count())
            .select_from(OutboundEmail)
            .where(OutboundEmail.template == "budget_alert")
        )
        assert sent.scalar_one() == 1
