"""Job kinds the worker tests run; worker subprocesses import this module through
CLOCKTOWER_EXTRA_JOB_MODULES=tests.worker.jobs_for_tests."""

from __future__ import annotations

from typing import Any

from clocktower.audit.recorder import record_event
from clocktower.worker import IOJobContext, JobContext, io_job, job

RECORD = "tests.record"
RECORD_THEN_FAIL = "tests.record_then_fail"
IO_RECORD = "tests.io_record"
IO_FAIL_AFTER_WRITE = "tests.io_fail_after_write"
RAN_ACTION = "test.job_ran"


@job(RECORD)
async def record(context: JobContext, payload: dict[str, Any]) -> None:
    """Leaves one audit row per execution, so tests can count how often a job ran."""
    await record_event(
        context.session,
        RAN_ACTION,
        organization_id=None,
        object_id=context.job_id,
        details={"attempt": context.attempt, **payload},
    )


@job(RECORD_THEN_FAIL)
async def record_then_fail(context: JobContext, payload: dict[str, Any]) -> None:
    """Writes, then fails: the write must vanish with the failed attempt."""
    await record_event(context.session, RAN_ACTION, organization_id=None, object_id=context.job_id)
    await context.session.flush()
    raise RuntimeError(f"attempt {context.attempt} failed on purpose")


@io_job(IO_RECORD)
async def io_record(context: IOJobContext, payload: dict[str, Any]) -> None:
    """Runs outside a transaction and opens its own, like a webhook attempt."""
    async with context.database.transaction() as session:
        await record_event(
            session, RAN_ACTION, organization_id=None, object_id=context.job_id, details=payload
        )


@io_job(IO_FAIL_AFTER_WRITE)
async def io_fail_after_write(context: IOJobContext, payload: dict[str, Any]) -> None:
    """Its own transaction commits; then it fails: the write stays, the job is retried."""
    async with context.database.transaction() as session:
        await record_event(session, RAN_ACTION, organization_id=None, object_id=context.job_id)
    raise RuntimeError(f"attempt {context.attempt} failed after its own commit")
