"""Projects over HTTP: parse, authorise, call one service function."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import authorized
from clocktower.db import DbSession
from clocktower.errors import ErrorBody, InvalidReference, error_responses
from clocktower.idempotency import Idempotent
from clocktower.kit.ids import IdPath, IdQuery
from clocktower.kit.pagination import Pagination, PaginationRead
from clocktower.project import service as project_service
from clocktower.project.errors import ProjectInUse, ProjectNameTaken, ProjectNotFound
from clocktower.project.schemas import (
    FindOrCreateProject,
    ProjectAnswer,
    ProjectArchived,
    ProjectCreate,
    ProjectCreated,
    ProjectDeleted,
    ProjectFoundOrCreated,
    ProjectList,
    ProjectRead,
    ProjectStatus,
    ProjectUpdate,
)
from clocktower.routing import AppRoute

router = APIRouter(prefix="/projects", tags=["projects"], route_class=AppRoute)

ProjectsList = Annotated[AuthContext, authorized("project.fetch.many")]
ProjectsFetch = Annotated[AuthContext, authorized("project.fetch")]
ProjectsCreate = Annotated[AuthContext, authorized("project.create")]
ProjectsUpdate = Annotated[AuthContext, authorized("project.update")]


@router.get("")
async def list_projects(
    auth: ProjectsList,
    session: DbSession,
    pagination: Pagination,
    status: Annotated[
        ProjectStatus | None, Query(description="Only projects in this status")
    ] = None,
    client_id: IdQuery = None,
    active: Annotated[
        bool | None, Query(description="Only active (true) or only inactive (false) projects")
    ] = None,
    search: Annotated[
        str | None, Query(max_length=200, description="Name or description contains")
    ] = None,
) -> ProjectList:
    """The organisation's projects by name, each with its client (seed 002, seed 003)."""
    page = await project_service.list_projects(
        session, auth, pagination, status=status, client_id=client_id, active=active, search=search
    )
    return ProjectList(
        projects=[ProjectRead.of_project(row.project, row.client, auth) for row in page.items],
        pagination=PaginationRead.of(page),
    )


@router.post(
    "",
    status_code=201,
    responses=error_responses(ProjectNameTaken, InvalidReference),
)
async def create_project(
    data: ProjectCreate, auth: ProjectsCreate, session: DbSession, _claim: Idempotent
) -> ProjectCreated:
    created = await project_service.create_project(session, auth, data)
    return ProjectCreated(
        message="Project created",
        project=ProjectRead.of_project(created.project, created.client, auth),
    )


@router.post(
    "/find-or-create",
    responses={
        201: {"model": ProjectFoundOrCreated, "description": "A new project was created"},
        **error_responses(ProjectNameTaken),
    },
)
async def find_or_create_project(
    data: FindOrCreateProject, auth: ProjectsCreate, session: DbSession, response: Response
) -> ProjectFoundOrCreated:
    """The project with this title, any case (seed 001 titles): the oldest active one,
    else the oldest on hold (answered as is), else a new active project (201). Archived
    projects never match."""
    found, created = await project_service.find_or_create_project_with_client(
        session, auth, title=data.title
    )
    if created:
        response.status_code = 201
    return ProjectFoundOrCreated(
        project=ProjectRead.of_project(found.project, found.client, auth), created=created
    )


@router.get("/{project_id}", responses=error_responses(ProjectNotFound))
async def get_project(project_id: IdPath, auth: ProjectsFetch, session: DbSession) -> ProjectAnswer:
    found = await project_service.get_project(session, auth, project_id)
    return ProjectAnswer(project=ProjectRead.of_project(found.project, found.client, auth))


_UPDATE_ERRORS = error_responses(ProjectNotFound, ProjectNameTaken, InvalidReference)


async def _update(
    project_id: int, data: ProjectUpdate, auth: AuthContext, session: DbSession, request: Request
) -> ProjectAnswer:
    found = await project_service.update_project(
        session, auth, project_id, data, settings=request.app.state.settings
    )
    return ProjectAnswer(project=ProjectRead.of_project(found.project, found.client, auth))


@router.put("/{project_id}", responses=_UPDATE_ERRORS)
async def update_project(
    project_id: IdPath,
    data: ProjectUpdate,
    auth: ProjectsUpdate,
    session: DbSession,
    request: Request,
) -> ProjectAnswer:
    """Change the fields sent; deactivating a project emails the internal team (seed 000)."""
    return await _update(project_id, data, auth, session, request)


@router.patch("/{project_id}", responses=_UPDATE_ERRORS)
async def patch_project(
    project_id: IdPath,
    data: ProjectUpdate,
    auth: ProjectsUpdate,
    session: DbSession,
    request: Request,
) -> ProjectAnswer:
    """The same partial update as PUT."""
    return await _update(project_id, data, auth, session, request)


@router.delete(
    "/{project_id}",
    responses={
        **error_responses(ProjectNotFound, ProjectInUse),
        403: {"model": ErrorBody, "description": "permanent=true needs `project.delete`"},
    },
    response_model=ProjectArchived | ProjectDeleted,
)
async def delete_project(
    project_id: IdPath,
    auth: ProjectsUpdate,
    session: DbSession,
    request: Request,
    permanent: Annotated[
        bool, Query(description="Delete for good (needs project.delete) instead of archiving")
    ] = False,
) -> ProjectArchived | ProjectDeleted:
    """Seed 002: archives the project; `?permanent=true` deletes one nothing refers to."""
    if permanent:
        # The permanent form needs more than the archive the route is declared for.
        auth.require("project.delete")
        await project_service.delete_project(session, auth, project_id)
        return ProjectDeleted(message="Project deleted")
    found = await project_service.archive_project(
        session, auth, project_id, settings=request.app.state.settings
    )
    return ProjectArchived(
        message="Project archived",
        project=ProjectRead.of_project(found.project, found.client, auth),
    )
