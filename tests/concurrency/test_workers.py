"""Two `clocktower worker` processes drain one queue: every job runs exactly once, and
SIGTERM stops both gracefully."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.db import Database
from clocktower.kit.time import utcnow
from clocktower.models import AuditLog, Job
from clocktower.worker.queue import DEFAULT_MAX_ATTEMPTS
from tests.worker.jobs_for_tests import RAN_ACTION, RECORD

pytestmark = [pytest.mark.committing, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
JOB_COUNT = 2_000
DEADLINE_SECONDS = 120


async def start_worker(url: str, log_path: Path) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "CLOCKTOWER_DATABASE_URL": url,
        "CLOCKTOWER_ENVIRONMENT": "test",
        "CLOCKTOWER_EXTRA_JOB_MODULES": "tests.worker.jobs_for_tests",
        "CLOCKTOWER_JOB_POLL_INTERVAL_SECONDS": "0.2",
        "CLOCKTOWER_LOG_LEVEL": "DEBUG",
        "CLOCKTOWER_LOG_JSON": "true",
        "PYTHONPATH": str(ROOT),
    }
    with log_path.open("wb") as log:
        return await asyncio.create_subprocess_exec(
            str(ROOT / ".venv" / "bin" / "clocktower"),
            "worker",
            cwd=ROOT,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )


def log_events(log_path: Path) -> list[dict[str, object]]:
    events = []
    for line in log_path.read_text().splitlines():
        if line.startswith("{"):
            events.append(json.loads(line))
    return events


async def enqueue_many(session: AsyncSession, count: int) -> None:
    """What `enqueue_job` writes, as one multi-row insert (2,000 flushes would dominate)."""
    now = utcnow()
    await session.execute(
        insert(Job),
        [
            {
                "kind": RECORD,
                "payload": {"number": number},
                "status": "queued",
                "attempts": 0,
                "max_attempts": DEFAULT_MAX_ATTEMPTS,
                "run_at": now,
                "created_at": now,
            }
            for number in range(count)
        ],
    )


async def wait_until(condition: Callable[[], Awaitable[bool]], deadline: float) -> bool:
    """Poll until the condition holds or the loop's clock passes `deadline`."""
    while asyncio.get_running_loop().time() < deadline:
        if await condition():
            return True
        await asyncio.sleep(0.2)
    return False


async def test_two_workers_run_every_job_exactly_once(
    backend: str, committing_database: Database, tmp_path: Path
) -> None:
    if backend != "postgresql":
        pytest.skip("several worker processes need PostgreSQL's row locks; SQLite serves one node")
    # Start-up and draining together must finish within the deadline.
    deadline = asyncio.get_running_loop().time() + DEADLINE_SECONDS
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    workers = [await start_worker(committing_database.url, path) for path in logs]
    try:

        async def both_started() -> bool:
            return all(
                any(e.get("event") == "job runner started" for e in log_events(p)) for p in logs
            )

        assert await wait_until(both_started, deadline), [p.read_text()[-2000:] for p in logs]

        # Both are polling before the first job exists, so both compete for the queue.
        async with committing_database.transaction() as session:
            await enqueue_many(session, JOB_COUNT)

        async def drained() -> bool:
            async with committing_database.transaction(write=False) as session:
                done = await session.execute(
                    select(func.count())
                    .select_from(Job)
                    .where(Job.kind == RECORD, Job.status == "done")
                )
                return done.scalar_one() == JOB_COUNT

        assert await wait_until(drained, deadline), (
            f"the workers did not drain {JOB_COUNT} jobs within {DEADLINE_SECONDS} s"
        )
    finally:
        for process in workers:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        codes = []
        for process in workers:
            try:
                codes.append(await asyncio.wait_for(process.wait(), timeout=30))
            except TimeoutError:
                process.kill()
                codes.append(await process.wait())

    assert codes == [0, 0], [p.read_text()[-2000:] for p in logs]

    async with committing_database.transaction(write=False) as session:
        statuses = dict(
            (await session.execute(select(Job.status, func.count()).group_by(Job.status))).all()
        )
        attempts = (
            await session.execute(select(func.max(Job.attempts)).where(Job.kind == RECORD))
        ).scalar_one()
        runs = (
            (await session.execute(select(AuditLog.object_id).where(AuditLog.action == RAN_ACTION)))
            .scalars()
            .all()
        )
        job_ids = (await session.execute(select(Job.id).where(Job.kind == RECORD))).scalars().all()
    assert statuses.get("done", 0) >= JOB_COUNT
    assert set(statuses) <= {"done"}
    assert attempts == 1
    assert len(runs) == JOB_COUNT
    assert set(runs) == {str(job_id) for job_id in job_ids}

    # Each runner reports the jobs it finished: together every job once, each its share.
    done_by_worker = [
        Counter(
            e["job_id"]
            for e in log_events(p)
            if e.get("event") == "job done" and e.get("kind") == RECORD
        )
        for p in logs
    ]
    assert all(len(done) > 0 for done in done_by_worker)
    assert sum(len(done) for done in done_by_worker) == JOB_COUNT
    assert not set(done_by_worker[0]) & set(done_by_worker[1])
    assert all(any(e.get("event") == "job runner stopped" for e in log_events(p)) for p in logs)
