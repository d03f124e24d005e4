"""webhook.fan_out: turn one event into a delivery per matching subscription.

Subscriptions, signing and the delivery log arrive with the webhooks issue (S6.5); until
an organisation can subscribe, an event has no one to go to and the job completes.
"""

from __future__ import annotations

from typing import Any

import structlog

from clocktower.webhook.events import FAN_OUT_JOB
from clocktower.worker import JobContext, job

log = structlog.get_logger("clocktower.webhook")


@job(FAN_OUT_JOB)
async def fan_out(context: JobContext, payload: dict[str, Any]) -> None:
    log.debug(
        "webhook event without subscriptions",
        webhook_event=payload.get("event"),
        organization_id=context.organization_id,
    )
