"""The password-reset link: `/reset-password?token=...` asks for the new password.

The page checks only the token's shape before the form is sent, so opening a link never
tells whether its token is valid; the reset service decides on submission.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from clocktower.account import passwords
from clocktower.account.errors import ResetTokenInvalid
from clocktower.account.schemas import ResetPasswordRequest
from clocktower.db import DbSession
from clocktower.errors import AppError, ValidationFailed
from clocktower.web.pages import (
    CSRF_FIELD,
    Csrf,
    base_url,
    form_expired,
    form_fields,
    page,
    rate_limited,
    validated,
)

router = APIRouter(include_in_schema=False)

PATH = "/reset-password"
csrf = Csrf("clocktower_reset_csrf", PATH)
# The API's reset route is in the "auth" bucket: the page gives no extra guesses.
ResetLimit = Annotated[Response | None, rate_limited("auth")]
FORM_FIELDS = ("token", "password", "password_confirmation")
# The prefix and alphabet of the emailed token, within the API's 200-character limit.
TOKEN_SHAPE = re.compile(re.escape(passwords.RESET_TOKEN_PREFIX) + r"[A-Za-z0-9_-]{1,190}")


@router.get(PATH)
async def show_reset_form(request: Request, limited: ResetLimit) -> Response:
    if limited is not None:
        return limited
    token = request.query_params.get("token", "")
    if not TOKEN_SHAPE.fullmatch(token):
        return _link_invalid(request)
    csrf_token = csrf.current_or_new(request)
    response = _form(request, token, csrf_token, errors={})
    csrf.set(request, response, csrf_token)
    return response


@router.post(PATH)
async def reset_password(request: Request, session: DbSession, limited: ResetLimit) -> Response:
    if limited is not None:
        return limited
    raw = await form_fields(request)
    csrf_token = csrf.verified(request, raw)
    token = raw.get("token", "")
    if csrf_token is None:
        back = f"{PATH}?token={token}" if TOKEN_SHAPE.fullmatch(token) else PATH
        return form_expired(request, back, "Back to the password reset")
    if not TOKEN_SHAPE.fullmatch(token):
        return _link_invalid(request)
    try:
        data = validated(
            ResetPasswordRequest,
            {field: raw.get(field, "") for field in FORM_FIELDS},
            password="password",
            confirmation="password_confirmation",
        )
    except ValidationFailed as error:
        return _form(request, token, csrf_token, errors=error.errors or {}, status_code=400)
    try:
        user = await passwords.reset_password(session, request.app.state.settings, data)
    except AppError as error:
        # The handler answers itself instead of raising, so undo anything written here.
        await session.rollback()
        if isinstance(error, ResetTokenInvalid):
            return _link_invalid(request)
        raise
    response = page(
        request, "reset_done.html", {"email": user.email, "base_url": base_url(request)}
    )
    csrf.clear(response)
    return response


def _link_invalid(request: Request) -> Response:
    return page(
        request,
        "reset_invalid.html",
        {
            "base_url": base_url(request),
            "ttl_minutes": request.app.state.settings.password_reset_ttl_minutes,
        },
        status_code=400,
    )


def _form(
    request: Request,
    token: str,
    csrf_token: str,
    *,
    errors: dict[str, list[str]],
    status_code: int = 200,
) -> Response:
    return page(
        request,
        "reset_form.html",
        {
            "csrf_field": CSRF_FIELD,
            "csrf_token": csrf_token,
            "token": token,
            "values": {},
            "errors": errors,
        },
        status_code=status_code,
    )
