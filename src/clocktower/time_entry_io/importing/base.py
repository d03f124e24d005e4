"""What every import format shares: the parsed row, the format contract, local spans.

A format names, for each field, the columns that may hold it (lower-cased, first present
wins) and how its start and end are written. Text fields are read the same way for all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import ClassVar

from clocktower.kit.time import in_zone_to_utc
from clocktower.time_entry.schemas import NOTES_MAX, normalize_tags
from clocktower.time_entry_io.importing.table import Record
from clocktower.time_entry_io.importing.values import (
    parse_clock,
    parse_day,
    parse_day_time,
    parse_duration,
    parse_flag,
)
from clocktower.time_entry_io.schemas import ImportFormat

TEXT_FIELDS = ("email", "client", "project", "task", "notes", "tags", "billable", "paid")


class RowError(Exception):
    """One bad value: `column` is the file's name of the column that holds it."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


@dataclass(frozen=True)
class ParseContext:
    zone: str
    """Wall-clock times without an offset are in this zone (the importing user's)."""
    day_first: bool = False
    """Whether `a/b/yyyy` days are day/month in this file."""


@dataclass
class ParsedRow:
    line: int
    start_at: datetime
    end_at: datetime
    end_column: str
    email: str | None = None
    client: str | None = None
    project: str | None = None
    task: str | None = None
    notes: str | None = None
    tags: str | None = None
    billable: bool | None = None
    paid: bool = False


class Format:
    name: ClassVar[ImportFormat]
    title: ClassVar[str]
    # field → candidate columns (lower-cased), in order of preference.
    columns: ClassVar[dict[str, tuple[str, ...]]]
    # Columns whose values are days (scanned for the file's day/month order).
    day_columns: ClassVar[tuple[str, ...]] = ()

    def matches(self, headers: set[str]) -> bool:
        raise NotImplementedError

    def span(self, record: Record, context: ParseContext) -> tuple[datetime, datetime, str]:
        """UTC start, UTC end, and the column the end came from."""
        raise NotImplementedError

    def column(self, record: Record, field: str) -> str:
        return record.column(*self.columns.get(field, (field,)))

    def column_names(self, headers: dict[str, str]) -> dict[str, str]:
        """Field → the file's name of the column holding it (the field itself if none)."""
        names = {field: field for field in TEXT_FIELDS}
        for field, candidates in self.columns.items():
            present = [candidate for candidate in candidates if candidate in headers]
            names[field] = headers[present[0]] if present else candidates[0]
        return names

    def parse(self, record: Record, context: ParseContext) -> ParsedRow:
        start_at, end_at, end_column = self.span(record, context)
        text = {name: record.get(*self.columns.get(name, ())) for name in TEXT_FIELDS}
        row = ParsedRow(
            line=record.line,
            start_at=start_at,
            end_at=end_at,
            end_column=end_column,
            email=text["email"].lower() if text["email"] else None,
            client=text["client"],
            project=text["project"],
            task=text["task"],
            notes=text["notes"],
        )
        if row.notes is not None and len(row.notes) > NOTES_MAX:
            raise RowError(
                self.column(record, "notes"), f"Notes are at most {NOTES_MAX} characters"
            )
        try:
            row.tags = normalize_tags(text["tags"])
        except ValueError as error:
            raise RowError(self.column(record, "tags"), str(error)) from None
        for flag in ("billable", "paid"):
            if text[flag] is not None:
                try:
                    setattr(row, flag, parse_flag(text[flag] or ""))
                except ValueError as error:
                    raise RowError(self.column(record, flag), str(error)) from None
        return row

    def day_values(self, records: Iterable[Record]) -> Iterable[str]:
        for record in records:
            for name in self.day_columns:
                value = record.values.get(name)
                if value:
                    yield value.split(" ", 1)[0]


def local_span(
    record: Record,
    context: ParseContext,
    *,
    start_day: tuple[str, ...],
    start_clock: tuple[str, ...],
    end_day: tuple[str, ...],
    end_clock: tuple[str, ...],
    duration: tuple[str, ...],
) -> tuple[datetime, datetime, str]:
    """A span written as local days and clock times (Toggl, Clockify, Kimai).

    Without an end day the end is on the start's day, or the next one when its clock
    time is earlier (an entry across midnight); without an end time, start + duration.
    """
    start_local = _day_and_clock(record, context, start_day, start_clock, None)
    end_text = record.get(*end_clock)
    if end_text is not None:
        end_local = _day_and_clock(record, context, end_day, end_clock, start_local.date())
        if (not end_day or record.get(*end_day) is None) and end_local < start_local:
            end_local += timedelta(days=1)
        end_at = in_zone_to_utc(end_local, context.zone)
        end_column = record.column(*end_clock)
    else:
        length = record.get(*duration)
        if length is None:
            column = record.column(*end_clock)
            raise RowError(column, f"{column} (or a duration) is required")
        end_column = record.column(*duration)
        try:
            seconds = parse_duration(length)
        except ValueError as error:
            raise RowError(end_column, str(error)) from None
        end_at = in_zone_to_utc(start_local, context.zone) + timedelta(seconds=seconds)
    return in_zone_to_utc(start_local, context.zone), end_at, end_column


def _day_and_clock(
    record: Record,
    context: ParseContext,
    day_columns: tuple[str, ...],
    clock_columns: tuple[str, ...],
    default_day: date | None,
) -> datetime:
    clock_column = record.column(*clock_columns)
    clock_text = record.get(*clock_columns)
    if clock_text is None:
        raise RowError(clock_column, f"{clock_column} is required")
    # Some exports write the whole local date-time in the time column.
    try:
        complete = parse_day_time(clock_text, day_first=context.day_first)
    except ValueError as error:
        raise RowError(clock_column, str(error)) from None
    if complete is not None:
        return complete
    day_column = record.column(*day_columns) if day_columns else clock_column
    day_text = record.get(*day_columns) if day_columns else None
    if day_text is None and default_day is None:
        raise RowError(day_column, f"{day_column} is required")
    day = default_day
    if day_text is not None:
        try:
            day = parse_day(day_text, day_first=context.day_first)
        except ValueError as error:
            raise RowError(day_column, str(error)) from None
    try:
        clock = parse_clock(clock_text)
    except ValueError as error:
        raise RowError(clock_column, str(error)) from None
    assert day is not None
    return datetime.combine(day, clock)
