"""The webhook event catalogue, and `emit`: one `webhook.fan_out` job per event.

The job is written in the transaction of the change that causes it, so an event exists
exactly when its change committed. Delivering it to subscriptions (signing, retries,
the delivery log) is the work of the `webhook.fan_out` handler in `webhook.jobs`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.kit.time import utcnow
from clocktower.worker import enqueue_job

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


async def emit(
    session: AsyncSession, organization_id: int, event: str, data: dict[str, Any]
) -> None:
    """Queue `event` with its JSON-ready `data` for every subscription of the organisation."""
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    await enqueue_job(
        session,
        FAN_OUT_JOB,
        organization_id=organization_id,
        event=event,
        occurred_at=utcnow().isoformat(),
        data=data,
    )
