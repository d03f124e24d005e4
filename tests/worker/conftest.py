"""Worker test fixtures: helpers to read and nudge job rows, and a registry snapshot."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from clocktower.db import Database
from clocktower.kit.time import utcnow
from clocktower.models import AuditLog, Job
from clocktower.worker.registry import HANDLERS, SCHEDULES
from tests.worker.jobs_for_tests import RAN_ACTION


class Jobs:
    """Reads job rows and moves them in time, each in its own short transaction."""

    def __init__(self, database: Database) -> None:
        self.database = database

    async def get(self, job_id: int) -> Job:
        async with self.database.transaction(write=False) as session:
            found = await session.get(Job, job_id)
            assert found is not None
            return found

    async def make_due(self, job_id: int) -> None:
        """Skip the backoff wait: the job becomes due now."""
        await self._set(job_id, run_at=utcnow() - timedelta(seconds=1))

    async def age_lock(self, job_id: int, seconds: int) -> None:
        """Pretend the runner holding the job claimed it `seconds` ago."""
        await self._set(job_id, locked_at=utcnow() - timedelta(seconds=seconds))

    async def runs_of(self, job_id: int) -> int:
        """How many executions of a test job committed (one audit row each)."""
        async with self.database.transaction(write=False) as session:
            count = await session.execute(
                select(func.count())
                .select_from(AuditLog)
                .where(AuditLog.action == RAN_ACTION, AuditLog.object_id == str(job_id))
            )
            return int(count.scalar_one())

    async def _set(self, job_id: int, **values: object) -> None:
        async with self.database.transaction() as session:
            await session.execute(update(Job).where(Job.id == job_id).values(**values))


@pytest.fixture
def jobs(database: Database) -> Jobs:
    return Jobs(database)


@pytest.fixture
def job_registry() -> Iterator[None]:
    """Handlers and schedules a test registers are forgotten after it."""
    handlers, schedules = dict(HANDLERS), dict(SCHEDULES)
    try:
        yield
    finally:
        HANDLERS.clear()
        HANDLERS.update(handlers)
        SCHEDULES.clear()
        SCHEDULES.update(schedules)
