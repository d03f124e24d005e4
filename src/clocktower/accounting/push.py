"""The push record and its job.

Approving a bill or finalising an invoice calls `queue_push` in the same transaction: it
writes (or re-arms) one `accounting_pushes` row for the object and queues the
`accounting.push` job. The Xero and Moneybird connectors (S7.4) take the job from there;
until an organisation connects one, the job marks the record `not_connected`, so the
record says exactly why nothing left.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.kit.time import utcnow
from clocktower.models import AccountingPush, Job
from clocktower.worker.queue import DEFAULT_MAX_ATTEMPTS

PUSH_JOB = "accounting.push"
ObjectType = Literal["time_bill", "invoice"]


async def queue_push(
    session: AsyncSession, organization_id: int, object_type: ObjectType, object_id: int
) -> AccountingPush:
    """Record that the object should reach the accounting system, and queue the job."""
    (push,) = await queue_pushes(session, organization_id, object_type, [object_id])
    return push


async def queue_pushes(
    session: AsyncSession, organization_id: int, object_type: ObjectType, object_ids: Sequence[int]
) -> list[AccountingPush]:
    """`queue_push` for many objects in a fixed number of statements: existing records
    are re-armed (pending, error cleared), missing ones inserted, one job each."""
    ids = sorted(set(object_ids))
    if not ids:
        return []
    now = utcnow()
    of_objects = (
        AccountingPush.organization_id == organization_id,
        AccountingPush.object_type == object_type,
        AccountingPush.object_id.in_(ids),
    )
    await session.execute(
        update(AccountingPush)
        .where(*of_objects)
        .values(status="pending", last_error=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    existing = set(
        (await session.execute(select(AccountingPush.object_id).where(*of_objects))).scalars()
    )
    missing = [object_id for object_id in ids if object_id not in existing]
    if missing:
        await session.execute(
            insert(AccountingPush),
            [
                {
                    "organization_id": organization_id,
                    "object_type": object_type,
                    "object_id": object_id,
                    "status": "pending",
                    "attempts": 0,
                    "created_at": now,
                    "updated_at": now,
                }
                for object_id in missing
            ],
        )
    pushes = list(
        (
            await session.execute(
                select(AccountingPush)
                .where(*of_objects)
                .order_by(AccountingPush.object_id)
                .execution_options(populate_existing=True)
            )
        ).scalars()
    )
    await session.execute(
        insert(Job),
        [
            {
                "kind": PUSH_JOB,
                "organization_id": organization_id,
                "payload": {
                    "push_id": push.id,
                    "object_type": object_type,
                    "object_id": push.object_id,
                },
                "status": "queued",
                "attempts": 0,
                "max_attempts": DEFAULT_MAX_ATTEMPTS,
                "run_at": now,
                "created_at": now,
            }
            for push in pushes
        ],
    )
    return pushes


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
