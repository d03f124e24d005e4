"""Accounts over HTTP: parse, authorise, call one service function."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request

from clocktower.account import service as account_service
from clocktower.account.errors import (
    EmailTaken,
    InvalidCredentials,
    RefreshTokenInvalid,
    RefreshTokenReused,
    RegistrationClosed,
)
from clocktower.account.schemas import (
    LoginRequest,
    Message,
    OrganizationSummary,
    RefreshRequest,
    Registered,
    RegisterRequest,
    SignedIn,
    UserSummary,
)
from clocktower.auth.dependencies import CurrentUser, PublicRateLimit, client_ip
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
