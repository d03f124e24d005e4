"""Authentication and authorisation as FastAPI dependencies.

`Authorize("project.create")` authenticates the request (JWT access token or `tt_` API
token, as `Authorization: Bearer` or `X-API-Key`), resolves the organisation (the token's,
the user's current one, or `X-Organization-Id`), counts the request against the token's
rate limit, and checks the permission nodes. Routes declare it in their signature through
`Annotated` aliases; the OpenAPI document lists each route's nodes as `x-permissions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from clocktower.auth.context import AuthContext
from clocktower.auth.errors import NoOrganization, NotAMember
from clocktower.auth.permissions import BUILTIN_RANK, BUILTIN_ROLES, PermissionSet
from clocktower.auth.tokens import API_TOKEN_PREFIX, read_access_token
from clocktower.db import DbSession, after_transaction
from clocktower.errors import BadRequest, InvalidToken, Unauthorized
from clocktower.kit.ids import MAX_ID
from clocktower.kit.time import utcnow
from clocktower.kit.tokens import sha256_hex
from clocktower.models import ApiToken, AuthSession, Membership, Role, User

_bearer = HTTPBearer(auto_error=False, description="JWT access token or `tt_` API token")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="`tt_` API token")

LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class AuditActor:
    """Who a request acts as, for the audit log written at flush time."""

    user_id: int | None
    organization_id: int | None
    api_token_id: int | None
    ip_address: str | None
    user_agent: str | None
    request_id: str | None


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def bind_audit_actor(
    request: Request,
    session: AsyncSession,
    *,
    user_id: int | None,
    organization_id: int | None,
    api_token_id: int | None = None,
) -> None:
    session.info["audit_actor"] = AuditActor(
        user_id=user_id,
        organization_id=organization_id,
        api_token_id=api_token_id,
        ip_address=client_ip(request),
        user_agent=(request.headers.get("user-agent") or "")[:500] or None,
        request_id=getattr(request.state, "request_id", None),
    )


def role_grants(role: Role) -> tuple[str, ...]:
    """Built-in roles take their permissions from code, so upgrades reach them."""
    if role.is_builtin and role.moniker in BUILTIN_ROLES:
        return BUILTIN_ROLES[role.moniker][2]
    return tuple(role.permissions)


def primary_role(monikers: list[str]) -> str:
    for moniker in BUILTIN_RANK:
        if moniker in monikers:
            return moniker
    return monikers[0] if monikers else "member"


async def _credential(request: Request) -> str | None:
    bearer: HTTPAuthorizationCredentials | None = await _bearer(request)
    if bearer is not None:
        return bearer.credentials
    return await _api_key(request)


def _requested_organization(request: Request) -> int | None:
    raw = request.headers.get("x-organization-id")
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError as error:
        raise BadRequest("X-Organization-Id must be an integer") from error
    if value < 1 or value > MAX_ID:
        raise BadRequest("X-Organization-Id must be a positive integer")
    return value


async def _load_membership(
    session: AsyncSession, organization_id: int, user_id: int
) -> Membership | None:
    """The membership with its roles, in one statement (roles joined, not a second query)."""
    result = await session.execute(
        select(Membership)
        .where(Membership.organization_id == organization_id, Membership.user_id == user_id)
        .options(joinedload(Membership.roles))
    )
    return result.unique().scalar_one_or_none()


async def authenticate(request: Request, session: AsyncSession) -> AuthContext:
    """The caller's AuthContext; computed once per request."""
    cached: AuthContext | None = getattr(request.state, "auth", None)
    if cached is not None:
        return cached
    credential = await _credential(request)
    if not credential:
        raise Unauthorized("Provide an access token or API token (Authorization: Bearer ...)")
    if credential.startswith(API_TOKEN_PREFIX):
        context = await _from_api_token(request, session, credential)
    else:
        context = await _from_access_token(request, session, credential)
    request.state.auth = context
    bind_audit_actor(
        request,
        session,
        user_id=context.user_id,
        organization_id=context.organization_id,
        api_token_id=context.api_token_id,
    )
    return context


# The token, its user and their membership of the token's organisation with its roles:
# one statement on every API request, not three; built once, as it runs on every one.
_TOKEN_QUERY = (
    select(ApiToken, User, Membership)
    .join(User, User.id == ApiToken.user_id)
    .outerjoin(
        Membership,
        and_(
            Membership.organization_id == ApiToken.organization_id,
            Membership.user_id == ApiToken.user_id,
        ),
    )
    .options(joinedload(Membership.roles))
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


async def _from_api_token(request: Request, session: AsyncSession, raw: str) -> AuthContext:
    result = await session.execute(_TOKEN_QUERY, {"token_hash": sha256_hex(raw)})
    row = result.unique().one_or_none()
    now = utcnow()
    if row is None:
        raise InvalidToken("The provided API token is invalid or expired")
    token, user, membership = row
    if token.revoked_at is not None or (token.expires_at and token.expires_at <= now):
        raise InvalidToken("The provided API token is invalid or expired")
    if not user.is_active:
        raise InvalidToken("The token's user is deactivated")
    requested = _requested_organization(request)
    if requested is not None and requested != token.organization_id:
        raise NotAMember("This API token belongs to another organisation")
    if membership is None:
        raise InvalidToken("The token's user is no longer a member of its organisation")
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        database = request.app.state.database
        ip_address = client_ip(request)
        # Plain values: the ORM object expires with the request's session.
        token_id = token.id

        async def touch() -> None:
            async with database.transaction() as own:
                await own.execute(
                    update(ApiToken)
                    .where(ApiToken.id == token_id)
                    .values(last_used_at=now, last_used_ip=ip_address)
                )

        after_transaction(session, touch)
    return _context(
        user, membership, scopes=frozenset(token.scopes), api_token_id=token.id, session_id=None
    )


async def _from_access_token(request: Request, session: AsyncSession, raw: str) -> AuthContext:
    claims = read_access_token(request.app.state.settings.secret_key.get_secret_value(), raw)
    result = await session.execute(
        select(User, AuthSession)
        .join(AuthSession, AuthSession.user_id == User.id)
        .where(User.id == claims.user_id, AuthSession.id == claims.session_id)
    )
    row = result.one_or_none()
    if row is None:
        raise InvalidToken("The provided token is invalid or expired")
    user, auth_session = row
    if auth_session.revoked_at is not None or not user.is_active:
        raise InvalidToken("This session has ended; sign in again")
    organization_id = _requested_organization(request) or user.current_organization_id
    membership = None
    if organization_id is not None:
        membership = await _load_membership(session, organization_id, user.id)
        if membership is None and _requested_organization(request) is not None:
            raise NotAMember("You are not a member of this organisation")
    return _context(user, membership, scopes=None, api_token_id=None, session_id=auth_session.id)


def _context(
    user: User,
    membership: Membership | None,
    *,
    scopes: frozenset[str] | None,
    api_token_id: int | None,
    session_id: int | None,
) -> AuthContext:
    grants: list[str] = []
    monikers: list[str] = []
    if membership is not None:
        for role in membership.roles:
            monikers.append(role.moniker)
            grants.extend(role_grants(role))
        grants.extend(membership.permissions)
    return AuthContext(
        user=user,
        organization_id=membership.organization_id if membership else None,
        membership_id=membership.id if membership else None,
        roles=tuple(monikers),
        grants=PermissionSet(grants),
        scopes=scopes,
        api_token_id=api_token_id,
        session_id=session_id,
        client_id=membership.client_id if membership else None,
    )


class Authorize:
    """Dependency: an authenticated, rate-limited caller holding every named node."""

    def __init__(self, *permissions: str, tenant: bool = True) -> None:
        self.permissions = permissions
        self.tenant = tenant

    async def __call__(
        self, request: Request, response: Response, session: DbSession
    ) -> AuthContext:
        auth = await authenticate(request, session)
        if not getattr(request.state, "rate_limited", False):
            request.state.rate_limited = True
            state = await request.app.state.rate_limiter.hit(auth.principal_key)
            response.headers.update(state.headers())
            # Error answers are built by the exception handlers: they add these too.
            request.state.rate_limit_headers = state.headers()
        if self.tenant and auth.organization_id is None:
            raise NoOrganization(
                "You belong to no organisation yet; create one or accept an invitation"
            )
        auth.require(*self.permissions)
        return auth


class PublicRateLimit:
    """Dependency for unauthenticated routes: a per-address limit."""

    def __init__(self, bucket: str) -> None:
        self.bucket = bucket

    async def __call__(self, request: Request, response: Response) -> None:
        state = await request.app.state.rate_limiter.hit_public(
            f"{self.bucket}:{client_ip(request)}"
        )
        response.headers.update(state.headers())
        request.state.rate_limit_headers = state.headers()


def authorized(*permissions: str, tenant: bool = True) -> Any:
    """`Annotated[AuthContext, authorized("x.y")]` — the alias form used by routers."""
    return Depends(Authorize(*permissions, tenant=tenant))


# Account-level routes: any signed-in user, organisation optional.
CurrentUser = Annotated[AuthContext, authorized("user.read", tenant=False)]
CurrentUserWrite = Annotated[AuthContext, authorized("user.write", tenant=False)]
