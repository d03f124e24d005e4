"""The first-run page: `/` and `/setup` (the installation's first account)."""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from clocktower.account.schemas import RegisterRequest
from clocktower.db import DbSession
from clocktower.errors import AppError, ValidationFailed
from clocktower.web import service as web_service
from clocktower.web.errors import SetupAlreadyDone
from clocktower.web.pages import (
    CSRF_FIELD,
    Csrf,
    base_url,
    client_info,
    form_expired,
    form_fields,
    message_page,
    page,
    validated,
)

router = APIRouter(include_in_schema=False)

csrf = Csrf("clocktower_setup_csrf", "/setup")
FORM_FIELDS = ("name", "email", "password", "password_confirmation", "organization_name")
# What the form shows again after an error; passwords are never sent back.
KEPT_FIELDS = ("name", "email", "organization_name", "timezone")
DEFAULT_TIMEZONE = "UTC"
TIMEZONES = sorted(available_timezones() | {DEFAULT_TIMEZONE})


@router.get("/")
async def home(session: DbSession) -> RedirectResponse:
    """A fresh installation opens on the first-run page; a set-up one on the API docs."""
    target = "/setup" if await web_service.setup_required(session) else "/api/docs"
    return RedirectResponse(target, status_code=303)


@router.get("/setup")
async def show_setup(request: Request, session: DbSession) -> Response:
    if not await web_service.setup_required(session):
        return page(request, "setup_done.html", {})
    token = csrf.current_or_new(request)
    response = _form(request, token, values={"timezone": DEFAULT_TIMEZONE}, errors={})
    csrf.set(request, response, token)
    return response


@router.post("/setup")
async def complete_setup(request: Request, session: DbSession) -> Response:
    raw = await form_fields(request)
    token = csrf.verified(request, raw)
    if token is None:
        return form_expired(request, "/setup", "Back to set-up")
    if not await web_service.setup_required(session):
        return _already_set_up(request)
    values = {key: raw.get(key, "").strip() for key in KEPT_FIELDS}
    values["timezone"] = values["timezone"] or DEFAULT_TIMEZONE
    payload: dict[str, Any] = {field: raw.get(field, "") for field in FORM_FIELDS}
    payload["timezone"] = values["timezone"]
    try:
        data = validated(
            RegisterRequest, payload, password="password", confirmation="password_confirmation"
        )
    except ValidationFailed as error:
        return _form(request, token, values=values, errors=error.errors or {}, status_code=400)
    try:
        user, organization = await web_service.complete_setup(
            session, request.app.state.settings, data, client_info(request)
        )
    except AppError as error:
        # The handler answers itself instead of raising, so undo anything written here.
        await session.rollback()
        if isinstance(error, SetupAlreadyDone):
            return _already_set_up(request)
        if isinstance(error, ValidationFailed):
            errors = error.errors or {}
            return _form(request, token, values=values, errors=errors, status_code=400)
        raise
    response = page(
        request,
        "setup_complete.html",
        {
            "email": user.email,
            "organization_name": organization.name,
            "base_url": base_url(request),
        },
    )
    csrf.clear(response)
    return response


def _already_set_up(request: Request) -> Response:
    return message_page(
        request,
        "Already set up",
        "This installation already has its first account. Sign in through the API instead.",
        status_code=409,
        link=("/api/docs", "Open the API documentation"),
    )


def _form(
    request: Request,
    token: str,
    *,
    values: dict[str, str],
    errors: dict[str, list[str]],
    status_code: int = 200,
) -> Response:
    return page(
        request,
        "setup_form.html",
        {
            "csrf_field": CSRF_FIELD,
            "csrf_token": token,
            "values": values,
            "errors": errors,
            "timezones": TIMEZONES,
        },
        status_code=status_code,
    )
