"""Focus session errors."""

from __future__ import annotations

from clocktower.errors import Forbidden, NotFound


class FocusSessionNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Session")


class FocusSessionInternalOnly(Forbidden):
    """Customer (client-portal) members have no focus sessions and read nobody else's."""

    error_code = "focus_session_internal_only"
    title = "Internal members only"

    def __init__(self) -> None:
        super().__init__("Focus sessions belong to internal members of the organisation")
