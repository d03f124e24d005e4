"""Time entries over HTTP (seed 002 `/time-entries`, seed 000 filters and notes)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import authorized
from clocktower.db import DbSession
from clocktower.errors import Forbidden, InvalidReference, ValidationFailed, error_responses
from clocktower.idempotency import Idempotent
from clocktower.kit.cache import AppCache
from clocktower.kit.ids import MAX_ID, IdPath
from clocktower.kit.pagination import Pagination, PaginationRead
from clocktower.routing import AppRoute
from clocktower.time_entry import service as entry_service
from clocktower.time_entry.errors import (
    EntryLocked,
    ProjectInactive,
    TimeEntryNotFound,
    TimerAlreadyRunning,
)
from clocktower.time_entry.filters import EntryFilters
from clocktower.time_entry.schemas import (
    NotesUpdate,
    TimeEntryAnswer,
    TimeEntryCreate,
    TimeEntryCreated,
    TimeEntryDeleted,
    TimeEntryList,
    TimeEntryRead,
    TimeEntryUpdate,
    TimeEntryUpdated,
)

router = APIRouter(prefix="/time-entries", tags=["time entries"], route_class=AppRoute)

EntriesList = Annotated[AuthContext, authorized("time_entry.fetch.many")]
EntriesFetch = Annotated[AuthContext, authorized("time_entry.fetch")]
EntriesCreate = Annotated[AuthContext, authorized("time_entry.create")]
EntriesUpdate = Annotated[AuthContext, authorized("time_entry.update")]
EntriesDelete = Annotated[AuthContext, authorized("time_entry.delete")]

OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
_WRITE_ERRORS = (InvalidReference, ProjectInactive, TimerAlreadyRunning, Forbidden)
# Changing or deleting an entry whose time bill is approved or invoiced (S4.2).
_CHANGE_ERRORS = (TimeEntryNotFound, EntryLocked, *_WRITE_ERRORS)


@router.get("", response_model_exclude_unset=True, responses=error_responses(ValidationFailed))
async def list_time_entries(
    auth: EntriesList,
    session: DbSession,
    pagination: Pagination,
    query: EntryFilters,
    cache: AppCache,
    enrich: Annotated[
        bool, Query(description="Embed user, project, task and client (seed 000)")
    ] = False,
) -> TimeEntryList:
    """Newest first. Members without time_entry.fetch.other see their own entries only."""
    page = await entry_service.list_entries(
        session, auth, pagination, query, enrich=enrich, totals=cache
    )
    return TimeEntryList(
        time_entries=[TimeEntryRead.of_view(view, auth) for view in page.items],
        pagination=PaginationRead.of(page),
    )


@router.post("", status_code=201, responses=error_responses(*_WRITE_ERRORS))
async def create_time_entry(
    data: TimeEntryCreate, auth: EntriesCreate, session: DbSession, _claim: Idempotent
) -> TimeEntryCreated:
    """Without end_time (seed 002) the entry is a running timer. Idempotency-Key honoured."""
    view = await entry_service.create_entry(session, auth, data)
    message = "Timer started" if view.entry.end_at is None else "Time entry created"
    return TimeEntryCreated(message=message, time_entry=TimeEntryRead.of_view(view, auth))


@router.get("/{entry_id}", responses=error_responses(TimeEntryNotFound))
async def get_time_entry(
    entry_id: IdPath, auth: EntriesFetch, session: DbSession
) -> TimeEntryAnswer:
    """With its user, project, task and client embedded."""
    view = await entry_service.get_entry(session, auth, entry_id)
    return TimeEntryAnswer(time_entry=TimeEntryRead.of_view(view, auth))


async def _update(
    entry_id: int, data: TimeEntryUpdate, auth: AuthContext, session: DbSession
) -> TimeEntryUpdated:
    view = await entry_service.update_entry(session, auth, entry_id, data)
    return TimeEntryUpdated(
        message="Time entry updated", time_entry=TimeEntryRead.of_view(view, auth)
    )


@router.put("/{entry_id}", responses=error_responses(*_CHANGE_ERRORS))
async def update_time_entry(
    entry_id: IdPath, data: TimeEntryUpdate, auth: EntriesUpdate, session: DbSession
) -> TimeEntryUpdated:
    """Changes the fields sent; end_time on a running entry stops it. 409 `entry_locked`
    when the entry's time bill is approved or invoiced."""
    return await _update(entry_id, data, auth, session)


@router.patch("/{entry_id}", responses=error_responses(*_CHANGE_ERRORS))
async def patch_time_entry(
    entry_id: IdPath, data: TimeEntryUpdate, auth: EntriesUpdate, session: DbSession
) -> TimeEntryUpdated:
    """Seed 000 PATCH (start, end, duration): the same partial update as PUT."""
    return await _update(entry_id, data, auth, session)


@router.post(
    "/{entry_id}/notes", responses=error_responses(TimeEntryNotFound, EntryLocked, Forbidden)
)
async def update_time_entry_notes(
    entry_id: IdPath, data: NotesUpdate, auth: EntriesUpdate, session: DbSession
) -> TimeEntryUpdated:
    """Seed 000: replace the notes of an entry."""
    view = await entry_service.set_notes(session, auth, entry_id, data.notes)
    return TimeEntryUpdated(message="Notes updated", time_entry=TimeEntryRead.of_view(view, auth))


@router.delete("/{entry_id}", responses=error_responses(TimeEntryNotFound, EntryLocked, Forbidden))
async def delete_time_entry(
    entry_id: IdPath, auth: EntriesDelete, session: DbSession
) -> TimeEntryDeleted:
    """Deletes the entry; a running one is discarded. 409 `entry_locked` when its time
    bill is approved or invoiced."""
    await entry_service.delete_entry(session, auth, entry_id)
    return TimeEntryDeleted(message="Time entry deleted")
