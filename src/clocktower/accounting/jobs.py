"""accounting.push: hand an approved bill or a finalised invoice to the organisation's
accounting connector. No connector exists yet (S7.4 brings Xero and Moneybird), so the
record is marked `not_connected` and the job completes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from clocktower.accounting.push import PUSH_JOB
from clocktower.kit.time import utcnow
from clocktower.models import AccountingPush
from clocktower.worker import JobContext, job


@job(PUSH_JOB)
async def push_to_accounting(context: JobContext, payload: dict[str, Any]) -> None:
    result = await context.session.execute(
        select(AccountingPush).where(
            AccountingPush.id == int(payload["push_id"]),
            AccountingPush.organization_id == context.organization_id,
        )
    )
    push = result.scalar_one_or_none()
    if push is None or push.status != "pending":
        return  # deleted with its organisation, or already handled by a newer job
    push.attempts += 1
    push.status = "not_connected"
    push.target = None
    push.updated_at = utcnow()
