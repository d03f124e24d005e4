"""Customer focus over HTTP: parse, authorise, call one service function.

No prefix: the routes live under /clients/{id}/focus and /client-focus.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query

from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import authorized
from clocktower.client.errors import ClientNotFound
from clocktower.client_focus import service as focus_service
from clocktower.client_focus.errors import FocusChanged, FocusInternalOnly, FocusNotFound
from clocktower.client_focus.schemas import (
    FocusAnswer,
    FocusCleared,
    FocusList,
    FocusRead,
    FocusSet,
)
from clocktower.db import DbSession
from clocktower.errors import error_responses
from clocktower.kit.ids import MAX_ID, IdPath
from clocktower.kit.pagination import Pagination, PaginationRead
from clocktower.routing import AppRoute

router = APIRouter(tags=["client focus"], route_class=AppRoute)

FocusWrite = Annotated[AuthContext, authorized("client.fetch")]
FocusListing = Annotated[AuthContext, authorized("client.fetch.many")]


@router.put(
    "/clients/{client_id}/focus",
    responses=error_responses(ClientNotFound, FocusInternalOnly, FocusChanged),
)
async def set_focus(
    client_id: IdPath,
    auth: FocusWrite,
    session: DbSession,
    data: Annotated[FocusSet | None, Body()] = None,
) -> FocusAnswer:
    """Set (or move) the caller's focus to this client: one current focus per member."""
    view = await focus_service.set_focus(
        session, auth, client_id, data.note if data is not None else None
    )
    return FocusAnswer(focus=FocusRead.of(view.focus, view.user, view.client))


@router.delete(
    "/clients/{client_id}/focus",
    responses=error_responses(ClientNotFound, FocusNotFound, FocusInternalOnly),
)
async def clear_focus(client_id: IdPath, auth: FocusWrite, session: DbSession) -> FocusCleared:
    """Clear the caller's focus when it is on this client."""
    await focus_service.clear_focus(session, auth, client_id)
    return FocusCleared(message="Focus cleared")


@router.get("/client-focus", responses=error_responses(FocusInternalOnly))
async def list_focus(
    auth: FocusListing,
    session: DbSession,
    pagination: Pagination,
    client_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only focus on this client")
    ] = None,
) -> FocusList:
    """Every colleague's current focus, by name."""
    page = await focus_service.list_focus(session, auth, client_id, pagination)
    return FocusList(
        focus=[FocusRead.of(view.focus, view.user, view.client) for view in page.items],
        pagination=PaginationRead.of(page),
    )
