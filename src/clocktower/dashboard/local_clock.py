"""A reader's local calendar inside SQL: the local day, weekday and hour of an instant
column, on SQLite and PostgreSQL alike, for groupings a periods CTE cannot express
(weekday or hour of day, distinct days over all of history).

SQLite knows no time zones, so the zone travels with the statement: `LocalClock` holds
the zone's UTC offsets over the span of the data (one per DST period, found with
`zoneinfo`) and turns an instant into local seconds since 1900-01-01 00:00 (a Monday) as
`epoch seconds + offset of its period + 1900 shift`. Integer arithmetic on that number
gives the local day (`// 86400`), the weekday (`day % 7`, 0 = Monday) and the hour
(`seconds % 86400 // 3600`) exactly, every DST rule honoured. Every value is positive
(times before 1900 are refused on input), so integer division is floor division on both
backends.

Offsets are found for at most `MAX_YEARS` years up to at most a year after `now`; times
outside read with the nearest known offset.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, ColumnElement, SQLColumnExpression, case, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

BASE_DAY = date(1900, 1, 1)  # a Monday: weekday numbers count from it
SECONDS_PER_DAY = 86_400
# Seconds from 1900-01-01 to 1970-01-01 (the Unix epoch).
_UNIX_SHIFT = 2_208_988_800
MAX_YEARS = 60
_ONE_DAY = timedelta(days=1)
_AHEAD = timedelta(days=366)


class epoch_seconds(FunctionElement[int]):
    """`epoch_seconds(instant)`: whole seconds since 1970-01-01 UTC (floor)."""

    type = BigInteger()
    name = "epoch_seconds"
    inherit_cache = True


@compiles(epoch_seconds)
def _epoch_seconds(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    (instant,) = list(element.clauses)
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM {compiler.process(instant, **kw)})) AS BIGINT)"


@compiles(epoch_seconds, "sqlite")
def _epoch_seconds_sqlite(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # Instants are stored as 'YYYY-MM-DD HH:MM:SS.ffffff'; strftime would round the
    # fraction to milliseconds (23:59:59.9995 becomes the next day), so it is cut off.
    (instant,) = list(element.clauses)
    return f"CAST(strftime('%s', substr({compiler.process(instant, **kw)}, 1, 19)) AS INTEGER)"


@dataclass(frozen=True)
class OffsetSpan:
    """From `start` (None: the beginning of time) on, the zone is `offset` seconds
    ahead of UTC, until the next span starts."""

    start: datetime | None
    offset: int


@dataclass(frozen=True)
class LocalClock:
    zone: str
    spans: tuple[OffsetSpan, ...]

    @classmethod
    def of(cls, zone: str, first: datetime, last: datetime, now: datetime) -> LocalClock:
        """The clock of `zone` for instants from `first` through `last`."""
        last = min(max(last, first), now + _AHEAD)
        first = max(first, last - timedelta(days=365 * MAX_YEARS))
        return cls(zone, tuple(offset_spans(ZoneInfo(zone), first, last)))

    def seconds(self, instant: SQLColumnExpression[Any]) -> ColumnElement[int]:
        """Local seconds since 1900-01-01 00:00 of an instant column."""
        return epoch_seconds(instant) + self._offset(instant) + literal(_UNIX_SHIFT, BigInteger)

    def day(self, instant: SQLColumnExpression[Any]) -> ColumnElement[int]:
        """The local day as a day number (see `day_number`)."""
        return self.seconds(instant) // literal(SECONDS_PER_DAY, BigInteger)

    def weekday(self, instant: SQLColumnExpression[Any]) -> ColumnElement[int]:
        """0 = Monday … 6 = Sunday, as `date.weekday()`."""
        return self.day(instant) % literal(7, BigInteger)

    def hour(self, instant: SQLColumnExpression[Any]) -> ColumnElement[int]:
        """The local hour, 0 … 23."""
        within_day = self.seconds(instant) % literal(SECONDS_PER_DAY, BigInteger)
        return within_day // literal(3600, BigInteger)

    @staticmethod
    def day_number(day: date) -> int:
        return (day - BASE_DAY).days

    @staticmethod
    def date_of(day_number: int) -> date:
        return BASE_DAY + timedelta(days=int(day_number))

    def _offset(self, instant: SQLColumnExpression[Any]) -> ColumnElement[int]:
        first, *later = self.spans
        if not later:
            return literal(first.offset, BigInteger)
        # Newest first: recent instants, the common case, match on the first branch.
        branches = [(instant >= span.start, literal(span.offset, BigInteger)) for span in later]
        return case(*reversed(branches), else_=literal(first.offset, BigInteger))


def offset_spans(tz: ZoneInfo, first: datetime, last: datetime) -> list[OffsetSpan]:
    """The zone's UTC offsets from `first` through `last`: a span per change, found by
    stepping a day at a time and bisecting to the second within the day."""
    first, last = first.astimezone(UTC), last.astimezone(UTC)
    spans = [OffsetSpan(None, _offset(tz, first))]
    cursor = first
    while cursor < last:
        step = min(cursor + _ONE_DAY, last)
        if _offset(tz, step) == spans[-1].offset:
            cursor = step
            continue
        # Offsets change on whole seconds: bisect between two whole-second timestamps.
        low, high = math.floor(cursor.timestamp()), math.ceil(step.timestamp())
        while high - low > 1:
            middle = (low + high) // 2
            if _offset(tz, _instant(middle)) == spans[-1].offset:
                low = middle
            else:
                high = middle
        change = _instant(high)
        spans.append(OffsetSpan(change, _offset(tz, change)))
        cursor = change
    return spans


def _offset(tz: ZoneInfo, instant: datetime) -> int:
    offset = instant.astimezone(tz).utcoffset()
    assert offset is not None
    return int(offset.total_seconds())


def _instant(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)
