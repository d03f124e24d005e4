"""Timers over HTTP: seed 002 `/timer/*`, seed 000 `/tasks/{id}/start|stop` and the seed
000 active-timer resource `/active-timers/{user_id}`.

No prefix: the routes live under three roots. A timer is a running time entry; answers
carry it as the time entry (enriched with user, project, task and client).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Response

from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import authorized
from clocktower.db import DbSession
from clocktower.errors import InvalidReference, error_responses
from clocktower.idempotency import Idempotent
from clocktower.kit.ids import IdPath
from clocktower.routing import AppRoute
from clocktower.task.errors import TaskNotFound
from clocktower.time_entry import service as entry_service
from clocktower.time_entry.errors import NoActiveTimer, ProjectInactive, TimerAlreadyRunning
from clocktower.time_entry.schemas import TimeEntryRead
from clocktower.timer import service as timer_service
from clocktower.timer.errors import ActiveTimerNotFound
from clocktower.timer.schemas import (
    ActiveTimerAnswer,
    ActiveTimerDeleted,
    ActiveTimerSaved,
    ActiveTimerWrite,
    TaskTimerStart,
    TimerStart,
    TimerStarted,
    TimerStatus,
    TimerStop,
    TimerStopped,
)
from clocktower.user.errors import UserNotFound

router = APIRouter(tags=["timer"], route_class=AppRoute)

TimerFetch = Annotated[AuthContext, authorized("time_entry.fetch")]
TimerCreate = Annotated[AuthContext, authorized("time_entry.create")]
TimerUpdate = Annotated[AuthContext, authorized("time_entry.update")]
TimerDelete = Annotated[AuthContext, authorized("time_entry.delete")]

_START_ERRORS = (InvalidReference, ProjectInactive, TimerAlreadyRunning)


@router.get("/timer/status")
async def get_timer_status(auth: TimerFetch, session: DbSession) -> TimerStatus:
    """The caller's running timer (the latest when the organisation allows several)."""
    view = await entry_service.running_timer(session, auth)
    if view is None:
        return TimerStatus(active=False, timer=None)
    return TimerStatus(active=True, timer=TimeEntryRead.of_view(view, auth))


@router.post("/timer/start", status_code=201, responses=error_responses(*_START_ERRORS))
async def start_timer(
    data: TimerStart, auth: TimerCreate, session: DbSession, _claim: Idempotent
) -> TimerStarted:
    """409 `timer_already_running` while one runs and `single_active_timer` is on; 400
    for an inactive project. Idempotency-Key honoured."""
    view = await timer_service.start_timer(session, auth, data)
    return TimerStarted(message="Timer started", timer=TimeEntryRead.of_view(view, auth))


@router.post("/timer/stop", responses=error_responses(NoActiveTimer))
async def stop_timer(
    auth: TimerUpdate,
    session: DbSession,
    data: Annotated[TimerStop | None, Body()] = None,
) -> TimerStopped:
    """Stops the caller's running timer, even one that ran past 24 hours."""
    view = await timer_service.stop_timer(
        session, auth, end_time=data.end_time if data is not None else None
    )
    return TimerStopped(message="Timer stopped", timer=TimeEntryRead.of_view(view, auth))


@router.post(
    "/tasks/{task_id}/start",
    status_code=201,
    responses=error_responses(TaskNotFound, *_START_ERRORS),
)
async def start_task_timer(
    task_id: IdPath,
    auth: TimerCreate,
    session: DbSession,
    _claim: Idempotent,
    data: Annotated[TaskTimerStart | None, Body()] = None,
) -> TimerStarted:
    """Seed 000: starts the caller's timer on the task (and its project)."""
    view = await timer_service.start_task_timer(session, auth, task_id, data or TaskTimerStart())
    return TimerStarted(message="Timer started", timer=TimeEntryRead.of_view(view, auth))


@router.post("/tasks/{task_id}/stop", responses=error_responses(TaskNotFound, NoActiveTimer))
async def stop_task_timer(
    task_id: IdPath,
    auth: TimerUpdate,
    session: DbSession,
    data: Annotated[TimerStop | None, Body()] = None,
) -> TimerStopped:
    """Seed 000: stops the caller's running timer on this task (409 when none runs on it)."""
    view = await timer_service.stop_timer(
        session, auth, task_id=task_id, end_time=data.end_time if data is not None else None
    )
    return TimerStopped(message="Timer stopped", timer=TimeEntryRead.of_view(view, auth))


@router.get(
    "/active-timers/{user_id}",
    responses=error_responses(UserNotFound, ActiveTimerNotFound),
)
async def get_active_timer(
    user_id: IdPath, auth: TimerFetch, session: DbSession
) -> ActiveTimerAnswer:
    """Seed 000: the user's running timer; another member's needs time_entry.fetch.other."""
    view = await timer_service.get_active_timer(session, auth, user_id)
    return ActiveTimerAnswer(active_timer=TimeEntryRead.of_view(view, auth))


@router.put(
    "/active-timers/{user_id}",
    responses={
        201: {"model": ActiveTimerSaved, "description": "No timer ran: one was started"},
        **error_responses(UserNotFound, *_START_ERRORS),
    },
)
async def put_active_timer(
    user_id: IdPath,
    data: ActiveTimerWrite,
    auth: TimerCreate,
    session: DbSession,
    response: Response,
) -> ActiveTimerSaved:
    """Seed 000 create-or-update: changes the running timer with the fields sent (200), or
    starts one (201). Another member's needs time_entry.update.other."""
    view, started = await timer_service.put_active_timer(session, auth, user_id, data)
    response.status_code = 201 if started else 200
    message = "Active timer started" if started else "Active timer updated"
    return ActiveTimerSaved(message=message, active_timer=TimeEntryRead.of_view(view, auth))


@router.delete(
    "/active-timers/{user_id}",
    responses=error_responses(UserNotFound, ActiveTimerNotFound),
)
async def delete_active_timer(
    user_id: IdPath, auth: TimerDelete, session: DbSession
) -> ActiveTimerDeleted:
    """Seed 000: discards the running timer (no entry is kept). Another member's needs
    time_entry.update.other."""
    await timer_service.delete_active_timer(session, auth, user_id)
    return ActiveTimerDeleted(message="Active timer deleted")
