"""The hourly `system.cleanup` job: housekeeping, and on SQLite a statistics refresh
(`PRAGMA optimize`) inside the job's own transaction."""

from __future__ import annotations

from sqlalchemy import select

from clocktower.models import Job
from clocktower.worker import enqueue_job
from clocktower.worker.runner import JobRunner
from tests.support import Factory


class TestCleanup:
    async def test_finishes_on_every_backend(self, factory: Factory, runner: JobRunner) -> None:
        job = await enqueue_job(factory.session, "system.cleanup")
        await factory.session.commit()

        await runner.run_until_idle()

        status = await factory.session.scalar(
            select(Job.status).where(Job.id == job.id).execution_options(populate_existing=True)
        )
        assert status == "done"
