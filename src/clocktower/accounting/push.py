"""The push record and its job.

Approving a bill or finalising an invoice calls `queue_push` in the same transaction: it
writes (or re-arms) one `accounting_pushes` row for the object and queues the
`accounting.push` job. The Xero and Moneybird connectors (S7.4) take the job from there;
until an organisation connects one, the job marks the record `not_connected`, so the
record says exactly why nothing left.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.kit.time import utcnow
from clocktower.models import AccountingPush
from clocktower.worker import enqueue_job

PUSH_JOB = "accounting.push"
ObjectType = Literal["time_bill", "invoice"]


async def queue_push(
    session: AsyncSession, organization_id: int, object_type: ObjectType, object_id: int
) -> AccountingPush:
    """Record that the object should reach the accounting system, and queue the job."""
    now = utcnow()
    push = await _record(session, organization_id, object_type, object_id)
    if push is None:
        push = AccountingPush(
            organization_id=organization_id,
            object_type=object_type,
            object_id=object_id,
            status="pending",
            attempts=0,
            created_at=now,
            updated_at=now,
        )
        session.add(push)
    else:
        push.status = "pending"
        push.last_error = None
        push.updated_at = now
    await session.flush()
    await enqueue_job(
        session,
        PUSH_JOB,
        organization_id=organization_id,
        push_id=push.id,
        object_type=object_type,
        object_id=object_id,
    )
    return push


async def push_of(
    session: AsyncSession, organization_id: int, object_type: ObjectType, object_id: int
) -> AccountingPush | None:
    return await _record(session, organization_id, object_type, object_id)


async def _record(
    session: AsyncSession, organization_id: int, object_type: str, object_id: int
) -> AccountingPush | None:
    result = await session.execute(
        select(AccountingPush).where(
            AccountingPush.organization_id == organization_id,
            AccountingPush.object_type == object_type,
            AccountingPush.object_id == object_id,
        )
    )
    return result.scalar_one_or_none()
