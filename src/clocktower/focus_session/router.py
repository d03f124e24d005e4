"""Focus sessions over HTTP (seed 001 `/sessions`): work sessions are tracked time."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import authorized
from clocktower.db import DbSession
from clocktower.errors import Forbidden, InvalidReference, ValidationFailed, error_responses
from clocktower.focus_session import service as session_service
from clocktower.focus_session.errors import FocusSessionInternalOnly, FocusSessionNotFound
from clocktower.focus_session.schemas import (
    FocusSessionAnswer,
    FocusSessionDeleted,
    FocusSessionList,
    FocusSessionRead,
    FocusSessionSaved,
    FocusSessionWrite,
    SessionProjectRead,
    SessionTaskRead,
)
from clocktower.idempotency import Idempotent
from clocktower.kit.ids import MAX_ID, IdPath
from clocktower.kit.pagination import Pagination, PaginationRead
from clocktower.project.errors import ProjectNameTaken
from clocktower.routing import AppRoute
from clocktower.time_entry.errors import EntryLocked, ProjectInactive
from clocktower.time_entry.schemas import day_or_instant

router = APIRouter(prefix="/sessions", tags=["focus sessions"], route_class=AppRoute)

SessionsList = Annotated[AuthContext, authorized("time_entry.fetch.many")]
SessionsFetch = Annotated[AuthContext, authorized("time_entry.fetch")]
SessionsCreate = Annotated[AuthContext, authorized("time_entry.create")]
SessionsUpdate = Annotated[AuthContext, authorized("time_entry.update")]
SessionsDelete = Annotated[AuthContext, authorized("time_entry.delete")]

_WRITE_ERRORS = (
    InvalidReference,
    ProjectInactive,
    ProjectNameTaken,
    FocusSessionInternalOnly,
    Forbidden,
)
_DAY_OR_INSTANT = "A day (2024-01-15, your time zone) or an instant (2024-01-15T09:00:00Z): "


def _saved(
    message: str, saved: session_service.SavedSession, auth: AuthContext
) -> FocusSessionSaved:
    extra: dict[str, Any] = {}
    if saved.created_task is not None:
        extra["task"] = SessionTaskRead.of_task(saved.created_task)
    if saved.created_project is not None:
        extra["project"] = SessionProjectRead.of_project(saved.created_project)
    return FocusSessionSaved(
        message=message, session=FocusSessionRead.of_view(saved.view, auth), **extra
    )


@router.get(
    "",
    responses=error_responses(ValidationFailed, FocusSessionInternalOnly, Forbidden),
)
async def list_sessions(
    auth: SessionsList,
    session: DbSession,
    pagination: Pagination,
    start: Annotated[
        str | None,
        Query(max_length=40, description=_DAY_OR_INSTANT + "sessions starting then or later"),
    ] = None,
    end: Annotated[
        str | None,
        Query(
            max_length=40,
            description=_DAY_OR_INSTANT + "sessions starting before it; a day is included",
        ),
    ] = None,
    user_id: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="Another user's sessions need time_entry.fetch.other"),
    ] = None,
) -> FocusSessionList:
    """The caller's sessions and breaks, oldest first (seed 001)."""
    page = await session_service.list_sessions(
        session,
        auth,
        pagination,
        user_id=user_id,
        start=day_or_instant("start", start),
        end=day_or_instant("end", end),
    )
    return FocusSessionList(
        sessions=[FocusSessionRead.of_view(view, auth) for view in page.items],
        pagination=PaginationRead.of(page),
    )


@router.post(
    "",
    status_code=201,
    response_model_exclude_unset=True,
    responses=error_responses(*_WRITE_ERRORS),
)
async def create_session(
    data: FocusSessionWrite, auth: SessionsCreate, session: DbSession, _claim: Idempotent
) -> FocusSessionSaved:
    """A session or break; a work session is tracked time (a time entry, source focus).
    A task named by title is found among incomplete tasks or created, its project too.
    Idempotency-Key honoured."""
    saved = await session_service.create_session(session, auth, data)
    return _saved("Session created", saved, auth)


@router.get("/{session_id}", responses=error_responses(FocusSessionNotFound))
async def get_session(
    session_id: IdPath, auth: SessionsFetch, session: DbSession
) -> FocusSessionAnswer:
    view = await session_service.get_session(session, auth, session_id)
    return FocusSessionAnswer(session=FocusSessionRead.of_view(view, auth))


@router.put(
    "/{session_id}",
    response_model_exclude_unset=True,
    responses=error_responses(FocusSessionNotFound, EntryLocked, *_WRITE_ERRORS),
)
async def update_session(
    session_id: IdPath, data: FocusSessionWrite, auth: SessionsUpdate, session: DbSession
) -> FocusSessionSaved:
    """Seed 001's edit workflow: takes the values sent and marks the session edited. 409
    `entry_locked` when a change reaches a work session's entry whose time bill is
    approved or invoiced."""
    saved = await session_service.update_session(session, auth, session_id, data)
    return _saved("Session updated", saved, auth)


@router.delete(
    "/{session_id}",
    responses=error_responses(
        FocusSessionNotFound, FocusSessionInternalOnly, EntryLocked, Forbidden
    ),
)
async def delete_session(
    session_id: IdPath, auth: SessionsDelete, session: DbSession
) -> FocusSessionDeleted:
    """Deletes the session and, for a work session, its time entry (409 `entry_locked`
    when that entry's time bill is approved or invoiced)."""
    await session_service.delete_session(session, auth, session_id)
    return FocusSessionDeleted(message="Session deleted")
