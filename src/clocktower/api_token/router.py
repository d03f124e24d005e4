"""Api tokens over HTTP: parse, authorise, call one service function."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from clocktower.api_token import service as api_token_service
from clocktower.api_token.errors import ApiTokenNotFound, ApiTokenUserOutranksCaller, UnknownScopes
from clocktower.api_token.schemas import (
    ApiTokenAnswer,
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenList,
    ApiTokenRead,
    ApiTokenRevoked,
    ApiTokenUpdate,
    ScopeList,
    ScopeRead,
)
from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import authorized
from clocktower.db import DbSession
from clocktower.errors import InvalidReference, error_responses
from clocktower.idempotency import Idempotent
from clocktower.kit.ids import MAX_ID
from clocktower.kit.pagination import Pagination, PaginationRead
from clocktower.routing import AppRoute

router = APIRouter(prefix="/api-tokens", tags=["api tokens"], route_class=AppRoute)

TokensRead = Annotated[AuthContext, authorized("api_token.fetch.many")]
TokensWrite = Annotated[AuthContext, authorized("api_token.create")]
TokensRevoke = Annotated[AuthContext, authorized("api_token.revoke")]

# Ids past BIGINT would reach the database as an overflow error; refuse them as input.
TokenId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("")
async def list_api_tokens(
    auth: TokensRead,
    session: DbSession,
    pagination: Pagination,
    user_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Tokens of this user")
    ] = None,
    active: Annotated[
        bool | None, Query(description="Only usable (true) or only revoked/expired (false)")
    ] = None,
) -> ApiTokenList:
    """The organisation's API tokens, newest first; never the token itself."""
    page = await api_token_service.list_api_tokens(
        session, auth, pagination, user_id=user_id, active=active
    )
    return ApiTokenList(
        api_tokens=[ApiTokenRead.of_token(token, auth) for token in page.items],
        pagination=PaginationRead.of(page),
    )


@router.get("/scopes")
async def list_scopes(auth: TokensRead) -> ScopeList:
    """Every scope a token may carry (seed 002's list and the same pattern for new areas)."""
    return ScopeList(
        scopes=[
            ScopeRead(scope=scope, description=description)
            for scope, description in api_token_service.list_scopes()
        ]
    )


@router.post(
    "",
    status_code=201,
    responses=error_responses(UnknownScopes, ApiTokenUserOutranksCaller, InvalidReference),
)
async def create_api_token(
    data: ApiTokenCreate, auth: TokensWrite, session: DbSession, _claim: Idempotent
) -> ApiTokenCreated:
    """Create a token for a member; the answer is the only time the token is shown."""
    created = await api_token_service.create_api_token(session, auth, data)
    return ApiTokenCreated(
        message="API token created; copy it now, it is not shown again",
        api_token=ApiTokenRead.of_token(created.token, auth),
        token=created.plaintext,
    )


@router.get("/{token_id}", responses=error_responses(ApiTokenNotFound))
async def get_api_token(token_id: TokenId, auth: TokensRead, session: DbSession) -> ApiTokenAnswer:
    token = await api_token_service.get_api_token(session, auth, token_id)
    return ApiTokenAnswer(api_token=ApiTokenRead.of_token(token, auth))


@router.patch("/{token_id}", responses=error_responses(ApiTokenNotFound))
async def update_api_token(
    token_id: TokenId, data: ApiTokenUpdate, auth: TokensWrite, session: DbSession
) -> ApiTokenAnswer:
    """Rename or re-describe a token; its scopes, user and expiry never change."""
    token = await api_token_service.update_api_token(session, auth, token_id, data)
    return ApiTokenAnswer(api_token=ApiTokenRead.of_token(token, auth))


@router.delete("/{token_id}", responses=error_responses(ApiTokenNotFound))
async def revoke_api_token(
    token_id: TokenId, auth: TokensRevoke, session: DbSession
) -> ApiTokenRevoked:
    """Revoke a token at once; revoking it again changes nothing."""
    token = await api_token_service.revoke_api_token(session, auth, token_id)
    return ApiTokenRevoked(
        message="API token revoked", api_token=ApiTokenRead.of_token(token, auth)
    )
