"""Errors of the live stream."""

from __future__ import annotations

from clocktower.errors import AppError, ServiceUnavailable


class NotAcceptable(AppError):
    status_code = 406
    error_code = "not_acceptable"
    title = "Not acceptable"


class EventStreamOnly(NotAcceptable):
    def __init__(self) -> None:
        super().__init__("This endpoint streams Server-Sent Events: send Accept: text/event-stream")


class LiveUnavailable(ServiceUnavailable):
    error_code = "live_unavailable"

    def __init__(self) -> None:
        super().__init__(
            "Live updates are unavailable right now; retry shortly", headers={"Retry-After": "5"}
        )
