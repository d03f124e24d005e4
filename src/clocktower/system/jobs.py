"""Housekeeping: expired idempotency keys, finished jobs, spent tokens, old sync history."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, or_

from clocktower.changelog.repository import ChangeLogRepository, PushLogRepository
from clocktower.kit.time import utcnow
from clocktower.models import IdempotencyKey, Job, PasswordResetToken, RefreshToken
from clocktower.worker import JobContext, periodic

FINISHED_JOB_RETENTION = timedelta(days=7)
# Deletions and offline-push results are kept this long: a device that has not synced for
# longer starts over from a snapshot (410 sync_token_expired), and a replay older than
# this is applied again rather than answered from the log.
SYNC_HISTORY_RETENTION = timedelta(days=90)


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
    await ChangeLogRepository(session).prune_tombstones(now - SYNC_HISTORY_RETENTION)
    await PushLogRepository(session).forget_before(now - SYNC_HISTORY_RETENTION)
