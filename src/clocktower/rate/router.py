"""Hourly rates (S4.1) over HTTP: members' own rates, people's rates on projects, and
which rate applies.

Changing a rate never rewrites existing time bills: a bill keeps the rate it was priced
at until its entries change or the bills are recomputed (`POST /time-bills/recompute`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import authorized
from clocktower.db import DbSession
from clocktower.errors import InvalidReference, ValidationFailed, error_responses
from clocktower.kit.ids import MAX_ID, IdPath
from clocktower.kit.pagination import Pagination, PaginationRead
from clocktower.project.errors import ProjectNotFound
from clocktower.rate import service as rate_service
from clocktower.rate.errors import ProjectUserRateNotFound
from clocktower.rate.schemas import (
    ProjectUserRateList,
    ProjectUserRateRead,
    ProjectUserRateSaved,
    RateDeleted,
    RateWrite,
    ResolvedRateRead,
    UserRateAnswer,
    UserRateRead,
    UserRateSaved,
)
from clocktower.routing import AppRoute
from clocktower.user.errors import UserNotFound

router = APIRouter(prefix="/rates", tags=["rates"], route_class=AppRoute)

RatesFetch = Annotated[AuthContext, authorized("rate.fetch")]
RatesUpdate = Annotated[AuthContext, authorized("rate.update")]
OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


@router.get(
    "/resolve",
    responses=error_responses(UserNotFound, InvalidReference, ValidationFailed),
)
async def resolve_rate(
    auth: RatesFetch,
    session: DbSession,
    user_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Whose time (default: yours)")
    ] = None,
    project_id: OptionalId = None,
    task_id: OptionalId = None,
    client_id: OptionalId = None,
) -> ResolvedRateRead:
    """The hourly rate of the user's time on the task / project / client and where it
    comes from: the task's rate, the person's rate on the project, the project's, the
    person's own, the client's default, the organisation's default (the first set wins);
    the currency is the client's, else the organisation's. Bills are priced this way when
    they are made or refreshed; changing a rate does not rewrite existing bills until
    they are recomputed."""
    resolution = await rate_service.resolve(
        session,
        auth,
        user_id=user_id,
        project_id=project_id,
        task_id=task_id,
        client_id=client_id,
    )
    key = resolution.key
    return ResolvedRateRead(
        hourly_rate=resolution.rate.hourly_rate,
        source=resolution.rate.source,
        currency=resolution.rate.currency,
        user_id=key.user_id,
        project_id=key.project_id,
        task_id=key.task_id,
        client_id=key.client_id,
    )


@router.get("/users/{user_id}", responses=error_responses(UserNotFound))
async def get_user_rate(user_id: IdPath, auth: RatesFetch, session: DbSession) -> UserRateAnswer:
    """The member's own hourly rate (`null` when they have none)."""
    found = await rate_service.get_user_rate(session, auth, user_id)
    return UserRateAnswer(rate=UserRateRead.of(found))


@router.put("/users/{user_id}", responses=error_responses(UserNotFound))
async def set_user_rate(
    user_id: IdPath, data: RateWrite, auth: RatesUpdate, session: DbSession
) -> UserRateSaved:
    """Sets the member's own hourly rate: it prices their time where no task or project
    rate applies. Existing time bills keep the rate they were priced at until their
    entries change or the bills are recomputed (POST /time-bills/recompute)."""
    found = await rate_service.set_user_rate(session, auth, user_id, data.hourly_rate)
    return UserRateSaved(message="Rate updated", rate=UserRateRead.of(found))


@router.delete("/users/{user_id}", responses=error_responses(UserNotFound))
async def clear_user_rate(user_id: IdPath, auth: RatesUpdate, session: DbSession) -> UserRateSaved:
    """Removes the member's own hourly rate (the client's or organisation's default
    applies)."""
    found = await rate_service.set_user_rate(session, auth, user_id, None)
    return UserRateSaved(message="Rate removed", rate=UserRateRead.of(found))


@router.get("/projects/{project_id}/users", responses=error_responses(ProjectNotFound))
async def list_project_rates(
    project_id: IdPath, auth: RatesFetch, session: DbSession, pagination: Pagination
) -> ProjectUserRateList:
    """People's own rates on the project, by name."""
    page = await rate_service.list_project_rates(session, auth, project_id, pagination)
    return ProjectUserRateList(
        rates=[ProjectUserRateRead.of(item.rate, item.user_name) for item in page.items],
        pagination=PaginationRead.of(page),
    )


@router.put(
    "/projects/{project_id}/users/{user_id}",
    responses={
        201: {"model": ProjectUserRateSaved, "description": "The person had no rate here yet"},
        **error_responses(ProjectNotFound, UserNotFound),
    },
)
async def set_project_rate(
    project_id: IdPath,
    user_id: IdPath,
    data: RateWrite,
    auth: RatesUpdate,
    session: DbSession,
    response: Response,
) -> ProjectUserRateSaved:
    """Sets the person's rate on the project (201 when new, 200 when changed): it wins
    over the project's rate, a task's rate wins over it. Existing time bills keep their
    rate until their entries change or the bills are recomputed."""
    saved, created = await rate_service.set_project_rate(
        session, auth, project_id, user_id, data.hourly_rate
    )
    response.status_code = 201 if created else 200
    return ProjectUserRateSaved(
        message="Rate created" if created else "Rate updated",
        rate=ProjectUserRateRead.of(saved.rate, saved.user_name),
    )


@router.delete(
    "/projects/{project_id}/users/{user_id}",
    responses=error_responses(ProjectNotFound, UserNotFound, ProjectUserRateNotFound),
)
async def delete_project_rate(
    project_id: IdPath, user_id: IdPath, auth: RatesUpdate, session: DbSession
) -> RateDeleted:
    """Removes the person's rate on the project (the project's own rate applies again)."""
    await rate_service.delete_project_rate(session, auth, project_id, user_id)
    return RateDeleted(message="Rate removed")
