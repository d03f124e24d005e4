"""Time entry and timer errors."""

from __future__ import annotations

from clocktower.errors import BadRequest, Conflict, NotFound


class TimeEntryNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Time entry")


class TimerAlreadyRunning(Conflict):
    """Seed 002: single_active_timer is on and the user already has a running timer."""

    error_code = "timer_already_running"
    title = "Timer already running"

    def __init__(self, running_entry_id: int | None = None) -> None:
        super().__init__(
            "A timer is already running; stop it before starting another",
            running_entry_id=running_entry_id,
        )


class NoActiveTimer(Conflict):
    error_code = "no_active_timer"
    title = "No active timer"

    def __init__(self) -> None:
        super().__init__("No timer is running")


class ProjectInactive(BadRequest):
    """Seed 002: starting a timer on an inactive project is a 400."""

    error_code = "project_inactive"
    title = "Project inactive"

    def __init__(self, status: str) -> None:
        message = f"The project is {status.replace('_', ' ')}: time cannot be tracked on it"
        super().__init__(message, errors={"project_id": [message]})


class EntryRunning(Conflict):
    """A running entry has no end yet: stop it first (or change it through the timer)."""

    error_code = "entry_running"
    title = "Entry running"

    def __init__(self, message: str = "The entry is a running timer; stop it first") -> None:
        super().__init__(message)


class EntryLocked(Conflict):
    """The entry's bill is approved or invoiced, or an invoice bills it (S4.2): the time
    it bills no longer changes silently. Reopening the bill (an approver) unlocks it."""

    error_code = "entry_locked"
    title = "Entry locked"

    def __init__(
        self,
        message: str,
        *,
        entry_id: int,
        time_bill_id: int | None = None,
        invoice_id: int | None = None,
    ) -> None:
        super().__init__(
            message, entry_id=entry_id, time_bill_id=time_bill_id, invoice_id=invoice_id
        )
