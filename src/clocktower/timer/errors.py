"""Timer errors of the active-timer resource (the ledger's own live in time_entry.errors)."""

from __future__ import annotations

from clocktower.errors import NotFound


class ActiveTimerNotFound(NotFound):
    """Seed 000 active timer: reading or discarding it while none runs."""

    error_code = "active_timer_not_found"
    title = "No active timer"

    def __init__(self) -> None:
        super().__init__("Active timer", "No timer is running for this user")
