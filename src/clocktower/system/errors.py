"""System errors."""

from __future__ import annotations

from clocktower.errors import AppError, ServiceUnavailable


class Teapot(AppError):
    status_code = 418
    error_code = "teapot"
    title = "I'm a teapot"


class NotReady(ServiceUnavailable):
    error_code = "not_ready"
    title = "Not ready"
