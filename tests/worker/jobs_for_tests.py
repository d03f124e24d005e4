"""Job kinds the worker tests run; worker subprocesses import this module through
CLOCKTOWER_EXTRA_JOB_MODULES=tests.worker.jobs_for_tests."""

from __future__ import annotations

from typing import Any

from clocktower.audit.recorder import record_event
from clocktower.worker import JobContext, job

RECORD = "tests.record"
RECORD_THEN_FAIL = "tests.record_then_fail"
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
