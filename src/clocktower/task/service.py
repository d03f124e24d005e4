"""Task use cases: list, read, create, update, delete, find-or-create by title."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.errors import InvalidReference, ValidationFailed
from clocktower.kit.money import to_cents
from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.time import as_utc, utcnow
from clocktower.models import Project, Task, User
from clocktower.task.errors import (
    TaskExternalRefTaken,
    TaskInternalOnly,
    TaskInUse,
    TaskNotFound,
)
from clocktower.task.repository import (
    InternalUserRepository,
    ProjectLookup,
    TaskFilters,
    TaskRepository,
    TaskView,
)
from clocktower.task.schemas import (
    DONE,
    NAME_MAX,
    TaskCompletedEvent,
    TaskCreate,
    TaskUpdate,
    hours_to_minutes,
)
from clocktower.webhook.events import emit

_EXTERNAL_REF_CONSTRAINT = (
    "uq_tasks_organization_id_external_ref",
    "tasks.organization_id, tasks.external_ref",
)


async def list_tasks(
    session: AsyncSession,
    auth: AuthContext,
    pagination: PageParams,
    *,
    project_id: int | None = None,
    status: str | None = None,
    assignee_id: int | None = None,
    external_ref: str | None = None,
    search: str | None = None,
    updated_since: datetime | None = None,
) -> Page[TaskView]:
    """The caller's visible tasks; `updated_since` (seed 000's last sync) naive means UTC."""
    filters = TaskFilters(
        project_id=project_id,
        status=status,
        assignee_id=assignee_id,
        external_ref=external_ref,
        search=search,
        updated_since=as_utc(updated_since) if updated_since is not None else None,
    )
    return await TaskRepository(session).page(
        auth.org_id, pagination, filters, client_id=auth.client_id
    )


async def get_task(session: AsyncSession, auth: AuthContext, task_id: int) -> TaskView:
    view = await TaskRepository(session).view(auth.org_id, task_id, client_id=auth.client_id)
    if view is None:
        raise TaskNotFound()
    return view


async def list_internal_users(
    session: AsyncSession, auth: AuthContext, pagination: PageParams
) -> Page[User]:
    _require_internal(auth)
    return await InternalUserRepository(session).page(auth.org_id, pagination)


async def create_task(session: AsyncSession, auth: AuthContext, data: TaskCreate) -> TaskView:
    _require_internal(auth)
    project = await _resolve_project(session, auth, data.project_id)
    assignee = await _resolve_assignee(session, auth, data.assignee_id)
    task = Task(
        organization_id=auth.org_id,
        project_id=project.id,
        name=data.name,
        description=data.description,
        status=data.status,
        priority=data.priority,
        assignee_id=assignee.id if assignee else None,
        due_on=data.due_date,
        estimated_minutes=hours_to_minutes(data.estimated_hours),
        hourly_rate_cents=to_cents(data.hourly_rate),
        external_ref=data.external_ref,
        completed_at=utcnow() if data.status == DONE else None,
    )
    session.add(task)
    await _flush_or_conflict(session, data.external_ref)
    if task.status == DONE:
        await _completed(session, task)
    return TaskView(task, project.id, project.name, assignee.name if assignee else None)


async def update_task(
    session: AsyncSession, auth: AuthContext, task_id: int, data: TaskUpdate
) -> TaskView:
    _require_internal(auth)
    repository = TaskRepository(session)
    task = await repository.get(auth.org_id, task_id)
    if task is None:
        raise TaskNotFound()
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    if "project_id" in changes and changes["project_id"] != task.project_id:
        # Moving a task re-checks that the target project is the caller's to use.
        task.project_id = (await _resolve_project(session, auth, changes["project_id"])).id
    if "assignee_id" in changes:
        assignee = await _resolve_assignee(session, auth, changes["assignee_id"])
        task.assignee_id = assignee.id if assignee else None
    for field in ("name", "description", "priority", "external_ref"):
        if field in changes:
            setattr(task, field, changes[field])
    if "due_date" in changes:
        task.due_on = changes["due_date"]
    if "estimated_hours" in changes:
        task.estimated_minutes = hours_to_minutes(data.estimated_hours)
    if "hourly_rate" in changes:
        task.hourly_rate_cents = to_cents(data.hourly_rate)
    was_done = task.status == DONE
    if "status" in changes:
        _set_status(task, changes["status"])
    await _flush_or_conflict(session, task.external_ref)
    if task.status == DONE and not was_done:
        await _completed(session, task)
    # Re-read with its embeds: the project may have changed, the assignee too.
    return await get_task(session, auth, task.id)


async def delete_task(session: AsyncSession, auth: AuthContext, task_id: int) -> None:
    _require_internal(auth)
    repository = TaskRepository(session)
    task = await repository.get(auth.org_id, task_id)
    if task is None:
        raise TaskNotFound()
    dependents = await repository.dependents(task.id)
    if dependents:
        raise TaskInUse(dependents)
    await session.delete(task)
    await session.flush()


async def find_or_create_task(
    session: AsyncSession, auth: AuthContext, *, title: str, project_id: int | None
) -> tuple[TaskView, bool]:
    """An incomplete task of that name in the project (or the default one), else a new one.

    Seed 001: titles are searched before a new record is created, so a focus session or
    a sync naming an existing task does not duplicate it. Returns (task, created).
    """
    _require_internal(auth)
    title = title.strip()
    if not 1 <= len(title) <= NAME_MAX:
        # Other services (focus sessions, sync) pass titles that no schema has checked.
        raise ValidationFailed.field("title", f"title must be 1 to {NAME_MAX} characters")
    project = await _resolve_project(session, auth, project_id)
    existing = await TaskRepository(session).incomplete_by_name(auth.org_id, project.id, title)
    if existing is not None:
        return await get_task(session, auth, existing.id), False
    created = await create_task(session, auth, TaskCreate(name=title, project_id=project.id))
    return created, True


def _require_internal(auth: AuthContext) -> None:
    if auth.is_customer:
        raise TaskInternalOnly()


async def _completed(session: AsyncSession, task: Task) -> None:
    """Webhook `task.completed` (S6.5): a task created as done or moved into done."""
    event = TaskCompletedEvent(
        id=task.id,
        name=task.name,
        project_id=task.project_id,
        completed_at=task.completed_at or utcnow(),
    )
    await emit(session, task.organization_id, "task.completed", event.model_dump(mode="json"))


def _set_status(task: Task, status: str) -> None:
    """completed_at marks the move into done; leaving done clears it."""
    if status == DONE and task.status != DONE:
        task.completed_at = utcnow()
    elif status != DONE:
        task.completed_at = None
    task.status = status


async def _resolve_project(
    session: AsyncSession, auth: AuthContext, project_id: int | None
) -> Project:
    lookup = ProjectLookup(session)
    if project_id is None:
        default_id = auth.user.default_project_id
        default = (
            await lookup.get(auth.org_id, default_id, client_id=auth.client_id)
            if default_id is not None
            else None
        )
        if default is None:
            # A default project of another organisation (multi-organisation users) is none.
            raise ValidationFailed.field(
                "project_id", "project_id is required: you have no default project"
            )
        return default
    project = await lookup.get(auth.org_id, project_id, client_id=auth.client_id)
    if project is None:
        raise InvalidReference("project_id", "Project not found")
    return project


async def _resolve_assignee(
    session: AsyncSession, auth: AuthContext, assignee_id: int | None
) -> User | None:
    if assignee_id is None:
        return None
    user = await InternalUserRepository(session).get(auth.org_id, assignee_id)
    if user is None:
        raise InvalidReference(
            "assignee_id", "Assignee must be an internal member of the organisation"
        )
    return user


async def _flush_or_conflict(session: AsyncSession, external_ref: str | None) -> None:
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as error:
        if external_ref is not None and any(
            name in str(error.orig) for name in _EXTERNAL_REF_CONSTRAINT
        ):
            raise TaskExternalRefTaken(external_ref) from error
        raise
