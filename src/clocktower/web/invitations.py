"""The invitation link: `/invitations/{token}` shows the invitation and accepts it by
creating the invited account (an existing account accepts through the API, signed in).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from clocktower.account.errors import EmailTaken
from clocktower.db import DbSession
from clocktower.errors import AppError, ValidationFailed
from clocktower.team.errors import InvitationExpired, InvitationNotFound
from clocktower.team.schemas import InvitationAcceptance
from clocktower.web import service as web_service
from clocktower.web.pages import (
    CSRF_FIELD,
    Csrf,
    base_url,
    client_info,
    form_expired,
    form_fields,
    message_page,
    page,
    rate_limited,
    validated,
)

router = APIRouter(prefix="/invitations", include_in_schema=False)

csrf = Csrf("clocktower_invitation_csrf", "/invitations")
# The API's public invitation routes and these pages share one budget per address.
InvitationLimit = Annotated[Response | None, rate_limited("invitations")]
FORM_FIELDS = ("name", "password", "password_confirmation")
# As the API's path parameter: longer is no token of ours.
MAX_TOKEN_LENGTH = 100


@dataclass(frozen=True)
class Details:
    """What the page shows, copied out of the ORM objects so a rollback cannot expire it."""

    token: str
    organization_name: str
    role_title: str
    role: str
    email: str
    expires_at: datetime
    invited_by: str | None
    account_exists: bool

    @property
    def path(self) -> str:
        return _path(self.token)


@router.get("/{token}")
async def show_invitation(
    token: str, request: Request, session: DbSession, limited: InvitationLimit
) -> Response:
    if limited is not None:
        return limited
    try:
        details = await _open(session, token)
    except (InvitationNotFound, InvitationExpired) as error:
        return _unavailable(request, error)
    if details.account_exists:
        return _invitation_page(request, details, token=None)
    csrf_token = csrf.current_or_new(request)
    response = _invitation_page(request, details, token=csrf_token)
    csrf.set(request, response, csrf_token)
    return response


@router.post("/{token}")
async def accept_invitation(
    token: str, request: Request, session: DbSession, limited: InvitationLimit
) -> Response:
    if limited is not None:
        return limited
    raw = await form_fields(request)
    csrf_token = csrf.verified(request, raw)
    if csrf_token is None:
        return form_expired(request, _path(token), "Back to the invitation")
    try:
        details = await _open(session, token)
    except (InvitationNotFound, InvitationExpired) as error:
        return _unavailable(request, error)
    if details.account_exists:
        return _invitation_page(request, details, token=None, status_code=409)
    values = {"name": raw.get("name", "").strip()}
    try:
        data = validated(
            InvitationAcceptance,
            {field: raw.get(field, "") for field in FORM_FIELDS},
            password="password",
            confirmation="password_confirmation",
        )
    except ValidationFailed as error:
        return _invitation_page(
            request, details, token=csrf_token, values=values, errors=error.errors or {}
        )
    try:
        acceptance = await web_service.accept_invitation_as_new_account(
            session, request.app.state.settings, token, data, client_info(request)
        )
    except AppError as error:
        # The handler answers itself instead of raising, so undo anything written here.
        await session.rollback()
        if isinstance(error, (InvitationNotFound, InvitationExpired)):
            return _unavailable(request, error)
        if isinstance(error, EmailTaken):
            # Created a moment ago by someone else: that account accepts through the API.
            details = replace(details, account_exists=True)
            return _invitation_page(request, details, token=None, status_code=409)
        if isinstance(error, ValidationFailed):
            return _invitation_page(
                request, details, token=csrf_token, values=values, errors=error.errors or {}
            )
        raise
    response = page(
        request,
        "invitation_accepted.html",
        {
            "organization_name": acceptance.organization.name,
            "email": acceptance.user.email,
            "role_title": details.role_title,
            "base_url": base_url(request),
        },
    )
    csrf.clear(response)
    return response


# --- helpers -------------------------------------------------------------------------------


async def _open(session: DbSession, token: str) -> Details:
    if len(token) > MAX_TOKEN_LENGTH:
        raise InvitationNotFound()
    opened = await web_service.open_invitation(session, token)
    invitation = opened.found.invitation
    return Details(
        token=token,
        organization_name=opened.found.organization.name,
        role_title=invitation.role.title,
        role=invitation.role.moniker,
        email=invitation.email,
        expires_at=invitation.expires_at,
        invited_by=opened.found.invited_by,
        account_exists=opened.account_exists,
    )


def _path(token: str) -> str:
    return f"/invitations/{quote(token, safe='')}"


def _unavailable(request: Request, error: InvitationNotFound | InvitationExpired) -> Response:
    if isinstance(error, InvitationExpired):
        return message_page(
            request,
            "This invitation has expired",
            "Invitations are valid for a limited time. Ask whoever invited you to send it "
            "again; the new email holds a fresh link.",
            status_code=410,
        )
    return message_page(
        request,
        "This invitation is no longer valid",
        "It was already accepted, revoked, or replaced by a newer invitation, or the link is "
        "incomplete. Check that you opened the latest invitation email, or ask for a new one.",
        status_code=404,
    )


def _invitation_page(
    request: Request,
    details: Details,
    *,
    token: str | None,
    values: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    status_code: int | None = None,
) -> Response:
    """The invitation with its form (token given) or the sign-in explanation (no token)."""
    if status_code is None:
        status_code = 400 if errors else 200
    return page(
        request,
        "invitation.html",
        {
            "invitation": details,
            "csrf_field": CSRF_FIELD,
            "csrf_token": token,
            "values": values or {},
            "errors": errors or {},
            "base_url": base_url(request),
        },
        status_code=status_code,
    )
