"""Time block errors."""

from __future__ import annotations

from clocktower.errors import BadRequest, InvalidReference, NotFound


class TimeBlockNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Time block", "Time block not found.")


class CalendarNotFound(InvalidReference):
    """Calendars arrive with the calendar connector (S7.3); until then no id resolves."""

    def __init__(self) -> None:
        super().__init__("calendar_id", "Calendar not found")


class TooManyTimeBlocks(BadRequest):
    """A range holds more blocks than one answer carries: narrow the range or filter."""

    error_code = "too_many_time_blocks"
    title = "Too many time blocks"

    def __init__(self, limit: int) -> None:
        message = (
            f"The range holds more than {limit} time blocks; "
            "choose a shorter range or filter by user_id, client_id or project_id"
        )
        super().__init__(message, limit=limit)
