"""Single sign-on over HTTP (public, rate limited per address): parse, call one service function.

Mounted under /api/v1 by api.py. The flow: GET /auth/sso/providers lists the sign-in
buttons; GET /auth/sso/{provider}/authorize gives the URL to send the browser to; the
provider sends the browser back to the redirect URI with `code` and `state`, which reach
GET /auth/sso/{provider}/callback (directly, or forwarded by a front end) and answer like
POST /auth/login. Refresh and sign-out are the ordinary /auth routes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from clocktower.account.schemas import SignedIn, UserSummary
from clocktower.account.service import ClientInfo
from clocktower.auth.dependencies import PublicRateLimit, bind_audit_actor, client_ip
from clocktower.db import DbSession
from clocktower.errors import error_responses
from clocktower.integrations.oidc import service as sso_service
from clocktower.integrations.oidc.errors import (
    SsoProviderError,
    SsoProviderNotFound,
    SsoSignInDenied,
    SsoStateInvalid,
    SsoUserNotAllowed,
)
from clocktower.integrations.oidc.schemas import (
    SsoAuthorization,
    SsoProviderList,
    SsoProviderRead,
)
from clocktower.routing import AppRoute

router = APIRouter(prefix="/auth/sso", tags=["auth"], route_class=AppRoute)

SsoRateLimit = Depends(PublicRateLimit("sso"))
ProviderKey = Annotated[str, Path(max_length=40, description="The provider's configured key")]


@router.get("/providers", dependencies=[SsoRateLimit])
async def list_providers(request: Request) -> SsoProviderList:
    """The configured single sign-on providers (empty when SSO is not set up)."""
    providers = sso_service.list_providers(request.app.state.settings)
    return SsoProviderList(providers=[SsoProviderRead(key=p.key, name=p.name) for p in providers])


@router.get(
    "/{provider}/authorize",
    dependencies=[SsoRateLimit],
    responses=error_responses(SsoProviderNotFound, SsoProviderError),
)
async def start_sign_in(
    provider: ProviderKey, request: Request, session: DbSession
) -> SsoAuthorization:
    """Start a sign-in: send the browser to `authorization_url` (code flow, PKCE S256)."""
    authorization = await sso_service.start_sign_in(session, request.app.state.settings, provider)
    return SsoAuthorization(authorization_url=authorization.url, state=authorization.state)


@router.get(
    "/{provider}/callback",
    dependencies=[SsoRateLimit],
    responses=error_responses(
        SsoProviderNotFound, SsoStateInvalid, SsoSignInDenied, SsoUserNotAllowed, SsoProviderError
    ),
)
async def finish_sign_in(
    provider: ProviderKey,
    request: Request,
    session: DbSession,
    state: Annotated[str, Query(min_length=1, max_length=200)],
    code: Annotated[str | None, Query(min_length=1, max_length=4096)] = None,
    error: Annotated[
        str | None, Query(max_length=200, description="Set by the provider instead of code")
    ] = None,
) -> SignedIn:
    """Finish a sign-in with the provider's `code` and `state`; answers like /auth/login."""
    bind_audit_actor(request, session, user_id=None, organization_id=None)
    signed_in = await sso_service.finish_sign_in(
        session,
        request.app.state.settings,
        provider,
        state=state,
        code=code,
        error=error,
        client=ClientInfo(
            user_agent=(request.headers.get("user-agent") or "")[:500] or None,
            ip_address=client_ip(request),
        ),
    )
    return SignedIn(
        user=UserSummary.of(signed_in.user, None),
        token=signed_in.tokens.access_token,
        refresh_token=signed_in.tokens.refresh_token,
        expires_in=signed_in.tokens.expires_in,
    )
