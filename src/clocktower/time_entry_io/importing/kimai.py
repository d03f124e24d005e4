"""Kimai's timesheet export as CSV (English headers).

Kimai 2: Date, From, To, Duration, Currency, Price, Internal price, Hourly price, Fixed
price, Name, User, E-mail, Account, Customer, Project, Activity, Description, Billable,
Tags, Type, Category, … ; Kimai 1 wrote Begin/End and Exported instead. The activity
becomes the task; From/To are times of day on Date (To earlier than From: the next day).
"""

from __future__ import annotations

from datetime import datetime

from clocktower.time_entry_io.importing.base import Format, ParseContext, local_span
from clocktower.time_entry_io.importing.table import Record

_FROM = ("from", "begin")
_TO = ("to", "end")


class KimaiFormat(Format):
    name = "kimai"
    title = "Kimai CSV"
    columns = {
        "email": ("e-mail", "email"),
        "client": ("customer",),
        "project": ("project",),
        "task": ("activity",),
        "notes": ("description",),
        "tags": ("tags",),
        "billable": ("billable",),
    }
    day_columns = ("date",)

    def matches(self, headers: set[str]) -> bool:
        return {"date", "customer", "project", "activity"} <= headers and bool(set(_FROM) & headers)

    def span(self, record: Record, context: ParseContext) -> tuple[datetime, datetime, str]:
        return local_span(
            record,
            context,
            start_day=("date",),
            start_clock=_FROM,
            end_day=(),
            end_clock=_TO,
            duration=("duration",),
        )
