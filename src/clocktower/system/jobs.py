"""Housekeeping: expired idempotency keys, finished jobs, spent tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, or_

from clocktower.kit.time import utcnow
from clocktower.models import IdempotencyKey, Job, PasswordResetToken, RefreshToken
from clocktower.worker import JobContext, periodic

FINISHED_JOB_RETENTION = timedelta(days=7)


@periodic("system.cleanup", every=timedelta(hours=1))
async def cleanup(context: JobContext, _payload: dict[str, Any]) -> None:
    now = utcnow()
    session = context.session
    await session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at <= now))
    await session.execute(
        delete(Job).where(Job.status == "done", Job.finished_at < now - FINISHED_JOB_RETENTION)
    )
    await session.execute(delete(RefreshToken).where(RefreshToken.expires_at <= now))
    await session.execute(
        delete(PasswordResetToken).where(
            or_(PasswordResetToken.expires_at <= now, PasswordResetToken.used_at.isnot(None))
        )
    )
