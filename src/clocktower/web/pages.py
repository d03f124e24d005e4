"""What every server-rendered page shares: rendering, security headers, CSRF, forms, limits.

Forms are protected by a double-submit CSRF token: a random value in a SameSite=Strict,
HttpOnly cookie scoped to the page's path that must equal the form's hidden field.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from clocktower.account.service import ClientInfo
from clocktower.auth.dependencies import PublicRateLimit, client_ip
from clocktower.errors import RateLimited, ValidationFailed
from clocktower.kit.tokens import constant_time_equals

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")

CSRF_FIELD = "csrf_token"
CSRF_MAX_AGE = 3600

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
# Set by PageRateLimit, added to every page of the request.
_RATE_HEADERS = "web_rate_limit_headers"


def page(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    response = templates.TemplateResponse(
        request, template, {"app_name": request.app.state.settings.app_name, **context}
    )
    response.status_code = status_code
    response.headers.update(getattr(request.state, _RATE_HEADERS, {}))
    response.headers.update(headers or {})
    response.headers.update(SECURITY_HEADERS)
    return response


def message_page(
    request: Request,
    title: str,
    message: str,
    *,
    status_code: int,
    link: tuple[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    return page(
        request,
        "message.html",
        {"title": title, "message": message, "link": link},
        status_code=status_code,
        headers=headers,
    )


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def client_info(request: Request) -> ClientInfo:
    return ClientInfo(
        user_agent=(request.headers.get("user-agent") or "")[:500] or None,
        ip_address=client_ip(request),
    )


async def form_fields(request: Request) -> dict[str, str]:
    """The posted form's text fields (a file upload is no answer to any of our fields)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


# --- CSRF ----------------------------------------------------------------------------------


class Csrf:
    """One page's double-submit token: its cookie lives only under the page's path."""

    def __init__(self, cookie: str, path: str) -> None:
        self.cookie = cookie
        self.path = path

    def current(self, request: Request) -> str | None:
        value = request.cookies.get(self.cookie)
        if value and 32 <= len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum():
            return value
        return None

    def current_or_new(self, request: Request) -> str:
        # Reloading the page keeps the token, so a second tab's form stays valid.
        return self.current(request) or secrets.token_urlsafe(32)

    def verified(self, request: Request, fields: dict[str, str]) -> str | None:
        """The token when the form carries the cookie's value, else None."""
        token = self.current(request)
        submitted = fields.get(CSRF_FIELD, "")
        if token is None or not submitted or not constant_time_equals(token, submitted):
            return None
        return token

    def set(self, request: Request, response: Response, token: str) -> None:
        response.set_cookie(
            self.cookie,
            token,
            max_age=CSRF_MAX_AGE,
            path=self.path,
            secure=request.url.scheme == "https",
            httponly=True,
            samesite="strict",
        )

    def clear(self, response: Response) -> None:
        response.delete_cookie(self.cookie, path=self.path, samesite="strict", httponly=True)


def form_expired(request: Request, back: str, label: str) -> Response:
    return message_page(
        request,
        "This form has expired",
        "The form was not sent from this page or has expired. Reload the page and try again.",
        status_code=403,
        link=(back, label),
    )


# --- form validation -----------------------------------------------------------------------


M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], payload: dict[str, Any], *, password: str, confirmation: str) -> M:
    """The form as the API's request model, or ValidationFailed with per-field messages."""
    errors: dict[str, list[str]] = {}
    if payload.get(password) != payload.get(confirmation):
        errors[confirmation] = ["The passwords do not match"]
    try:
        data = model.model_validate(payload)
    except ValidationError as error:
        for problem in error.errors():
            loc = problem.get("loc") or ()
            if not loc:
                continue  # the model's own confirmation check, reported above
            errors.setdefault(str(loc[0]), []).append(field_message(problem))
    if errors:
        raise ValidationFailed(errors)
    return data


def field_message(problem: ErrorDetails) -> str:
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


# --- rate limit ----------------------------------------------------------------------------


class PageRateLimit:
    """The API's per-address public limit (same buckets), answered as a page when exceeded.

    Returns the refusal page, or None when the request may go on; the limit's headers
    are then added to whatever page the handler renders.
    """

    def __init__(self, bucket: str) -> None:
        self.limit = PublicRateLimit(bucket)

    async def __call__(self, request: Request) -> Response | None:
        scratch = Response()
        try:
            await self.limit(request, scratch)
        except RateLimited as error:
            return message_page(
                request,
                "Too many requests",
                "Too many requests came from your address. Wait a minute, then try again.",
                status_code=429,
                headers=error.headers,
            )
        setattr(
            request.state,
            _RATE_HEADERS,
            {k: v for k, v in scratch.headers.items() if k.lower().startswith("x-ratelimit")},
        )
        return None


def rate_limited(bucket: str) -> Any:
    """`limited: Annotated[Response | None, rate_limited("bucket")]`."""
    return Depends(PageRateLimit(bucket))
