"""enqueue_job: a job row in the caller's transaction (no change without its job)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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
