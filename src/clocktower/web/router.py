"""The first-run page: `/` and `/setup` (HTML, outside /api/v1, not in the OpenAPI document).

`POST /setup` is protected by a double-submit CSRF token: a random value in a
SameSite=Strict cookie that must equal the form's hidden field.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from zoneinfo import available_timezones

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from clocktower.account.schemas import RegisterRequest
from clocktower.account.service import ClientInfo
from clocktower.auth.dependencies import client_ip
from clocktower.db import DbSession
from clocktower.errors import AppError, NotFound, ValidationFailed
from clocktower.kit.tokens import constant_time_equals
from clocktower.web import service as web_service
from clocktower.web.errors import SetupAlreadyDone

HERE = Path(__file__).resolve().parent
STATIC_FILES = {path.name: path for path in (HERE / "static").iterdir() if path.is_file()}

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=HERE / "templates")

CSRF_COOKIE = "clocktower_setup_csrf"
CSRF_FIELD = "csrf_token"
CSRF_MAX_AGE = 3600
FORM_FIELDS = ("name", "email", "password", "password_confirmation", "organization_name")
# What the form shows again after an error; passwords are never sent back.
KEPT_FIELDS = ("name", "email", "organization_name", "timezone")
DEFAULT_TIMEZONE = "UTC"
TIMEZONES = sorted(available_timezones() | {DEFAULT_TIMEZONE})

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'none'"
    ),
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


@router.get("/")
async def home(session: DbSession) -> RedirectResponse:
    """A fresh installation opens on the first-run page; a set-up one on the API docs."""
    target = "/setup" if await web_service.setup_required(session) else "/api/docs"
    return RedirectResponse(target, status_code=303)


@router.get("/setup")
async def show_setup(request: Request, session: DbSession) -> Response:
    if not await web_service.setup_required(session):
        return _page(request, "setup_done.html", {})
    token = _csrf_cookie(request) or secrets.token_urlsafe(32)
    response = _form(request, token, values={"timezone": DEFAULT_TIMEZONE}, errors={})
    _set_csrf_cookie(request, response, token)
    return response


@router.post("/setup")
async def complete_setup(request: Request, session: DbSession) -> Response:
    form = await request.form()
    raw = {key: value for key, value in form.items() if isinstance(value, str)}
    token = _csrf_cookie(request)
    submitted = raw.get(CSRF_FIELD, "")
    if token is None or not submitted or not constant_time_equals(token, submitted):
        return _page(
            request,
            "message.html",
            {
                "title": "This form has expired",
                "message": "The form was not sent from this page or has expired. "
                "Reload the set-up page and try again.",
                "link": ("/setup", "Back to set-up"),
            },
            status_code=403,
        )
    if not await web_service.setup_required(session):
        return _already_set_up(request)
    values = {key: raw.get(key, "").strip() for key in KEPT_FIELDS}
    values["timezone"] = values["timezone"] or DEFAULT_TIMEZONE
    try:
        data = _registration(raw, values)
    except ValidationFailed as error:
        return _form(request, token, values=values, errors=error.errors or {}, status_code=400)
    try:
        user, organization = await web_service.complete_setup(
            session,
            request.app.state.settings,
            data,
            ClientInfo(
                user_agent=(request.headers.get("user-agent") or "")[:500] or None,
                ip_address=client_ip(request),
            ),
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
    response = _page(
        request,
        "setup_complete.html",
        {"email": user.email, "organization_name": organization.name, "base_url": _base(request)},
    )
    response.delete_cookie(CSRF_COOKIE, path="/setup", samesite="strict", httponly=True)
    return response


@router.get("/static/{name}")
async def static_file(name: str) -> FileResponse:
    path = STATIC_FILES.get(name)
    if path is None:
        raise NotFound("File")
    return FileResponse(path, headers={"Cache-Control": "public, max-age=3600"})


# --- helpers -------------------------------------------------------------------------------


def _registration(raw: dict[str, str], values: dict[str, str]) -> RegisterRequest:
    """The form as the API's registration request, or ValidationFailed with per-field messages."""
    payload: dict[str, Any] = {field: raw.get(field, "") for field in FORM_FIELDS}
    payload["timezone"] = values["timezone"]
    errors: dict[str, list[str]] = {}
    if payload["password"] != payload["password_confirmation"]:
        errors["password_confirmation"] = ["The passwords do not match"]
    try:
        data = RegisterRequest.model_validate(payload)
    except ValidationError as error:
        for problem in error.errors():
            loc = problem.get("loc") or ()
            if not loc:
                continue  # the model's own confirmation check, reported above
            errors.setdefault(str(loc[0]), []).append(_message(problem))
    if errors:
        raise ValidationFailed(errors)
    return data


def _message(problem: ErrorDetails) -> str:
    kind = problem.get("type")
    context = problem.get("ctx") or {}
    if kind in ("missing", "string_too_short") and context.get("min_length", 1) <= 1:
        return "This field is required"
    if kind == "string_too_short":
        return f"Use at least {context['min_length']} characters"
    if kind == "string_too_long":
        return f"Use at most {context['max_length']} characters"
    if kind == "value_error" and problem.get("loc") == ("email",):
        return "Enter a valid email address"
    return str(problem.get("msg", "Invalid value"))


def _already_set_up(request: Request) -> Response:
    return _page(
        request,
        "message.html",
        {
            "title": "Already set up",
            "message": "This installation already has its first account. "
            "Sign in through the API instead.",
            "link": ("/api/docs", "Open the API documentation"),
        },
        status_code=409,
    )


def _csrf_cookie(request: Request) -> str | None:
    value = request.cookies.get(CSRF_COOKIE)
    if value and 32 <= len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum():
        return value
    return None


def _set_csrf_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        CSRF_COOKIE,
        token,
        max_age=CSRF_MAX_AGE,
        path="/setup",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _form(
    request: Request,
    token: str,
    *,
    values: dict[str, str],
    errors: dict[str, list[str]],
    status_code: int = 200,
) -> Response:
    return _page(
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


def _page(
    request: Request, template: str, context: dict[str, Any], *, status_code: int = 200
) -> Response:
    response = templates.TemplateResponse(
        request, template, {"app_name": request.app.state.settings.app_name, **context}
    )
    response.status_code = status_code
    response.headers.update(SECURITY_HEADERS)
    return response
