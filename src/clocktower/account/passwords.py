"""Passwords: forgot (emailed one-time link), reset by that link, change while signed in.

A reset token is `pr_` + 40 random characters, stored only as SHA-256, and spent by one
conditional UPDATE (`used_at IS NULL`), so of any number of concurrent resets with the
same token exactly one wins. The forgot-password answer is the same whether or not the
account exists, so it cannot be used to find out who has an account.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.account import sessions
from clocktower.account.errors import CurrentPasswordIncorrect, ResetTokenInvalid
from clocktower.account.notices import notify_security_change
from clocktower.account.schemas import PasswordChange, ResetPasswordRequest
from clocktower.account.service import normalize_email
from clocktower.audit.recorder import record_event
from clocktower.auth.context import AuthContext
from clocktower.auth.passwords import hash_password, verify_password
from clocktower.config import Settings
from clocktower.email.service import queue_email
from clocktower.kit.time import utcnow
from clocktower.kit.tokens import random_token, sha256_hex
from clocktower.models import PasswordResetToken, User

RESET_TOKEN_PREFIX = "pr_"
FORGOT_PASSWORD_MESSAGE = (
    "If an account exists for this email address, a link to reset its password has been sent."
)


async def request_password_reset(session: AsyncSession, settings: Settings, email: str) -> None:
    """Email a reset link to an active account; do nothing, visibly the same, otherwise."""
    user = (
        await session.execute(select(User).where(User.email == normalize_email(email)))
    ).scalar_one_or_none()
    if user is None or not user.is_active:
        return
    raw = RESET_TOKEN_PREFIX + random_token(40)
    now = utcnow()
    session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=sha256_hex(raw),
            created_at=now,
            expires_at=now + timedelta(minutes=settings.password_reset_ttl_minutes),
        )
    )
    await session.flush()
    link = f"{settings.base_url.rstrip('/')}/reset-password?token={quote(raw)}"
    await queue_email(
        session,
        settings,
        organization_id=None,
        to=user.email,
        subject=f"Reset your {settings.app_name} password",
        template="password_reset",
        body=_reset_body(settings, user, link),
    )


def _reset_body(settings: Settings, user: User, link: str) -> str:
    return (
        f"Hello {user.name},\n\n"
        f"Someone (hopefully you) asked to reset the password of your {settings.app_name} "
        f"account. Open this link to choose a new password:\n\n{link}\n\n"
        f"The link works once and expires in {settings.password_reset_ttl_minutes} minutes. "
        "If you did not ask for this, ignore this email: your password stays as it is.\n"
    )


async def reset_password(
    session: AsyncSession, settings: Settings, data: ResetPasswordRequest
) -> User:
    """Spend the token, set the new password and end every sign-in of the account."""
    now = utcnow()
    spent = await session.execute(
        update(PasswordResetToken)
        .where(
            PasswordResetToken.token_hash == sha256_hex(data.token),
            PasswordResetToken.used_at.is_(None),
            PasswordResetToken.expires_at > now,
        )
        .values(used_at=now)
        .returning(PasswordResetToken.user_id)
        .execution_options(synchronize_session=False)
    )
    user_id = spent.scalar_one_or_none()
    user = await session.get(User, user_id) if user_id is not None else None
    if user is None or not user.is_active:
        raise ResetTokenInvalid("This password reset link is invalid, used or expired")
    user.password_hash = await hash_password(data.password)
    user.password_changed_at = now
    # Other links sent before this one are no longer wanted.
    await session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    await sessions.revoke_all_sessions(session, user.id, reason="password_reset")
    await notify_security_change(session, settings, user, what="password")
    await record_event(
        session,
        "user.password_reset",
        organization_id=user.current_organization_id,
        object_type="user",
        object_id=user.id,
        actor_user_id=user.id,
    )
    await session.flush()
    return user


async def change_password(
    session: AsyncSession, settings: Settings, auth: AuthContext, data: PasswordChange
) -> None:
    """A new password for the caller; every other sign-in of theirs ends."""
    user = auth.user
    if not await verify_password(data.current_password, user.password_hash):
        raise CurrentPasswordIncorrect()
    user.password_hash = await hash_password(data.new_password)
    user.password_changed_at = utcnow()
    await sessions.revoke_all_sessions(
        session, user.id, reason="password_changed", except_session_id=auth.session_id
    )
    await notify_security_change(session, settings, user, what="password")
    await record_event(
        session,
        "user.password_changed",
        organization_id=auth.organization_id,
        object_type="user",
        object_id=user.id,
    )
    await session.flush()
