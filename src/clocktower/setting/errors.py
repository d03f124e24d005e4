"""Settings errors."""

from __future__ import annotations

from clocktower.errors import ValidationFailed


class UnknownTimezone(ValidationFailed):
    """A field error like any other validation failure, named so the route can declare it."""

    def __init__(self, timezone: str) -> None:
        message = f"Unknown time zone {timezone!r}"
        super().__init__({"timezone": [message]}, message=message)
