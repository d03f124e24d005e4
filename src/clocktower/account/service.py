"""Account use cases: register, sign in, refresh, sign out, the current user's profile."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.account import sessions
from clocktower.account.errors import (
    CurrentPasswordIncorrect,
    EmailTaken,
    InvalidCredentials,
    RegistrationClosed,
    UsernameTaken,
)
from clocktower.account.notices import notify_security_change
from clocktower.account.schemas import LoginRequest, RegisterRequest, UserUpdate
from clocktower.audit.recorder import record_event
from clocktower.auth.context import AuthContext
from clocktower.auth.passwords import hash_password, verify_password
from clocktower.config import Settings
from clocktower.errors import ValidationFailed
from clocktower.kit.time import is_valid_timezone, utcnow
from clocktower.models import Organization, User
from clocktower.organization.service import create_organization_for


@dataclass(frozen=True)
class ClientInfo:
    user_agent: str | None
    ip_address: str | None


def normalize_email(email: str) -> str:
    return email.strip().lower()


async def email_taken(session: AsyncSession, email: str) -> bool:
    found = await session.execute(select(User.id).where(User.email == normalize_email(email)))
    return found.first() is not None


async def create_user(
    session: AsyncSession,
    *,
    name: str,
    email: str,
    password: str,
    timezone: str,
    is_superuser: bool = False,
    taken_message: str = "An account with this email already exists",
) -> User:
    """A new account with a password; its email is unique (409 `email_taken`)."""
    if await email_taken(session, email):
        raise EmailTaken(taken_message)
    user = User(
        name=name,
        email=normalize_email(email),
        password_hash=await hash_password(password),
        timezone=timezone,
        password_changed_at=utcnow(),
        is_superuser=is_superuser,
    )
    session.add(user)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as error:  # a concurrent registration won the unique index
        raise EmailTaken(taken_message) from error
    return user


async def sign_in(
    session: AsyncSession,
    settings: Settings,
    user: User,
    client: ClientInfo,
    *,
    details: dict[str, str] | None = None,
) -> sessions.TokenPair:
    """Start a sign-in session for a verified user and record it in the audit log."""
    user.last_login_at = utcnow()
    pair = await sessions.start_session(
        session, settings, user, user_agent=client.user_agent, ip_address=client.ip_address
    )
    await record_event(
        session,
        "user.login",
        organization_id=user.current_organization_id,
        object_type="user",
        object_id=user.id,
        actor_user_id=user.id,
        details=details,
    )
    return pair


async def register(
    session: AsyncSession, settings: Settings, data: RegisterRequest, client: ClientInfo
) -> tuple[User, Organization, sessions.TokenPair]:
    """A new user and their organisation, signed in."""
    if not settings.allow_registration and await _has_users(session):
        raise RegistrationClosed("Registration is closed on this installation; ask for an invite")
    timezone = data.timezone or "UTC"
    if not is_valid_timezone(timezone):
        raise ValidationFailed.field("timezone", "Unknown time zone")
    user = await create_user(
        session,
        name=data.name,
        email=data.email,
        password=data.password,
        timezone=timezone,
        # The first account of an installation operates it.
        is_superuser=not await _has_users(session),
    )
    organization = await create_organization_for(
        session, user, name=data.organization_name, timezone=timezone
    )
    pair = await sessions.start_session(
        session, settings, user, user_agent=client.user_agent, ip_address=client.ip_address
    )
    return user, organization, pair


async def _has_users(session: AsyncSession) -> bool:
    return bool((await session.execute(select(func.count(User.id)))).scalar_one())


async def login(
    session: AsyncSession, settings: Settings, data: LoginRequest, client: ClientInfo
) -> tuple[User, sessions.TokenPair]:
    identifier = (data.email or data.username or "").strip()
    statement = select(User).where(
        (User.email == normalize_email(identifier)) | (User.username == identifier)
    )
    user = (await session.execute(statement)).scalars().first()
    valid = await verify_password(data.password, user.password_hash if user else None)
    if user is None or not valid or not user.is_active:
        raise InvalidCredentials("The email/username or password is incorrect")
    pair = await sign_in(session, settings, user, client)
    return user, pair


async def refresh(
    session: AsyncSession, settings: Settings, raw_token: str | None
) -> tuple[User, sessions.TokenPair]:
    if not raw_token:
        raise ValidationFailed.field(
            "refresh_token", "Send refresh_token in the body or the x-refresh-token header"
        )
    return await sessions.rotate(session, settings, raw_token)


async def logout(session: AsyncSession, auth: AuthContext) -> None:
    """Ends the current sign-in; an API token is revoked through its own endpoint."""
    if auth.session_id is not None:
        await sessions.revoke_session(session, auth.session_id, reason="logout")


async def update_profile(
    session: AsyncSession, settings: Settings, auth: AuthContext, data: UserUpdate
) -> User:
    """PATCH /users/me: the fields sent change; a new email needs the current password."""
    user = auth.user
    changes = data.model_dump(exclude_unset=True)
    current_password = changes.pop("current_password", None)
    if "email" in changes:
        changes["email"] = normalize_email(changes["email"])
        if changes["email"] == user.email:
            del changes["email"]
        else:
            await _confirm_password(user, current_password)
            if await email_taken(session, changes["email"]):
                raise EmailTaken("An account with this email already exists")
    username = changes.get("username")
    if (
        username is not None
        and username != user.username
        and await _username_taken(session, username)
    ):
        raise UsernameTaken(f"The username {username!r} is taken")
    previous_email = user.email
    for field, value in changes.items():
        setattr(user, field, value)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as error:
        # Someone took the email or username between the check and the write.
        if "email" in changes:
            raise EmailTaken("An account with this email already exists") from error
        raise UsernameTaken("This username is taken") from error
    if "email" in changes:
        # To the old address: the one a hijacker would not control.
        await notify_security_change(
            session, settings, user, what="sign-in email", to=previous_email
        )
    return user


async def _confirm_password(user: User, password: str | None) -> None:
    if not password:
        raise ValidationFailed.field(
            "current_password", "Your current password is required to change your email"
        )
    if not await verify_password(password, user.password_hash):
        raise CurrentPasswordIncorrect()


async def _username_taken(session: AsyncSession, username: str) -> bool:
    found = await session.execute(select(User.id).where(User.username == username))
    return found.first() is not None
