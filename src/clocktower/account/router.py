"""Accounts over HTTP: parse, authorise, call one service function.

`router` holds /auth (sign-in and passwords); `preferences_router` holds /preferences.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request

from clocktower.account import passwords
from clocktower.account import preferences as preferences_service
from clocktower.account import service as account_service
from clocktower.account.errors import (
    EmailTaken,
    InvalidCredentials,
    RefreshTokenInvalid,
    RefreshTokenReused,
    RegistrationClosed,
    ResetTokenInvalid,
)
from clocktower.account.schemas import (
    ForgotPasswordRequest,
    LoginRequest,
    Message,
    OrganizationSummary,
    PreferencesAnswer,
    PreferencesUpdate,
    PreferencesUpdated,
    RefreshRequest,
    Registered,
    RegisterRequest,
    ResetPasswordRequest,
    SignedIn,
    UserSummary,
)
from clocktower.auth.dependencies import (
    CurrentUser,
    CurrentUserWrite,
    PublicRateLimit,
    client_ip,
)
from clocktower.db import DbSession
from clocktower.errors import error_responses
from clocktower.routing import AppRoute

router = APIRouter(prefix="/auth", tags=["auth"], route_class=AppRoute)

PublicAuthLimit = Depends(PublicRateLimit("auth"))


def _client(request: Request) -> account_service.ClientInfo:
    return account_service.ClientInfo(
        user_agent=(request.headers.get("user-agent") or "")[:500] or None,
        ip_address=client_ip(request),
    )


@router.post(
    "/register",
    status_code=201,
    dependencies=[PublicAuthLimit],
    responses=error_responses(EmailTaken, RegistrationClosed),
)
async def register(data: RegisterRequest, request: Request, session: DbSession) -> Registered:
    """Create a user and their organisation (seed 003), signed in."""
    user, organization, pair = await account_service.register(
        session, request.app.state.settings, data, _client(request)
    )
    return Registered(
        message="Registration successful",
        user=UserSummary.of(user, None),
        organization=OrganizationSummary.model_validate(organization),
        token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
    )


@router.post(
    "/login", dependencies=[PublicAuthLimit], responses=error_responses(InvalidCredentials)
)
async def login(data: LoginRequest, request: Request, session: DbSession) -> SignedIn:
    """Sign in with email or username and password."""
    user, pair = await account_service.login(
        session, request.app.state.settings, data, _client(request)
    )
    return SignedIn(
        user=UserSummary.of(user, None),
        token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
    )


@router.post(
    "/refresh",
    dependencies=[PublicAuthLimit],
    responses=error_responses(RefreshTokenInvalid, RefreshTokenReused),
)
async def refresh(
    request: Request,
    session: DbSession,
    data: RefreshRequest | None = None,
    x_refresh_token: Annotated[str | None, Header(max_length=200)] = None,
) -> SignedIn:
    """Trade a refresh token for a new pair; the old one is spent (rotation)."""
    raw = (data.refresh_token if data else None) or x_refresh_token
    user, pair = await account_service.refresh(session, request.app.state.settings, raw)
    return SignedIn(
        user=UserSummary.of(user, None),
        token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
    )


@router.post("/logout")
async def logout(auth: CurrentUser, session: DbSession) -> Message:
    """End the current sign-in: its access and refresh tokens stop working."""
    await account_service.logout(session, auth)
    return Message(message="Signed out")


@router.post("/forgot-password", dependencies=[PublicAuthLimit])
async def request_password_reset(
    data: ForgotPasswordRequest, request: Request, session: DbSession
) -> Message:
    """Email a one-time reset link; the answer is the same whether the account exists or not."""
    await passwords.request_password_reset(session, request.app.state.settings, data.email)
    return Message(message=passwords.FORGOT_PASSWORD_MESSAGE)


@router.post(
    "/reset-password",
    dependencies=[PublicAuthLimit],
    responses=error_responses(ResetTokenInvalid),
)
async def reset_password(
    data: ResetPasswordRequest, request: Request, session: DbSession
) -> Message:
    """Set a new password with an emailed token; every sign-in of the account ends."""
    await passwords.reset_password(session, request.app.state.settings, data)
    return Message(message="Your password has been reset; sign in with the new password")


preferences_router = APIRouter(prefix="/preferences", tags=["preferences"], route_class=AppRoute)


@preferences_router.get("")
async def get_preferences(auth: CurrentUser) -> PreferencesAnswer:
    """The caller's time zone, work week, work hours and display preferences (seed 003)."""
    return PreferencesAnswer(preferences=preferences_service.preferences_of(auth.user))


@preferences_router.put("")
async def update_preferences(
    data: PreferencesUpdate, auth: CurrentUserWrite, session: DbSession
) -> PreferencesUpdated:
    """Change some preferences: only the fields sent change."""
    user = await preferences_service.update_preferences(session, auth, data)
    return PreferencesUpdated(
        message="Preferences updated", preferences=preferences_service.preferences_of(user)
    )
