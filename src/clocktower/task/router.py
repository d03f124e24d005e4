"""Tasks over HTTP: parse, authorise, call one service function."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import authorized
from clocktower.db import DbSession
from clocktower.errors import InvalidReference, error_responses
from clocktower.idempotency import Idempotent
from clocktower.kit.ids import MAX_ID, IdPath
from clocktower.kit.pagination import Pagination, PaginationRead
from clocktower.routing import AppRoute
from clocktower.task import service as task_service
from clocktower.task.errors import (
    TaskExternalRefTaken,
    TaskInternalOnly,
    TaskInUse,
    TaskNotFound,
)
from clocktower.task.schemas import (
    InternalUserList,
    InternalUserRead,
    TaskAnswer,
    TaskCreate,
    TaskCreated,
    TaskDeleted,
    TaskFindOrCreate,
    TaskFoundOrCreated,
    TaskList,
    TaskRead,
    TaskStatus,
    TaskUpdate,
    TaskUpdated,
)

router = APIRouter(prefix="/tasks", tags=["tasks"], route_class=AppRoute)

TasksList = Annotated[AuthContext, authorized("task.fetch.many")]
TasksFetch = Annotated[AuthContext, authorized("task.fetch")]
TasksCreate = Annotated[AuthContext, authorized("task.create")]
TasksFindOrCreate = Annotated[AuthContext, authorized("task.fetch", "task.create")]
TasksUpdate = Annotated[AuthContext, authorized("task.update")]
TasksDelete = Annotated[AuthContext, authorized("task.delete")]

_WRITE_ERRORS = (InvalidReference, TaskExternalRefTaken, TaskInternalOnly)


@router.get("")
async def list_tasks(
    auth: TasksList,
    session: DbSession,
    pagination: Pagination,
    project_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Tasks of this project")
    ] = None,
    status: Annotated[TaskStatus | None, Query(description="Tasks in this status")] = None,
    assignee_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Tasks assigned to this user")
    ] = None,
    external_ref: Annotated[
        str | None, Query(max_length=200, description="The task with this external reference")
    ] = None,
    search: Annotated[
        str | None, Query(max_length=200, description="Text in the name or description")
    ] = None,
    updated_since: Annotated[
        datetime | None,
        Query(description="Tasks changed after this instant (ISO 8601; naive means UTC)"),
    ] = None,
) -> TaskList:
    """Tasks by priority (highest first), then due date, then id."""
    page = await task_service.list_tasks(
        session,
        auth,
        pagination,
        project_id=project_id,
        status=status,
        assignee_id=assignee_id,
        external_ref=external_ref,
        search=search,
        updated_since=updated_since,
    )
    return TaskList(
        tasks=[TaskRead.of_view(view, auth) for view in page.items],
        pagination=PaginationRead.of(page),
    )


@router.get("/internal-users", responses=error_responses(TaskInternalOnly))
async def list_internal_users(
    auth: TasksList, session: DbSession, pagination: Pagination
) -> InternalUserList:
    """Members who are not customers: the people a task can be assigned to (seed 000)."""
    page = await task_service.list_internal_users(session, auth, pagination)
    return InternalUserList(
        users=[InternalUserRead(id=u.id, name=u.name, email=u.email) for u in page.items],
        pagination=PaginationRead.of(page),
    )


@router.post("", status_code=201, responses=error_responses(*_WRITE_ERRORS))
async def create_task(
    data: TaskCreate, auth: TasksCreate, session: DbSession, _claim: Idempotent
) -> TaskCreated:
    """Without project_id the task goes to the caller's default project (seed 001)."""
    view = await task_service.create_task(session, auth, data)
    return TaskCreated(message="Task created", task=TaskRead.of_view(view, auth))


@router.post(
    "/find-or-create",
    status_code=201,
    responses={
        200: {"model": TaskFoundOrCreated, "description": "An incomplete task of that name"},
        **error_responses(*_WRITE_ERRORS),
    },
)
async def find_or_create_task(
    data: TaskFindOrCreate,
    auth: TasksFindOrCreate,
    session: DbSession,
    response: Response,
    _claim: Idempotent,
) -> TaskFoundOrCreated:
    """An incomplete task with this title (any case) in the project, else a new one."""
    view, created = await task_service.find_or_create_task(
        session, auth, title=data.title, project_id=data.project_id
    )
    response.status_code = 201 if created else 200
    return TaskFoundOrCreated(task=TaskRead.of_view(view, auth), created=created)


@router.get("/{task_id}", responses=error_responses(TaskNotFound))
async def get_task(task_id: IdPath, auth: TasksFetch, session: DbSession) -> TaskAnswer:
    view = await task_service.get_task(session, auth, task_id)
    return TaskAnswer(task=TaskRead.of_view(view, auth))


async def _update(
    task_id: int, data: TaskUpdate, auth: AuthContext, session: DbSession
) -> TaskUpdated:
    view = await task_service.update_task(session, auth, task_id, data)
    return TaskUpdated(message="Task updated", task=TaskRead.of_view(view, auth))


@router.put("/{task_id}", responses=error_responses(TaskNotFound, *_WRITE_ERRORS))
async def update_task(
    task_id: IdPath, data: TaskUpdate, auth: TasksUpdate, session: DbSession
) -> TaskUpdated:
    """Changes the fields sent; moving to another project re-checks the project."""
    return await _update(task_id, data, auth, session)


@router.patch("/{task_id}", responses=error_responses(TaskNotFound, *_WRITE_ERRORS))
async def patch_task(
    task_id: IdPath, data: TaskUpdate, auth: TasksUpdate, session: DbSession
) -> TaskUpdated:
    """The same partial update as PUT."""
    return await _update(task_id, data, auth, session)


@router.delete("/{task_id}", responses=error_responses(TaskNotFound, TaskInUse, TaskInternalOnly))
async def delete_task(task_id: IdPath, auth: TasksDelete, session: DbSession) -> TaskDeleted:
    await task_service.delete_task(session, auth, task_id)
    return TaskDeleted(message="Task deleted")
