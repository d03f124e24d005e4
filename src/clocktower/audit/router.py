"""Audit over HTTP: parse, authorise, call one service function."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from clocktower.audit import service as audit_service
from clocktower.audit.schemas import AuditEntryRead, AuditLogList
from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import authorized
from clocktower.db import DbSession
from clocktower.kit.ids import IdQuery
from clocktower.kit.pagination import Pagination, PaginationRead
from clocktower.routing import AppRoute

router = APIRouter(prefix="/audit-log", tags=["audit"], route_class=AppRoute)

AuditRead = Annotated[AuthContext, authorized("audit.fetch.many")]


@router.get("")
async def list_audit_log(
    auth: AuditRead,
    session: DbSession,
    pagination: Pagination,
    action: Annotated[
        str | None, Query(max_length=100, description="e.g. api_token.create")
    ] = None,
    object_type: Annotated[str | None, Query(max_length=64, description="e.g. api_token")] = None,
    object_id: Annotated[str | None, Query(max_length=64)] = None,
    actor_user_id: IdQuery = None,
    since: Annotated[
        datetime | None, Query(description="ISO 8601, inclusive; without an offset it is UTC")
    ] = None,
    until: Annotated[
        datetime | None, Query(description="ISO 8601, exclusive; without an offset it is UTC")
    ] = None,
) -> AuditLogList:
    """Who did what to which object, when and from where; newest first."""
    page = await audit_service.list_audit_log(
        session,
        auth,
        pagination,
        action=action,
        object_type=object_type,
        object_id=object_id,
        actor_user_id=actor_user_id,
        since=since,
        until=until,
    )
    return AuditLogList(
        audit_log=[AuditEntryRead.of_row(entry.row, entry.actor_name) for entry in page.items],
        pagination=PaginationRead.of(page),
    )
