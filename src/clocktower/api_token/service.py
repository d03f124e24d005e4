"""API token use cases: list, create (the plaintext exists only in this answer), rename, revoke."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.api_token.errors import ApiTokenNotFound, ApiTokenUserOutranksCaller, UnknownScopes
from clocktower.api_token.repository import ApiTokenRepository
from clocktower.api_token.schemas import ApiTokenCreate, ApiTokenUpdate
from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import role_grants
from clocktower.auth.scopes import SCOPES
from clocktower.auth.tokens import API_TOKEN_PREFIX
from clocktower.errors import InvalidReference
from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.time import utcnow
from clocktower.kit.tokens import random_token, sha256_hex
from clocktower.models import ApiToken, Membership, User
from clocktower.organization.repository import MembershipRepository

TOKEN_RANDOM_LENGTH = 32
# "tt_" and five random characters: enough to tell tokens apart, far too little to guess one.
PREFIX_LENGTH = 8


@dataclass(frozen=True)
class CreatedApiToken:
    token: ApiToken
    plaintext: str


def list_scopes() -> list[tuple[str, str]]:
    return list(SCOPES.items())


async def list_api_tokens(
    session: AsyncSession,
    auth: AuthContext,
    params: PageParams,
    *,
    user_id: int | None = None,
    active: bool | None = None,
) -> Page[ApiToken]:
    repository = ApiTokenRepository(session)
    statement = repository.listing(auth.org_id, user_id=user_id, active=active, now=utcnow())
    return await repository.paginate(statement, params)


async def get_api_token(session: AsyncSession, auth: AuthContext, token_id: int) -> ApiToken:
    token = await ApiTokenRepository(session).get_with_user(auth.org_id, token_id)
    if token is None:
        raise ApiTokenNotFound()
    return token


async def create_api_token(
    session: AsyncSession, auth: AuthContext, data: ApiTokenCreate
) -> CreatedApiToken:
    scopes = _known_scopes(data.scopes)
    user = await _token_user(session, auth, data.user_id)
    plaintext = API_TOKEN_PREFIX + random_token(TOKEN_RANDOM_LENGTH)
    now = utcnow()
    token = ApiToken(
        organization_id=auth.org_id,
        user_id=user.id,
        created_by_id=auth.user_id,
        name=data.name,
        description=data.description,
        token_prefix=plaintext[:PREFIX_LENGTH],
        token_hash=sha256_hex(plaintext),
        scopes=scopes,
        created_at=now,
        expires_at=now + timedelta(days=data.expires_in_days) if data.expires_in_days else None,
    )
    token.user = user
    session.add(token)
    await session.flush()
    return CreatedApiToken(token=token, plaintext=plaintext)


async def update_api_token(
    session: AsyncSession, auth: AuthContext, token_id: int, data: ApiTokenUpdate
) -> ApiToken:
    token = await get_api_token(session, auth, token_id)
    for field, value in data.model_dump(exclude_unset=True).items():
        setattr(token, field, value)
    await session.flush()
    return token


async def revoke_api_token(session: AsyncSession, auth: AuthContext, token_id: int) -> ApiToken:
    """Idempotent: a revoked token keeps its first revocation time."""
    token = await get_api_token(session, auth, token_id)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        await session.flush()
    return token


def _known_scopes(requested: list[str]) -> list[str]:
    scopes = list(dict.fromkeys(requested))
    unknown = [scope for scope in scopes if scope not in SCOPES]
    if unknown:
        raise UnknownScopes(unknown)
    return scopes


async def _token_user(session: AsyncSession, auth: AuthContext, user_id: int | None) -> User:
    """The caller, or another member of this organisation who does not outrank the caller."""
    if user_id is None or user_id == auth.user_id:
        return auth.user
    membership = await MembershipRepository(session).of_user(auth.org_id, user_id)
    if membership is None:
        raise InvalidReference("user_id", "User is not a member of this organisation")
    if not _covers(auth, membership):
        raise ApiTokenUserOutranksCaller(
            "You cannot create a token for a member who holds permissions you do not have"
        )
    return membership.user


def _covers(auth: AuthContext, membership: Membership) -> bool:
    # The token's holder acts with its user's roles, so each of those grants must already
    # be the caller's; otherwise creating the token would hand the caller more power.
    grants = [grant for role in membership.roles for grant in role_grants(role)]
    grants.extend(membership.permissions)
    return all(auth.may_grant(grant) for grant in grants)
