"""Clocktower's own CSV (what `GET /time-entries/export?format=csv` writes).

Columns: date, start_time, end_time, duration_hours, user_email, user_name, client,
project, task, notes, tags, billable, paid, source. Instants are ISO 8601; `date`,
`user_name`, `duration_hours` (when end_time is there) and `source` are informational.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from clocktower.kit.time import in_zone_to_utc
from clocktower.time_entry_io.importing.base import Format, ParseContext, RowError
from clocktower.time_entry_io.importing.table import Record
from clocktower.time_entry_io.importing.values import parse_duration, parse_instant

COLUMNS = (
    "date",
    "start_time",
    "end_time",
    "duration_hours",
    "user_email",
    "user_name",
    "client",
    "project",
    "task",
    "notes",
    "tags",
    "billable",
    "paid",
    "source",
)


class ClocktowerFormat(Format):
    name = "clocktower"
    title = "Clocktower CSV"
    columns = {
        "email": ("user_email",),
        "client": ("client",),
        "project": ("project",),
        "task": ("task",),
        "notes": ("notes",),
        "tags": ("tags",),
        "billable": ("billable",),
        "paid": ("paid",),
    }

    def matches(self, headers: set[str]) -> bool:
        return "start_time" in headers and bool({"end_time", "duration_hours"} & headers)

    def span(self, record: Record, context: ParseContext) -> tuple[datetime, datetime, str]:
        start_at = self._instant(record, "start_time", context)
        if record.get("end_time") is not None:
            return start_at, self._instant(record, "end_time", context), "end_time"
        hours = record.get("duration_hours")
        if hours is None:
            raise RowError("end_time", "end_time (or duration_hours) is required")
        try:
            seconds = parse_duration(hours)
        except ValueError as error:
            raise RowError("duration_hours", str(error)) from None
        return start_at, start_at + timedelta(seconds=seconds), "duration_hours"

    @staticmethod
    def _instant(record: Record, column: str, context: ParseContext) -> datetime:
        text = record.get(column)
        if text is None:
            raise RowError(column, f"{column} is required")
        try:
            return in_zone_to_utc(parse_instant(text), context.zone)
        except ValueError as error:
            raise RowError(column, str(error)) from None
