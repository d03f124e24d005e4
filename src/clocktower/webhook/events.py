"""The webhook event catalogue, and `emit`: one `webhook.fan_out` job per event.

`emit_many` queues the events of a set-based write (bulk actions, imports) with one
INSERT, not one statement per changed entry.

The job is written in the transaction of the change that causes it, so an event exists
exactly when its change committed. Delivering it to subscriptions (signing, retries,
the delivery log) is the work of the `webhook.fan_out` handler in `webhook.jobs`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.kit.time import utcnow
from clocktower.models import Job
from clocktower.worker import enqueue_job
from clocktower.worker.queue import DEFAULT_MAX_ATTEMPTS

FAN_OUT_JOB = "webhook.fan_out"

EVENTS: dict[str, str] = {
    "time_entry.created": "A time entry was created (manually, by import or a timer start)",
    "time_entry.updated": "A time entry changed",
    "time_entry.deleted": "A time entry was deleted",
    "timer.started": "A timer started",
    "timer.stopped": "A running timer stopped",
    "project.status_changed": "A project moved to another status",
    "task.completed": "A task moved to done",
    "bill.approved": "A time bill was approved",
    "invoice.issued": "An invoice was issued",
}
# The ping of `POST /webhooks/{id}/test`: sent to one endpoint on request, never subscribed.
TEST_EVENT = "webhook.test"


async def emit(
    session: AsyncSession, organization_id: int, event: str, data: dict[str, Any]
) -> None:
    """Queue `event` with its JSON-ready `data` for every subscription of the organisation."""
    _check(event)
    await enqueue_job(
        session,
        FAN_OUT_JOB,
        organization_id=organization_id,
        event=event,
        occurred_at=utcnow().isoformat(),
        data=data,
    )


async def emit_many(
    session: AsyncSession, organization_id: int, event: str, items: Sequence[dict[str, Any]]
) -> None:
    """Queue one `event` per item of `items` (JSON-ready data), written in one statement."""
    _check(event)
    if not items:
        return
    now = utcnow()
    await queue_jobs(
        session,
        FAN_OUT_JOB,
        organization_id,
        [{"event": event, "occurred_at": now.isoformat(), "data": data} for data in items],
        run_at=now,
    )


async def queue_jobs(
    session: AsyncSession,
    kind: str,
    organization_id: int,
    payloads: Sequence[dict[str, Any]],
    *,
    run_at: datetime | None = None,
) -> None:
    """One `kind` job per payload, written with one INSERT."""
    if not payloads:
        return
    now = utcnow()
    await session.execute(
        insert(Job),
        [
            {
                "kind": kind,
                "organization_id": organization_id,
                "payload": payload,
                "status": "queued",
                "attempts": 0,
                "max_attempts": DEFAULT_MAX_ATTEMPTS,
                "run_at": run_at or now,
                "created_at": now,
            }
            for payload in payloads
        ],
    )


def _check(event: str) -> None:
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
