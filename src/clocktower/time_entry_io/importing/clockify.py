"""Clockify's detailed report, exported as CSV.

Header: Project, Client, Description, Task, User, Group, Email, Tags, Billable, Start
Date, Start Time, End Date, End Time, Duration (h), Duration (decimal), Billable Rate
(<currency>), Billable Amount (<currency>) — newer exports add Type, Invoiced, Invoice ID
and more, which are ignored. Dates follow the account's format (01/15/2024 by default),
times may carry AM/PM.
"""

from __future__ import annotations

from datetime import datetime

from clocktower.time_entry_io.importing.base import Format, ParseContext, local_span
from clocktower.time_entry_io.importing.table import Record

_DURATIONS = ("duration (h)", "duration (decimal)")


class ClockifyFormat(Format):
    name = "clockify"
    title = "Clockify detailed report CSV"
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
        return {"start date", "start time"} <= headers and bool(set(_DURATIONS) & headers)

    def span(self, record: Record, context: ParseContext) -> tuple[datetime, datetime, str]:
        return local_span(
            record,
            context,
            start_day=("start date",),
            start_clock=("start time",),
            end_day=("end date",),
            end_clock=("end time",),
            duration=_DURATIONS,
        )
