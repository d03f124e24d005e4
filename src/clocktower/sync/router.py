"""Delta sync over HTTP (S6.1, S6.2)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import authorized
from clocktower.db import DbSession
from clocktower.errors import error_responses
from clocktower.routing import AppRoute
from clocktower.sync import push as push_service
from clocktower.sync import service as sync_service
from clocktower.sync.errors import (
    InvalidSyncToken,
    SyncInternalOnly,
    SyncPushBusy,
    SyncTokenExpired,
)
from clocktower.sync.schemas import PushAnswer, PushRequest, SyncAnswer

router = APIRouter(prefix="/sync", tags=["sync"], route_class=AppRoute)

SyncReader = Annotated[AuthContext, authorized("sync.pull")]
SyncPusher = Annotated[AuthContext, authorized("sync.push")]


@router.get("", responses=error_responses(InvalidSyncToken, SyncInternalOnly, SyncTokenExpired))
async def pull(
    auth: SyncReader,
    session: DbSession,
    sync_token: Annotated[
        str | None,
        Query(
            max_length=200,
            description="The token of your last sync; `*` or none for a full snapshot",
        ),
    ] = None,
    limit: Annotated[
        int,
        Query(ge=1, le=sync_service.MAX_PAGE, description="Changes per page"),
    ] = sync_service.DEFAULT_PAGE,
) -> SyncAnswer:
    """Everything of yours that changed since `sync_token` (seeds 000 and 001): clients,
    projects, tasks, your time entries (time blocks included), your focus sessions and
    the team's customer focus, each with its `version`; deletions as tombstones; your
    running timer; and the token for next time. Without a token (or `*`) a full
    snapshot, paged: ask again with the new token while `has_more` is true. Kinds you
    may not list are left out. 410 `sync_token_expired`: sync from `*` again."""
    return await sync_service.pull(session, auth, sync_token, limit)


@router.post("", responses=error_responses(SyncInternalOnly, SyncPushBusy))
async def push(
    data: PushRequest, auth: SyncPusher, session: DbSession, request: Request
) -> PushAnswer:
    """Changes made offline (S6.2), at most 500, applied in order in one transaction,
    each one on its own: a change that fails is `rejected` with the error body its REST
    route would answer, and the others still apply. Every change has its own
    `client_ref` UUID: pushing it again answers the stored result and changes nothing.
    An update or delete names the `base_version` it was made from; if the object changed
    on the server since, the server wins and the result is a `conflict` carrying the
    server's object. `refs` name objects created offline by the `client_ref` of their
    create. Each change also needs the permission of its REST route (`task.create`,
    `time_entry.update`, …). No Idempotency-Key: the client_refs are the keys."""
    return await push_service.push(session, auth, data, settings=request.app.state.settings)
