"""The AppError tree: every failure leaves as the seed 002 error body.

`{"error": <short title>, "message": <sentence>, "error_code": <stable snake code>}`
plus `errors` (per field) for validation and `required_scope` / `available_scopes`
for scope failures.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict


class RowError(BaseModel):
    """One bad row of an uploaded file (the CSV import reports these)."""

    row: int
    field: str
    message: str


class ErrorBody(BaseModel):
    """The standard error body of every 4xx and 5xx answer."""

    model_config = ConfigDict(extra="allow")

    error: str
    message: str
    error_code: str
    # Per field for validation; per row (a list) when a whole uploaded file is refused.
    errors: dict[str, list[str]] | list[RowError] | None = None


class AppError(Exception):
    status_code: ClassVar[int] = 500
    error_code: ClassVar[str] = "internal_error"
    title: ClassVar[str] = "Internal server error"
    # An error that must not undo what the request wrote before it (refresh-token reuse
    # revokes the session family, then answers 401).
    keeps_changes: ClassVar[bool] = False

    def __init__(
        self,
        message: str | None = None,
        *,
        errors: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        self.message = message or self.title
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "error": self.title,
            "message": self.message,
            "error_code": self.error_code,
        }
        if self.errors is not None:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


class BadRequest(AppError):
    status_code = 400
    error_code = "bad_request"
    title = "Bad request"


class ValidationFailed(BadRequest):
    error_code = "validation_error"
    title = "Validation failed"

    def __init__(self, errors: dict[str, list[str]], message: str = "Validation failed") -> None:
        super().__init__(message, errors=errors)

    @classmethod
    def field(cls, field: str, message: str) -> ValidationFailed:
        return cls({field: [message]}, message=message)


class MalformedJson(BadRequest):
    error_code = "invalid_json"
    title = "Malformed JSON"


class Unauthorized(AppError):
    status_code = 401
    error_code = "unauthorized"
    title = "Authentication required"


class InvalidToken(Unauthorized):
    title = "Invalid token"


class TokenExpired(Unauthorized):
    error_code = "token_expired"
    title = "Token expired"


class Forbidden(AppError):
    status_code = 403
    error_code = "forbidden"
    title = "Forbidden"


class ScopeMissing(Forbidden):
    title = "Insufficient permissions"

    def __init__(self, required_scope: str, available_scopes: list[str]) -> None:
        super().__init__(
            f"This endpoint requires the '{required_scope}' scope",
            required_scope=required_scope,
            available_scopes=available_scopes,
        )


class PermissionMissing(Forbidden):
    title = "Insufficient permissions"

    def __init__(self, permission: str) -> None:
        super().__init__(
            f"You need the '{permission}' permission to do this",
            required_permission=permission,
        )


class NotFound(AppError):
    status_code = 404
    error_code = "not_found"
    title = "Not found"

    def __init__(self, what: str = "Resource", message: str | None = None) -> None:
        super().__init__(message or f"{what} not found")


class MethodNotAllowed(AppError):
    status_code = 405
    error_code = "method_not_allowed"
    title = "Method not allowed"


class Conflict(AppError):
    status_code = 409
    error_code = "conflict"
    title = "Conflict"


class PayloadTooLarge(AppError):
    status_code = 413
    error_code = "payload_too_large"
    title = "Payload too large"


class UnsupportedMediaType(AppError):
    status_code = 415
    error_code = "unsupported_media_type"
    title = "Unsupported media type"


class InvalidReference(AppError):
    """An id in the body that does not resolve inside the caller's organisation."""

    status_code = 422
    error_code = "invalid_reference"
    title = "Invalid reference"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, errors={field: [message]})


class RateLimited(AppError):
    status_code = 429
    error_code = "rate_limited"
    title = "Too many requests"


class ServiceUnavailable(AppError):
    status_code = 503
    error_code = "service_unavailable"
    title = "Service unavailable"


def error_responses(*errors: type[AppError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for a route from the AppError classes it can raise."""
    by_status: dict[int, list[type[AppError]]] = {}
    for error in errors:
        by_status.setdefault(error.status_code, []).append(error)
    return {
        status: {
            "model": ErrorBody,
            "description": "; ".join(f"{e.title} (`{e.error_code}`)" for e in classes),
        }
        for status, classes in sorted(by_status.items())
    }
