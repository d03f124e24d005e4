"""Which format a file is, from its header row alone."""

from __future__ import annotations

from clocktower.time_entry_io.errors import ImportFormatUnknown
from clocktower.time_entry_io.importing.base import Format
from clocktower.time_entry_io.importing.clockify import ClockifyFormat
from clocktower.time_entry_io.importing.clocktower import ClocktowerFormat
from clocktower.time_entry_io.importing.kimai import KimaiFormat
from clocktower.time_entry_io.importing.toggl import TogglFormat

# Clockify before Toggl: both have Start Date/Start Time, only Clockify "Duration (h)".
FORMATS: tuple[Format, ...] = (ClocktowerFormat(), ClockifyFormat(), TogglFormat(), KimaiFormat())


def detect(headers: set[str]) -> Format:
    for candidate in FORMATS:
        if candidate.matches(headers):
            return candidate
    raise ImportFormatUnknown(
        "The header row matches no known format: "
        + "; ".join(candidate.title for candidate in FORMATS)
        + ". Clocktower's own columns are date, start_time, end_time, duration_hours, "
        "user_email, user_name, client, project, task, notes, tags, billable, paid, source."
    )
