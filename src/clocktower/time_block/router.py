"""Time blocks over HTTP (seed 003 `/time-blocks`): tracked time as a calendar sees it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import authorized
from clocktower.db import DbSession
from clocktower.errors import InvalidReference, ValidationFailed, error_responses
from clocktower.idempotency import Idempotent
from clocktower.kit.ids import MAX_ID, IdPath, IdQuery
from clocktower.routing import AppRoute
from clocktower.time_block import service as block_service
from clocktower.time_block.errors import TimeBlockNotFound, TooManyTimeBlocks
from clocktower.time_block.schemas import (
    SyncInitiated,
    SyncStatusRead,
    TimeBlockAnswer,
    TimeBlockCreate,
    TimeBlockDeleted,
    TimeBlockList,
    TimeBlockMeta,
    TimeBlockRead,
    TimeBlockSummary,
    TimeBlockUpdate,
    TimeBlockWritten,
)
from clocktower.time_entry.errors import EntryLocked, ProjectInactive
from clocktower.time_entry.schemas import day_or_instant

router = APIRouter(prefix="/time-blocks", tags=["time blocks"], route_class=AppRoute)

BlocksList = Annotated[AuthContext, authorized("time_entry.fetch.many")]
BlocksFetch = Annotated[AuthContext, authorized("time_entry.fetch")]
BlocksCreate = Annotated[AuthContext, authorized("time_entry.create")]
BlocksUpdate = Annotated[AuthContext, authorized("time_entry.update")]
BlocksDelete = Annotated[AuthContext, authorized("time_entry.delete")]

_WRITE_ERRORS = (InvalidReference, ProjectInactive)
_RANGE = "A day (2024-01-08, your time zone) or an instant (2024-01-08T09:00:00+01:00); "


def _required(field: str, text: str) -> date | datetime:
    value = day_or_instant(field, text)
    if value is None:
        raise ValidationFailed.field(field, f"{field} is required")
    return value


@router.get("", responses=error_responses(TooManyTimeBlocks))
async def list_time_blocks(
    auth: BlocksList,
    session: DbSession,
    start: Annotated[
        str, Query(min_length=1, max_length=40, description=_RANGE + "the range starts then")
    ],
    end: Annotated[
        str,
        Query(
            min_length=1,
            max_length=40,
            description=_RANGE + "a day includes that whole day; at most 366 days after start",
        ),
    ],
    user_id: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="Another user's blocks need time_entry.fetch.other"),
    ] = None,
    client_id: IdQuery = None,
    project_id: IdQuery = None,
    calendar_id: IdQuery = None,
) -> TimeBlockList:
    """Every entry overlapping the range (running timers too, with end_time null), earliest
    first, and `meta`: the range's total and billable hours and hours per day of your time
    zone. Members without time_entry.fetch.other see their own blocks only."""
    query = block_service.BlockQuery(
        start=_required("start", start),
        end=_required("end", end),
        user_id=user_id,
        client_id=client_id,
        project_id=project_id,
        calendar_id=calendar_id,
    )
    listing = await block_service.list_blocks(session, auth, query)
    return TimeBlockList(
        data=[TimeBlockRead.of_row(row, auth) for row in listing.blocks],
        meta=TimeBlockMeta(
            total_hours=listing.meta.total_hours,
            billable_hours=listing.meta.billable_hours,
            by_day=listing.meta.by_day,
        ),
    )


@router.post("", status_code=201, responses=error_responses(*_WRITE_ERRORS))
async def create_time_block(
    data: TimeBlockCreate, auth: BlocksCreate, session: DbSession, _claim: Idempotent
) -> TimeBlockWritten:
    """Creates the block as a time entry of yours and queues its sync (both targets
    pending). Idempotency-Key honoured."""
    row = await block_service.create_block(session, auth, data)
    return TimeBlockWritten(
        data=TimeBlockSummary.of_row(row, auth),
        message="Time block created. Syncing to integrations...",
    )


@router.get("/{block_id}", responses=error_responses(TimeBlockNotFound))
async def get_time_block(
    block_id: IdPath, auth: BlocksFetch, session: DbSession
) -> TimeBlockAnswer:
    row = await block_service.get_block(session, auth, block_id)
    return TimeBlockAnswer(data=TimeBlockRead.of_row(row, auth))


@router.put(
    "/{block_id}", responses=error_responses(TimeBlockNotFound, EntryLocked, *_WRITE_ERRORS)
)
async def update_time_block(
    block_id: IdPath, data: TimeBlockUpdate, auth: BlocksUpdate, session: DbSession
) -> TimeBlockWritten:
    """Changes the fields sent and queues a new sync (both targets pending). 409
    `entry_locked` when the block's time bill is approved or invoiced."""
    row = await block_service.update_block(session, auth, block_id, data)
    return TimeBlockWritten(
        data=TimeBlockSummary.of_row(row, auth),
        message="Time block updated. Syncing to integrations...",
    )


@router.delete("/{block_id}", responses=error_responses(TimeBlockNotFound, EntryLocked))
async def delete_time_block(
    block_id: IdPath, auth: BlocksDelete, session: DbSession
) -> TimeBlockDeleted:
    """Deletes the block's time entry; 409 `entry_locked` when its bill is approved or
    invoiced."""
    await block_service.delete_block(session, auth, block_id)
    return TimeBlockDeleted(message="Time block deleted")


@router.post("/{block_id}/sync", responses=error_responses(TimeBlockNotFound))
async def sync_time_block(
    block_id: IdPath, auth: BlocksUpdate, session: DbSession
) -> SyncInitiated:
    """Force re-sync: both targets to `syncing`, the sync job queued."""
    status = await block_service.sync_block(session, auth, block_id)
    return SyncInitiated(
        message="Sync initiated",
        sync_status=SyncStatusRead(calendar=status["calendar"], invoicing=status["invoicing"]),
    )
