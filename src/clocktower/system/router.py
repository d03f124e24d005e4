"""System routes over HTTP (public)."""

from __future__ import annotations

from fastapi import APIRouter

from clocktower import __version__
from clocktower.db import DbSession
from clocktower.errors import error_responses
from clocktower.kit.time import utcnow
from clocktower.routing import AppRoute
from clocktower.system import service as system_service
from clocktower.system.errors import NotReady, Teapot
from clocktower.system.schemas import HealthRead, InfoRead, ReadinessRead

router = APIRouter(tags=["system"], route_class=AppRoute)

ENDPOINTS = {
    "auth": "/api/v1/auth",
    "organizations": "/api/v1/organizations",
    "team": "/api/v1/team",
    "users": "/api/v1/users",
    "roles": "/api/v1/roles",
    "permissions": "/api/v1/permissions",
    "api_tokens": "/api/v1/api-tokens",
    "settings": "/api/v1/settings",
    "audit_log": "/api/v1/audit-log",
    "projects": "/api/v1/projects",
    "time_entries": "/api/v1/time-entries",
    "tasks": "/api/v1/tasks",
    "clients": "/api/v1/clients",
}


@router.get("/info")
async def get_info(session: DbSession) -> InfoRead:
    """API version and entry points; `setup_required` until the first account exists."""
    return InfoRead(
        api_version="v1",
        app_version=__version__,
        setup_required=await system_service.setup_required(session),
        documentation_url="/api/docs",
        endpoints=ENDPOINTS,
    )


@router.get("/health")
async def get_health() -> HealthRead:
    """Liveness: the process answers."""
    return HealthRead(status="healthy", version=__version__, timestamp=utcnow())


@router.get("/ready", responses=error_responses(NotReady))
async def get_readiness(session: DbSession) -> ReadinessRead:
    """Readiness: the database answers."""
    if not await system_service.database_answers(session):
        raise NotReady("The database does not answer")
    return ReadinessRead(status="ready", checks={"database": "ok"})


@router.get("/teapot", responses=error_responses(Teapot), status_code=418)
async def get_teapot() -> None:
    """I'm a teapot (seed 004)."""
    raise Teapot("I'm a teapot")
