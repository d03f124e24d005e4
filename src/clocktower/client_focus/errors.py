"""Customer-focus errors."""

from __future__ import annotations

from clocktower.errors import Conflict, Forbidden, NotFound


class FocusInternalOnly(Forbidden):
    """Focus is how colleagues see who works for which client: customers have none."""

    error_code = "internal_only"
    title = "Internal members only"

    def __init__(self) -> None:
        super().__init__("Only internal members of the organisation can do this")


class FocusNotFound(NotFound):
    error_code = "focus_not_found"

    def __init__(self) -> None:
        super().__init__(message="You have no focus on this client")


class FocusChanged(Conflict):
    """Two requests of the same member moved the focus at once: the other one won."""

    error_code = "focus_changed"
    title = "Focus changed"

    def __init__(self) -> None:
        super().__init__("Your focus was changed by another request at the same time; retry")
