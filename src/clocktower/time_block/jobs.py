"""time_block.sync: push a block to the organisation's calendar and invoicing targets."""

from __future__ import annotations

from typing import Any

from clocktower.time_block import service as block_service
from clocktower.worker import JobContext, job


@job(block_service.SYNC_JOB)
async def sync_time_block(context: JobContext, payload: dict[str, Any]) -> None:
    if context.organization_id is None:
        return
    await block_service.sync_entry(
        context.session,
        organization_id=context.organization_id,
        entry_id=int(payload["time_entry_id"]),
    )
