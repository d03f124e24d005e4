"""Timer use cases: start and stop (seed 002, seed 000 task timers) and the active-timer
resource of seed 000 (read, create or change, discard).

A timer is a running entry of the ledger: every rule (references, one running timer per
user, what a change emits) lives in `time_entry.service`; this module adds what the
timer routes need on top: a task or a user named in the path, and PUT's create-or-change.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.errors import ValidationFailed
from clocktower.kit.time import in_zone_to_utc, utcnow
from clocktower.models import User
from clocktower.task import service as task_service
from clocktower.time_entry import service as entry_service
from clocktower.time_entry.errors import TimerAlreadyRunning
from clocktower.time_entry.repository import EntryView, ReferenceLookup, TimeEntryRepository
from clocktower.timer.errors import ActiveTimerNotFound
from clocktower.timer.schemas import ActiveTimerWrite, TaskTimerStart, TimerStart
from clocktower.user.errors import UserNotFound


async def start_timer(session: AsyncSession, auth: AuthContext, data: TimerStart) -> EntryView:
    """Seed 002 `POST /timer/start`: a timer names its project or its task."""
    if data.project_id is None and data.task_id is None:
        raise ValidationFailed.field("project_id", "project_id or task_id is required")
    return await entry_service.start_timer(
        session,
        auth,
        project_id=data.project_id,
        task_id=data.task_id,
        notes=data.notes,
        tags=data.tags,
        billable=data.billable,
        start_at=data.start_time,
    )


async def start_task_timer(
    session: AsyncSession, auth: AuthContext, task_id: int, data: TaskTimerStart
) -> EntryView:
    """Seed 000 `POST /tasks/{id}/start`: 404 unless the caller sees the task."""
    await task_service.get_task(session, auth, task_id)
    return await entry_service.start_timer(
        session,
        auth,
        task_id=task_id,
        notes=data.notes,
        tags=data.tags,
        billable=data.billable,
        start_at=data.start_time,
    )


async def stop_timer(
    session: AsyncSession,
    auth: AuthContext,
    *,
    task_id: int | None = None,
    end_time: datetime | None = None,
) -> EntryView:
    """Stops the caller's running timer (the one on `task_id` when given, 404 unless the
    caller sees that task). A timer records what happened, so it cannot end ahead of now."""
    if task_id is not None:
        await task_service.get_task(session, auth, task_id)
    if end_time is not None:
        end = in_zone_to_utc(end_time, auth.user.timezone)
        if end > utcnow() + entry_service.START_SKEW:
            raise ValidationFailed.field("end_time", "A timer cannot stop in the future")
    return await entry_service.stop_timer(session, auth, task_id=task_id, end_at=end_time)


# --- the active-timer resource (seed 000) -------------------------------------------


async def get_active_timer(session: AsyncSession, auth: AuthContext, user_id: int) -> EntryView:
    """Another member's timer needs time_entry.fetch.other; 404 for a user outside the
    organisation and when no timer runs."""
    if user_id != auth.user_id:
        auth.require("time_entry.fetch.other")
    await _member(session, auth, user_id)
    view = await entry_service.running_timer(session, auth, user_id)
    if view is None:
        raise ActiveTimerNotFound()
    return view


async def put_active_timer(
    session: AsyncSession, auth: AuthContext, user_id: int, data: ActiveTimerWrite
) -> tuple[EntryView, bool]:
    """Changes the user's running timer with the fields sent, or starts one when none
    runs. Returns the timer and whether it was started."""
    entry_service.require_writer_of(auth, user_id)
    user = await _member(session, auth, user_id)
    entries = TimeEntryRepository(session)
    running = await entries.running_for_update(auth.org_id, user.id)
    if running is None:
        try:
            # A savepoint of our own: a lost race must leave this transaction usable.
            async with session.begin_nested():
                return await _start_for(session, auth, user, data), True
        except TimerAlreadyRunning:
            # A concurrent PUT (or start) committed its timer first: change that one, as
            # this request would have had it arrived a moment later.
            running = await entries.running_for_update(auth.org_id, user.id)
            if running is None:
                raise
    changes = data.model_dump(exclude_unset=True)
    if changes:
        if changes.get("task_id") is not None and "project_id" not in changes:
            # As when starting: a task alone brings its project, here too when it moves
            # the timer to another project. An unknown task is left to the ledger (422).
            task = await ReferenceLookup(session).task(auth.org_id, changes["task_id"])
            if task is not None:
                changes["project_id"] = task.project_id
        await entry_service.apply_changes(session, auth, running, changes)
    return await entry_service.get_entry(session, auth, running.id), False


async def _start_for(
    session: AsyncSession, auth: AuthContext, user: User, data: ActiveTimerWrite
) -> EntryView:
    return await entry_service.start_timer(
        session,
        auth,
        user=user,
        project_id=data.project_id,
        task_id=data.task_id,
        notes=data.notes,
        tags=data.tags,
        billable=data.billable,
        start_at=data.start_time,
    )


async def delete_active_timer(session: AsyncSession, auth: AuthContext, user_id: int) -> None:
    """Discards the user's running timer: no entry is kept (time_entry.deleted is sent)."""
    entry_service.require_writer_of(auth, user_id)
    await _member(session, auth, user_id)
    running = await TimeEntryRepository(session).running_for_update(auth.org_id, user_id)
    if running is None:
        raise ActiveTimerNotFound()
    await entry_service.remove_entry(session, running)


async def _member(session: AsyncSession, auth: AuthContext, user_id: int) -> User:
    """A user of the caller's organisation: 404 for anyone else, known elsewhere or not."""
    if user_id == auth.user_id:
        return auth.user
    user = await ReferenceLookup(session).member(auth.org_id, user_id)
    if user is None:
        raise UserNotFound(user_id)
    return user
