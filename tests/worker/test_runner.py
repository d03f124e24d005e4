"""The job runner: transactional enqueue, exactly-once effects, retries, dead jobs,
schedules and stale locks, on every backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from clocktower.config import Settings
from clocktower.db import Database
from clocktower.kit.time import utcnow
from clocktower.models import Job
from clocktower.worker import enqueue_job, periodic
from clocktower.worker.runner import JobRunner
from tests.worker.conftest import Jobs
from tests.worker.jobs_for_tests import (
    IO_FAIL_AFTER_WRITE,
    IO_RECORD,
    RECORD,
    RECORD_THEN_FAIL,
    record,
)


async def enqueue(database: Database, kind: str, **options: object) -> int:
    async with database.transaction() as session:
        job = await enqueue_job(session, kind, **options)  # type: ignore[arg-type]
        return job.id


class TestEnqueue:
    async def test_job_of_rolled_back_transaction_never_runs(
        self, database: Database, runner: JobRunner
    ) -> None:
        async def change_that_fails() -> None:
            async with database.transaction() as session:
                await enqueue_job(session, RECORD, note="vanishes")
                raise RuntimeError("the change that caused the job failed")

        with pytest.raises(RuntimeError):
            await change_that_fails()

        assert await runner.run_until_idle() == 0
        async with database.transaction(write=False) as session:
            count = await session.execute(select(func.count()).select_from(Job))
        assert count.scalar_one() == 0


class TestRun:
    async def test_runs_once_and_is_marked_done_with_duration(
        self, database: Database, runner: JobRunner, jobs: Jobs
    ) -> None:
        job_id = await enqueue(database, RECORD)

        assert await runner.run_until_idle() == 1
        assert await runner.run_until_idle() == 0

        row = await jobs.get(job_id)
        assert row.status == "done"
        assert row.attempts == 1
        assert row.finished_at is not None
        assert row.duration_ms is not None
        assert row.duration_ms >= 0
        assert row.locked_by is None
        assert row.last_error is None
        assert await jobs.runs_of(job_id) == 1

    async def test_job_due_later_waits(
        self, database: Database, runner: JobRunner, jobs: Jobs
    ) -> None:
        job_id = await enqueue(database, RECORD, run_at=utcnow() + timedelta(minutes=5))

        assert await runner.run_until_idle() == 0
        assert (await jobs.get(job_id)).status == "queued"

    async def test_unknown_kind_is_dead_at_once(
        self, database: Database, runner: JobRunner, jobs: Jobs
    ) -> None:
        job_id = await enqueue(database, "tests.nobody_handles_this")

        assert await runner.run_until_idle() == 1

        row = await jobs.get(job_id)
        assert row.status == "dead"
        assert row.attempts == 1
        assert row.finished_at is not None
        assert row.last_error == "no handler registered for 'tests.nobody_handles_this'"


class TestRetry:
    async def test_failure_is_retried_later_with_growing_backoff_then_dead(
        self, database: Database, runner: JobRunner, jobs: Jobs
    ) -> None:
        job_id = await enqueue(database, RECORD_THEN_FAIL, max_attempts=3)
        # The delay counts from the failure, somewhere between `before` and `after`: a
        # slow attempt (a busy machine) must not look like a longer backoff.
        delays: list[tuple[float, float]] = []

        for attempt in (1, 2):
            before = utcnow()
            assert await runner.run_until_idle() == 1  # not due again within this call
            after = utcnow()
            row = await jobs.get(job_id)
            assert row.status == "queued"
            assert row.attempts == attempt
            assert row.last_error == f"RuntimeError: attempt {attempt} failed on purpose"
            assert row.locked_by is None
            delays.append(
                ((row.run_at - after).total_seconds(), (row.run_at - before).total_seconds())
            )
            await jobs.make_due(job_id)

        # ~5 s then ~10 s, each with ±20 % jitter: shortest possible ≤ 6, longest ≥ 4.
        assert delays[0][0] <= 6
        assert delays[0][1] >= 4
        assert delays[1][0] <= 12
        assert delays[1][1] >= 8

        assert await runner.run_until_idle() == 1
        row = await jobs.get(job_id)
        assert row.status == "dead"
        assert row.attempts == 3
        assert row.finished_at is not None
        assert row.last_error == "RuntimeError: attempt 3 failed on purpose"
        # The handler wrote before failing each time; none of it committed.
        assert await jobs.runs_of(job_id) == 0
        assert await runner.run_until_idle() == 0

    async def test_handler_max_attempts_overrides_the_job_row(
        self, database: Database, runner: JobRunner, jobs: Jobs, job_registry: None
    ) -> None:
        from clocktower.worker import job
        from tests.worker.jobs_for_tests import record_then_fail

        job("tests.fails_once_only", max_attempts=1)(record_then_fail)
        job_id = await enqueue(database, "tests.fails_once_only", max_attempts=8)

        await runner.run_until_idle()

        row = await jobs.get(job_id)
        assert row.status == "dead"
        assert row.attempts == 1


class TestSchedules:
    async def test_two_runners_create_one_job_per_slot(
        self, database: Database, settings: Settings, job_registry: None
    ) -> None:
        periodic("tests.tick", every=timedelta(minutes=5))(record)
        first = JobRunner(database, settings, name="node-a")
        second = JobRunner(database, settings, name="node-b")
        now = datetime(2026, 12, 1, 9, 31, tzinfo=UTC)
        slot = int(now.timestamp() // 300)

        created_first = await first.enqueue_due_schedules(now)
        created_second = await second.enqueue_due_schedules(now + timedelta(seconds=30))

        assert created_first >= 1
        assert created_second == 0  # every slot was taken by the first node
        assert await _count_keys(database, f"tests.tick:{slot}") == 1

        later = now + timedelta(minutes=5)
        assert await second.enqueue_due_schedules(later) >= 1
        assert await first.enqueue_due_schedules(later) == 0
        assert await _count_keys(database, f"tests.tick:{slot + 1}") == 1

    async def test_scheduled_job_runs_through_its_handler(
        self, database: Database, runner: JobRunner, jobs: Jobs, job_registry: None
    ) -> None:
        periodic("tests.tick", every=timedelta(minutes=5))(record)
        await runner.enqueue_due_schedules()

        await runner.run_until_idle()

        async with database.transaction(write=False) as session:
            tick = (await session.execute(select(Job).where(Job.kind == "tests.tick"))).scalar_one()
        assert tick.status == "done"
        assert await jobs.runs_of(tick.id) == 1


class TestStaleLock:
    async def test_fresh_lock_is_not_taken_over(
        self, database: Database, settings: Settings, jobs: Jobs
    ) -> None:
        job_id = await enqueue(database, RECORD)
        crashed = JobRunner(database, settings, name="node-a")
        healthy = JobRunner(database, settings, name="node-b")

        assert [c.id for c in await crashed.claim(10)] == [job_id]

        assert await healthy.run_until_idle() == 0
        row = await jobs.get(job_id)
        assert (row.status, row.locked_by) == ("running", "node-a")

    async def test_expired_lock_is_claimed_again_and_the_late_finisher_rolls_back(
        self, database: Database, settings: Settings, jobs: Jobs
    ) -> None:
        job_id = await enqueue(database, RECORD)
        crashed = JobRunner(database, settings, name="node-a")
        healthy = JobRunner(database, settings, name="node-b")
        [claimed] = await crashed.claim(10)
        await jobs.age_lock(job_id, settings.job_lock_timeout_seconds + 5)

        assert await healthy.run_until_idle() == 1

        row = await jobs.get(job_id)
        assert row.status == "done"
        assert row.attempts == 2
        assert await jobs.runs_of(job_id) == 1

        # The first runner wakes up and finishes its copy: its lock is gone, so its
        # effects are rolled back instead of running the job a second time.
        await crashed.execute(claimed)

        assert await jobs.runs_of(job_id) == 1
        assert (await jobs.get(job_id)).status == "done"

    async def test_a_job_taken_over_before_its_turn_in_the_batch_is_skipped(
        self, database: Database, settings: Settings, jobs: Jobs
    ) -> None:
        """A long batch outlives the lock of its last jobs: another runner takes one over;
        when the batch reaches it, it must not run a second time (an I/O job would send
        its request twice)."""
        job_id = await enqueue(database, IO_RECORD)
        slow = JobRunner(database, settings, name="node-a")
        healthy = JobRunner(database, settings, name="node-b")
        [claimed] = await slow.claim(10)
        await jobs.age_lock(job_id, settings.job_lock_timeout_seconds + 5)
        assert await healthy.run_until_idle() == 1

        await slow.execute(claimed)

        assert await jobs.runs_of(job_id) == 1
        row = await jobs.get(job_id)
        assert (row.status, row.attempts) == ("done", 2)


async def _count_keys(database: Database, dedupe_key: str) -> int:
    async with database.transaction(write=False) as session:
        count = await session.execute(
            select(func.count()).select_from(Job).where(Job.dedupe_key == dedupe_key)
        )
        return int(count.scalar_one())


class TestRunnerDiedOnLastAttempt:
    async def test_job_taken_over_after_its_last_attempt_goes_dead(
        self, database: Database, settings: Settings, jobs: Jobs
    ) -> None:
        job_id = await enqueue(database, RECORD, max_attempts=1)
        crashed = JobRunner(database, settings, name="node-a")
        healthy = JobRunner(database, settings, name="node-b")
        await crashed.claim(10)  # attempt 1 of 1, then the runner dies
        await jobs.age_lock(job_id, settings.job_lock_timeout_seconds + 5)

        assert await healthy.run_until_idle() == 1

        row = await jobs.get(job_id)
        assert row.status == "dead"
        assert row.attempts == 2
        assert row.last_error == "the runner of the last attempt stopped mid-job (lock expired)"
        assert await jobs.runs_of(job_id) == 0


class TestIOJobs:
    async def test_runs_outside_a_transaction_and_is_marked_done(
        self, database: Database, runner: JobRunner, jobs: Jobs
    ) -> None:
        job_id = await enqueue(database, IO_RECORD, note="io")

        assert await runner.run_until_idle() == 1

        row = await jobs.get(job_id)
        assert (row.status, row.attempts, row.last_error) == ("done", 1, None)
        assert await jobs.runs_of(job_id) == 1

    async def test_a_failure_retries_and_keeps_what_it_committed(
        self, database: Database, runner: JobRunner, jobs: Jobs
    ) -> None:
        job_id = await enqueue(database, IO_FAIL_AFTER_WRITE)

        await runner.run_until_idle()

        row = await jobs.get(job_id)
        assert row.status == "queued"
        assert row.last_error is not None
        assert "failed after its own commit" in row.last_error
        assert await jobs.runs_of(job_id) == 1
