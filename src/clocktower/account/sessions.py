"""Sign-in sessions: access JWT + rotating refresh token, with reuse detection.

A refresh token is spent by one conditional UPDATE (`used_at IS NULL`), so of any number
of concurrent refreshes exactly one wins. Presenting a spent token again revokes the whole
session family: whoever holds the newer token must sign in again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.account.errors import RefreshTokenInvalid, RefreshTokenReused
from clocktower.auth.tokens import REFRESH_TOKEN_PREFIX, issue_access_token
from clocktower.config import Settings
from clocktower.kit.time import utcnow
from clocktower.kit.tokens import random_token, sha256_hex
from clocktower.models import AuthSession, RefreshToken, User


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    session_id: int


async def _new_refresh_token(
    session: AsyncSession, settings: Settings, auth_session_id: int
) -> str:
    raw = REFRESH_TOKEN_PREFIX + random_token(48)
    now = utcnow()
    session.add(
        RefreshToken(
            session_id=auth_session_id,
            token_hash=sha256_hex(raw),
            created_at=now,
            expires_at=now + timedelta(days=settings.refresh_token_ttl_days),
        )
    )
    await session.flush()
    return raw


def _access_token(settings: Settings, user_id: int, auth_session_id: int) -> str:
    return issue_access_token(
        settings.secret_key.get_secret_value(),
        user_id=user_id,
        session_id=auth_session_id,
        ttl_seconds=settings.access_token_ttl_seconds,
    )


async def start_session(
    session: AsyncSession,
    settings: Settings,
    user: User,
    *,
    user_agent: str | None = None,
    ip_address: str | None = None,
) -> TokenPair:
    auth_session = AuthSession(
        user_id=user.id, created_at=utcnow(), user_agent=user_agent, ip_address=ip_address
    )
    session.add(auth_session)
    await session.flush()
    refresh = await _new_refresh_token(session, settings, auth_session.id)
    return TokenPair(
        access_token=_access_token(settings, user.id, auth_session.id),
        refresh_token=refresh,
        expires_in=settings.access_token_ttl_seconds,
        session_id=auth_session.id,
    )


async def rotate(session: AsyncSession, settings: Settings, raw: str) -> tuple[User, TokenPair]:
    """Spend a refresh token and issue the next pair of the same session."""
    now = utcnow()
    token_hash = sha256_hex(raw)
    spent = await session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.token_hash == token_hash,
            RefreshToken.used_at.is_(None),
            RefreshToken.expires_at > now,
        )
        .values(used_at=now)
        .returning(RefreshToken.session_id)
        .execution_options(synchronize_session=False)
    )
    session_id = spent.scalar_one_or_none()
    if session_id is None:
        await _refuse(session, token_hash, now)
    row = (
        await session.execute(
            select(AuthSession, User)
            .join(User, User.id == AuthSession.user_id)
            .where(AuthSession.id == session_id)
        )
    ).one()
    auth_session, user = row
    if auth_session.revoked_at is not None or not user.is_active:
        raise RefreshTokenInvalid("This session has ended; sign in again")
    refresh = await _new_refresh_token(session, settings, auth_session.id)
    return user, TokenPair(
        access_token=_access_token(settings, user.id, auth_session.id),
        refresh_token=refresh,
        expires_in=settings.access_token_ttl_seconds,
        session_id=auth_session.id,
    )


async def _refuse(session: AsyncSession, token_hash: str, now: object) -> None:
    known = (
        await session.execute(select(RefreshToken).where(RefreshToken.token_hash == token_hash))
    ).scalar_one_or_none()
    if known is not None and known.used_at is not None:
        await revoke_session(session, known.session_id, reason="refresh_token_reused")
        raise RefreshTokenReused(
            "This refresh token was already used; the session has been revoked for safety"
        )
    raise RefreshTokenInvalid("The refresh token is invalid or expired")


async def revoke_session(session: AsyncSession, auth_session_id: int, *, reason: str) -> None:
    await session.execute(
        update(AuthSession)
        .where(AuthSession.id == auth_session_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
        .execution_options(synchronize_session=False)
    )


async def revoke_all_sessions(
    session: AsyncSession, user_id: int, *, reason: str, except_session_id: int | None = None
) -> None:
    """End every sign-in of a user (but `except_session_id`, the caller's own, if given)."""
    statement = update(AuthSession).where(
        AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None)
    )
    if except_session_id is not None:
        statement = statement.where(AuthSession.id != except_session_id)
    await session.execute(
        statement.values(revoked_at=utcnow(), revoked_reason=reason).execution_options(
            synchronize_session=False
        )
    )
