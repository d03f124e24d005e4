"""Focus session use cases (S3.3, seed 001): list, read, create, edit, delete.

A work session (`type: "session"`) is tracked time: it owns one time entry (source
`focus`) written through the ledger's rules, so every report counts it once. Breaks own
none. The entry is the truth for the start, duration, note and task of its session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.errors import InvalidReference, ValidationFailed
from clocktower.focus_session.errors import FocusSessionInternalOnly, FocusSessionNotFound
from clocktower.focus_session.repository import FocusSessionRepository, SessionFilters, SessionView
from clocktower.focus_session.schemas import (
    WORK,
    FocusSessionWrite,
    SessionProjectRef,
    SessionTaskRef,
)
from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.time import day_bounds, in_zone_to_utc
from clocktower.models import FocusSession, Project, Task, TimeEntry, User
from clocktower.project import service as project_service
from clocktower.setting.service import organization_settings
from clocktower.task import service as task_service
from clocktower.task.schemas import DONE, TaskUpdate
from clocktower.time_entry import service as ledger
from clocktower.time_entry.repository import ReferenceLookup

FOCUS_SOURCE = "focus"
REOPENED = "todo"


@dataclass(frozen=True)
class SavedSession:
    """A written session, and the task and project the request created (if any)."""

    view: SessionView
    created_task: Task | None = None
    created_project: Project | None = None


@dataclass(frozen=True)
class _TaskChoice:
    task: Task | None
    created_task: Task | None = None
    created_project: Project | None = None


# --- reading ------------------------------------------------------------------------


async def list_sessions(
    session: AsyncSession,
    auth: AuthContext,
    pagination: PageParams,
    *,
    user_id: int | None = None,
    start: date | datetime | None = None,
    end: date | datetime | None = None,
) -> Page[SessionView]:
    """The caller's sessions (another user's with time_entry.fetch.other) starting at or
    after `start` and before `end`. A day is read in the caller's zone; a day as `end`
    includes that whole day."""
    who = user_id or auth.user_id
    if who != auth.user_id:
        _require_reader_of_others(auth)
    zone = auth.user.timezone
    start_from = _instant(start, zone, day_end=False)
    start_before = _instant(end, zone, day_end=True)
    if start_from is not None and start_before is not None and start_before <= start_from:
        raise ValidationFailed.field("end", "end must be after start")
    filters = SessionFilters(user_id=who, start_from=start_from, start_before=start_before)
    return await FocusSessionRepository(session).page(auth.org_id, filters, pagination)


async def get_session(session: AsyncSession, auth: AuthContext, session_id: int) -> SessionView:
    """Members read their own sessions; readers of others' time read everyone's."""
    only_user = None if _reads_others(auth) else auth.user_id
    view = await FocusSessionRepository(session).view(auth.org_id, session_id, user_id=only_user)
    if view is None:
        raise FocusSessionNotFound()
    return view


# --- writing ------------------------------------------------------------------------


async def create_session(
    session: AsyncSession, auth: AuthContext, data: FocusSessionWrite
) -> SavedSession:
    _require_internal(auth)
    choice = await _choose_task(session, auth, data.task, data.project)
    fields = data.session
    start = in_zone_to_utc(fields.start_timestamp, auth.user.timezone)
    await _check_duration(session, auth, start, fields.duration)
    note = fields.note or None
    entry: TimeEntry | None = None
    if fields.type == WORK:
        entry = await _add_entry(
            session, auth, auth.user, choice.task, start, fields.duration, note
        )
    focus = FocusSession(
        organization_id=auth.org_id,
        user_id=auth.user_id,
        task_id=choice.task.id if choice.task else None,
        type=fields.type,
        start_at=start,
        duration_seconds=fields.duration,
        note=note,
        edited=False,
        retro_added=fields.retro_added,
        time_entry_id=entry.id if entry else None,
    )
    session.add(focus)
    await session.flush()
    return SavedSession(SessionView(focus, entry), choice.created_task, choice.created_project)


async def update_session(
    session: AsyncSession, auth: AuthContext, session_id: int, data: FocusSessionWrite
) -> SavedSession:
    """Seed 001's edit workflow: the session takes the values sent and is marked edited.
    Changing the type to a break removes its entry; a break becoming a session gets one."""
    view = await _writable(session, auth, session_id)
    focus, entry = view.focus, view.entry
    if "task" in data.model_fields_set:
        choice = await _choose_task(session, auth, data.task, data.project)
    else:
        if data.project is not None:
            raise _project_without_task()
        choice = _TaskChoice(await _current_task(session, auth, view))
    task = choice.task
    fields = data.session
    sent = fields.model_fields_set
    start = in_zone_to_utc(fields.start_timestamp, auth.user.timezone)
    await _check_duration(session, auth, start, fields.duration)
    note = (fields.note or None) if "note" in sent else view.note
    if fields.type == WORK and entry is None:
        # The time is the session owner's, whoever edits it.
        owner = await ledger.target_user(session, auth, focus.user_id)
        entry = await _add_entry(session, auth, owner, task, start, fields.duration, note)
    elif fields.type == WORK and entry is not None:
        await _change_entry(session, auth, entry, task, start, fields.duration, note)
    elif entry is not None:
        # Unlink first: the entry's deletion cascades to the session that points at it.
        focus.time_entry_id = None
        await session.flush()
        await ledger.remove_entry(session, entry)
        entry = None
    focus.task_id = task.id if task else None
    focus.type = fields.type
    focus.start_at = start
    focus.duration_seconds = fields.duration
    focus.note = note
    focus.edited = True
    if "retro_added" in sent:
        focus.retro_added = fields.retro_added
    focus.time_entry_id = entry.id if entry else None
    await session.flush()
    return SavedSession(SessionView(focus, entry), choice.created_task, choice.created_project)


async def delete_session(session: AsyncSession, auth: AuthContext, session_id: int) -> None:
    """Deletes the session and, for a work session, its tracked time."""
    view = await _writable(session, auth, session_id)
    await session.delete(view.focus)
    await session.flush()
    if view.entry is not None:
        await ledger.remove_entry(session, view.entry)


# --- tasks and projects -------------------------------------------------------------


async def _choose_task(
    session: AsyncSession,
    auth: AuthContext,
    ref: SessionTaskRef | None,
    project_ref: SessionProjectRef | None,
) -> _TaskChoice:
    """The task a body names: an existing one by id, or found or created by title (in
    task.project_id, the project named by `project`, or the caller's default project)."""
    if ref is None:
        if project_ref is not None:
            raise _project_without_task()
        return _TaskChoice(None)
    lookup = ReferenceLookup(session)
    created_task: Task | None = None
    created_project: Project | None = None
    if ref.id is not None:
        task = await lookup.task(auth.org_id, ref.id)
        if task is None:
            raise InvalidReference("task.id", "Task not found")
        if ref.project_id is not None and ref.project_id != task.project_id:
            raise ValidationFailed.field("task.project_id", "The task belongs to another project")
        if project_ref is not None:
            project = await lookup.project(auth.org_id, task.project_id)
            if project is None or project.name.lower() != project_ref.title.lower():
                raise ValidationFailed.field("project.title", "The task belongs to another project")
    else:
        assert ref.title is not None
        project_id = ref.project_id
        if project_ref is not None:
            if project_id is not None:
                raise ValidationFailed.field("project", "Send task.project_id or project, not both")
            project, project_created = await project_service.find_or_create_project(
                session, auth, title=project_ref.title
            )
            if project_created:
                # Checked after the fact: the request's transaction undoes the creation.
                auth.require("project.create")
                created_project = project
            project_id = project.id
        found, task_created = await task_service.find_or_create_task(
            session, auth, title=ref.title, project_id=project_id
        )
        task = found.task
        if task_created:
            auth.require("task.create")
            created_task = task
    if ref.is_completed is not None and ref.is_completed != (task.status == DONE):
        auth.require("task.update")
        status = DONE if ref.is_completed else REOPENED
        task = (
            await task_service.update_task(session, auth, task.id, TaskUpdate(status=status))
        ).task
        if created_task is not None:
            created_task = task
    return _TaskChoice(task, created_task, created_project)


async def _current_task(session: AsyncSession, auth: AuthContext, view: SessionView) -> Task | None:
    if view.task_id is None:
        return None
    return await ReferenceLookup(session).task(auth.org_id, view.task_id)


def _project_without_task() -> ValidationFailed:
    return ValidationFailed.field(
        "project", "project is the project of a task named by title: send task.title with it"
    )


# --- the ledger ---------------------------------------------------------------------


async def _check_duration(
    session: AsyncSession, auth: AuthContext, start: datetime, seconds: int
) -> None:
    """The ledger's span rule (under 24 h unless allowed), for breaks too, named as the
    body names it."""
    settings = await organization_settings(session, auth.org_id)
    try:
        ledger.check_span(start, start + timedelta(seconds=seconds), settings)
    except ValidationFailed as error:
        raise ValidationFailed.field("session.duration", error.message) from None


async def _add_entry(
    session: AsyncSession,
    auth: AuthContext,
    owner: User,
    task: Task | None,
    start: datetime,
    seconds: int,
    note: str | None,
) -> TimeEntry:
    references = await ledger.resolve_references(
        session, auth, project_id=None, task_id=task.id if task else None, client_id=None
    )
    return await ledger.add_entry(
        session,
        auth,
        ledger.NewEntry(
            user=owner,
            references=references,
            start_at=start,
            end_at=start + timedelta(seconds=seconds),
            notes=note,
            source=FOCUS_SOURCE,
        ),
    )


async def _change_entry(
    session: AsyncSession,
    auth: AuthContext,
    entry: TimeEntry,
    task: Task | None,
    start: datetime,
    seconds: int,
    note: str | None,
) -> None:
    """Only what differs reaches the ledger, so an unchanged edit emits nothing."""
    changes: dict[str, Any] = {}
    if start != entry.start_at or seconds != entry.duration_seconds:
        changes["start_time"] = start
        changes["duration_seconds"] = seconds
    if note != entry.notes:
        changes["notes"] = note
    task_id = task.id if task else None
    if task_id != entry.task_id:
        changes["task_id"] = task_id
        changes["project_id"] = task.project_id if task else None
        changes["client_id"] = None
    if changes:
        await ledger.apply_changes(session, auth, entry, changes)


# --- who may do what ----------------------------------------------------------------


def _reads_others(auth: AuthContext) -> bool:
    return not auth.is_customer and auth.allows("time_entry.fetch.other")


def _require_reader_of_others(auth: AuthContext) -> None:
    if auth.is_customer:
        raise FocusSessionInternalOnly()
    auth.require("time_entry.fetch.other")


def _require_internal(auth: AuthContext) -> None:
    if auth.is_customer:
        raise FocusSessionInternalOnly()


async def _writable(session: AsyncSession, auth: AuthContext, session_id: int) -> SessionView:
    """A session the caller may change: 404 when they cannot see it, 403 when not theirs."""
    _require_internal(auth)
    view = await get_session(session, auth, session_id)
    ledger.require_writer_of(auth, view.focus.user_id)
    return view


def _instant(value: date | datetime | None, zone: str, *, day_end: bool) -> datetime | None:
    """A naive instant is in the caller's zone; a day starts at its first instant, and as
    an end it reaches the next day's first instant (the whole day included)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return in_zone_to_utc(value, zone)
    return day_bounds(value, zone)[1 if day_end else 0]
