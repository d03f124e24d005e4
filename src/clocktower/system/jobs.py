"""Housekeeping: expired idempotency keys, finished jobs, spent tokens, old sync history,
and (SQLite) the query planner's statistics."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, or_, text

from clocktower.changelog.repository import ChangeLogRepository, PushLogRepository
from clocktower.kit.time import utcnow
from clocktower.models import IdempotencyKey, Job, PasswordResetToken, RefreshToken
from clocktower.worker import JobContext, periodic

FINISHED_JOB_RETENTION = timedelta(days=7)
# Deletions and offline-push results are kept this long: a device that has not synced for
# longer starts over from a snapshot (410 sync_token_expired), and a replay older than
# this is applied again rather than answered from the log.
SYNC_HISTORY_RETENTION = timedelta(days=90)
# PRAGMA optimize: ANALYZE the tables that might benefit (0x02), checking every table,
# not only those this connection used (0x10000, SQLite 3.46+; older versions ignore it).
# Without 0x10 (a temporary analysis limit): a limited ANALYZE reads the first rows of
# each index, which for the organisation-first indexes are one organisation's, and the
# planner then takes the tenant's index for a selective one. Full passes are rare: only
# tables whose size changed many times over since their last ANALYZE.
SQLITE_OPTIMIZE = "PRAGMA optimize=0x10002"


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
    if session.get_bind().dialect.name == "sqlite":
        # `clocktower migrate` leaves full statistics; this keeps them current between
        # deployments (PostgreSQL's autovacuum does so on its own).
        await session.execute(text(SQLITE_OPTIMIZE))
