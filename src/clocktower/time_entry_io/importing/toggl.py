"""Toggl Track's detailed report, exported as CSV.

Header: User, Email, Client, Project, Task, Description, Billable, Start date, Start
time, End date, End time, Duration, Tags, Amount (<currency>). Times are the exporting
user's wall-clock times; Billable is Yes/No; Tags are comma-separated.
"""

from __future__ import annotations

from datetime import datetime

from clocktower.time_entry_io.importing.base import Format, ParseContext, local_span
from clocktower.time_entry_io.importing.table import Record


class TogglFormat(Format):
    name = "toggl"
    title = "Toggl Track detailed CSV"
    columns = {
        "email": ("email",),
        "client": ("client",),
        "project": ("project",),
        "task": ("task",),
        "notes": ("description",),
        "tags": ("tags",),
        "billable": ("billable",),
    }
    day_columns = ("start date", "end date")

    def matches(self, headers: set[str]) -> bool:
        return {"start date", "start time", "description"} <= headers and bool(
            {"end time", "duration"} & headers
        )

    def span(self, record: Record, context: ParseContext) -> tuple[datetime, datetime, str]:
        return local_span(
            record,
            context,
            start_day=("start date",),
            start_clock=("start time",),
            end_day=("end date",),
            end_clock=("end time",),
            duration=("duration",),
        )
