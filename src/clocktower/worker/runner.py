"""The job runner: claims due jobs, runs each in its own transaction, retries with backoff.

Claims use `FOR UPDATE SKIP LOCKED` on PostgreSQL, so any number of runners share one
table without running a job twice; SQLite has a single writer and needs no lock hint. A
job's effects and its `done` mark commit together; a runner that dies mid-job leaves the
job `running` until its lock times out, then another runner takes it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import socket
import time
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from clocktower.config import Settings
from clocktower.db import Database
from clocktower.kit.time import utcnow
from clocktower.models import Job
from clocktower.worker.registry import HANDLERS, SCHEDULES, IOJobContext, JobContext

log = structlog.get_logger("clocktower.worker")

BACKOFF_BASE_SECONDS = 5.0
BACKOFF_CAP_SECONDS = 3600.0


def backoff(attempt: int) -> timedelta:
    """Exponential with jitter: ~5 s, 10 s, 20 s … capped at an hour."""
    delay = min(BACKOFF_BASE_SECONDS * 2 ** max(attempt - 1, 0), BACKOFF_CAP_SECONDS)
    return timedelta(seconds=delay * random.uniform(0.8, 1.2))  # noqa: S311


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int
    organization_id: int | None


class JobRunner:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        *,
        name: str | None = None,
        batch_size: int = 10,
    ) -> None:
        self.database = database
        self.settings = settings
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.batch_size = batch_size
        self._last_slots: dict[str, int] = {}
        self._stopping = asyncio.Event()
        self.wake = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()
        self.wake.set()

    async def run_forever(self) -> None:
        log.info("job runner started", runner=self.name)
        while not self._stopping.is_set():
            try:
                await self.enqueue_due_schedules()
                processed = await self.run_once()
            except Exception:  # the loop must survive a database hiccup
                log.exception("job runner iteration failed")
                processed = 0
            if processed == 0 and not self._stopping.is_set():
                self.wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self.wake.wait(), timeout=self.settings.job_poll_interval_seconds
                    )
        log.info("job runner stopped", runner=self.name)

    async def run_once(self) -> int:
        """Claim one batch and run it; finishes in-flight jobs even when stopping."""
        claimed = await self.claim(self.batch_size)
        for claimed_job in claimed:
            await self.execute(claimed_job)
        return len(claimed)

    async def run_until_idle(self, max_rounds: int = 100) -> int:
        """Tests and the CLI: run until no job is due."""
        total = 0
        for _ in range(max_rounds):
            processed = await self.run_once()
            total += processed
            if processed == 0:
                break
        return total

    async def claim(self, limit: int) -> list[ClaimedJob]:
        now = utcnow()
        stale = now - timedelta(seconds=self.settings.job_lock_timeout_seconds)
        due = (
            select(Job.id)
            .where(
                or_(
                    and_(Job.status == "queued", Job.run_at <= now),
                    and_(Job.status == "running", Job.locked_at < stale),
                )
            )
            .order_by(Job.run_at, Job.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        statement = (
            update(Job)
            .where(Job.id.in_(due.scalar_subquery()))
            .values(status="running", locked_by=self.name, locked_at=now, attempts=Job.attempts + 1)
            .returning(
                Job.id, Job.kind, Job.payload, Job.attempts, Job.max_attempts, Job.organization_id
            )
            .execution_options(synchronize_session=False)
        )
        async with self.database.transaction() as session:
            rows = (await session.execute(statement)).all()
        return sorted((ClaimedJob(*row) for row in rows), key=lambda j: j.id)

    async def _renew_lock(self, claimed: ClaimedJob) -> bool:
        """Restarts the job's lock just before it runs; False if it is no longer ours."""
        async with self.database.transaction() as session:
            renewed = await session.execute(
                update(Job)
                .where(Job.id == claimed.id, Job.locked_by == self.name, Job.status == "running")
                .values(locked_at=utcnow())
                .execution_options(synchronize_session=False)
            )
        return bool(renewed.rowcount == 1)  # type: ignore[attr-defined]

    async def execute(self, claimed: ClaimedJob) -> None:
        definition = HANDLERS.get(claimed.kind)
        started = time.perf_counter()
        if definition is None:
            await self._fail(claimed, f"no handler registered for {claimed.kind!r}", final=True)
            return
        max_attempts = definition.max_attempts or claimed.max_attempts
        if claimed.attempts > max_attempts:
            # Taken over after its last attempt's runner died mid-job: a job that kills its
            # runner would otherwise be taken over again and again, forever.
            await self._fail(
                claimed, "the runner of the last attempt stopped mid-job (lock expired)", final=True
            )
            return
        if not await self._renew_lock(claimed):
            # A batch ran longer than the lock lasts and another runner took this job
            # over: running it here too would, say, send its webhook twice.
            log.warning("job lock lost before it ran; skipped", job_id=claimed.id)
            return
        try:
            if definition.io_handler is not None:
                io_context = IOJobContext(
                    database=self.database,
                    settings=self.settings,
                    job_id=claimed.id,
                    attempt=claimed.attempts,
                    organization_id=claimed.organization_id,
                )
                await definition.io_handler(io_context, dict(claimed.payload))
            async with self.database.transaction() as session:
                if definition.handler is not None:
                    context = JobContext(
                        session=session,
                        settings=self.settings,
                        job_id=claimed.id,
                        attempt=claimed.attempts,
                        organization_id=claimed.organization_id,
                    )
                    await definition.handler(context, dict(claimed.payload))
                finished = await session.execute(
                    update(Job)
                    .where(
                        Job.id == claimed.id, Job.locked_by == self.name, Job.status == "running"
                    )
                    .values(
                        status="done",
                        finished_at=utcnow(),
                        locked_by=None,
                        duration_ms=int((time.perf_counter() - started) * 1000),
                        last_error=None,
                    )
                    .execution_options(synchronize_session=False)
                )
                if finished.rowcount != 1:  # type: ignore[attr-defined]
                    # Another runner took the job over after our lock expired: undo ours.
                    raise _LockLost()
        except _LockLost:
            log.warning("job lock lost; effects rolled back", job_id=claimed.id, kind=claimed.kind)
        except Exception as error:
            detail = "".join(traceback.format_exception_only(type(error), error)).strip()
            log.warning(
                "job failed",
                job_id=claimed.id,
                kind=claimed.kind,
                attempt=claimed.attempts,
                error=detail[:300],
            )
            await self._fail(claimed, detail, final=claimed.attempts >= max_attempts)
        else:
            log.debug("job done", job_id=claimed.id, kind=claimed.kind)

    async def _fail(self, claimed: ClaimedJob, error: str, *, final: bool) -> None:
        values: dict[str, Any] = {"last_error": error[:4000], "locked_by": None}
        if final:
            values.update(status="dead", finished_at=utcnow())
        else:
            values.update(status="queued", run_at=utcnow() + backoff(claimed.attempts))
        async with self.database.transaction() as session:
            await session.execute(
                update(Job)
                .where(Job.id == claimed.id, Job.locked_by == self.name)
                .values(**values)
                .execution_options(synchronize_session=False)
            )

    async def enqueue_due_schedules(self, now: datetime | None = None) -> int:
        """One job per schedule slot, whichever node gets there first."""
        now = now or utcnow()
        created = 0
        for schedule in SCHEDULES.values():
            slot = int(now.timestamp() // schedule.every.total_seconds())
            if self._last_slots.get(schedule.name) == slot:
                continue
            values = {
                "kind": schedule.kind,
                "payload": {},
                "status": "queued",
                "attempts": 0,
                "max_attempts": 3,
                "run_at": now,
                "created_at": now,
                "dedupe_key": f"{schedule.name}:{slot}",
            }
            dialect = postgresql if not self.database.is_sqlite else sqlite
            statement = (
                dialect.insert(Job)
                .values(**values)
                .on_conflict_do_nothing(index_elements=["dedupe_key"])
            )
            async with self.database.transaction() as session:
                result = await session.execute(statement)
            created += result.rowcount or 0  # type: ignore[attr-defined]
            self._last_slots[schedule.name] = slot
        return created


class _LockLost(Exception):
    pass
