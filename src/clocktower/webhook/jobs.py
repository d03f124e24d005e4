"""Webhook jobs: fan an event out to its subscribers, deliver one attempt, and tell the
owners and admins about an endpoint that was disabled. Each is safe to run twice."""

from __future__ import annotations

from typing import Any

from clocktower.webhook import delivery, notices
from clocktower.webhook.events import FAN_OUT_JOB
from clocktower.worker import IOJobContext, JobContext, io_job, job


@job(FAN_OUT_JOB)
async def fan_out(context: JobContext, payload: dict[str, Any]) -> None:
    if context.organization_id is None:
        return
    await delivery.fan_out(
        context.session,
        context.organization_id,
        payload["event"],
        payload["occurred_at"],
        payload["data"],
    )


@io_job(delivery.DELIVER_JOB)
async def deliver(context: IOJobContext, payload: dict[str, Any]) -> None:
    if context.organization_id is None:
        return
    await delivery.attempt_delivery(
        context.database,
        context.settings,
        context.organization_id,
        int(payload["delivery_id"]),
        expected_attempts=int(payload["attempts"]),
        manual=bool(payload.get("manual", False)),
    )


@job(delivery.NOTIFY_DISABLED_JOB)
async def notify_disabled(context: JobContext, payload: dict[str, Any]) -> None:
    if context.organization_id is None:
        return
    await notices.notify_disabled(
        context.session, context.settings, context.organization_id, int(payload["endpoint_id"])
    )
