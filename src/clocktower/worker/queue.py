"""enqueue_job: a job row in the caller's transaction (no change without its job); and the
operator's view of the queue (counts per status, retrying dead jobs)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.kit.time import utcnow
from clocktower.models import Job

DEFAULT_MAX_ATTEMPTS = 8


async def enqueue_job(
    session: AsyncSession,
    kind: str,
    *,
    organization_id: int | None = None,
    run_at: datetime | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    **payload: Any,
) -> Job:
    now = utcnow()
    job = Job(
        kind=kind,
        organization_id=organization_id,
        payload=payload,
        status="queued",
        attempts=0,
        max_attempts=max_attempts,
        run_at=run_at or now,
        created_at=now,
    )
    session.add(job)
    await session.flush()
    return job


async def count_jobs_by_status(session: AsyncSession) -> dict[str, int]:
    """How many jobs are queued, running, done and dead (for `clocktower jobs`)."""
    rows = await session.execute(select(Job.status, func.count()).group_by(Job.status))
    return {status: int(count) for status, count in rows.all()}


async def retry_dead_jobs(session: AsyncSession, *, kind: str | None = None) -> int:
    """Give dead jobs a fresh set of attempts, due now; their last error stays for reference."""
    statement = (
        update(Job)
        .where(Job.status == "dead")
        .values(status="queued", attempts=0, run_at=utcnow(), finished_at=None, locked_by=None)
        .execution_options(synchronize_session=False)
    )
    if kind is not None:
        statement = statement.where(Job.kind == kind)
    result = await session.execute(statement)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
