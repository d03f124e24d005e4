"""A reporting period from query text: whole local days or exact instants.

`2024-01-15` is a calendar day in the reader's time zone: as a start it means that day's
first instant, as an end it includes the whole day. `2024-01-15T09:00:00Z` (or with an
offset) is an exact instant; a naive date-time is a wall-clock time in the reader's zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from clocktower.kit.time import day_bounds, in_zone_to_utc

# A day in extended (2024-01-15) or basic (20240115) form: a whole day, never an instant.
_DAY = re.compile(r"^\d{4}-?\d{2}-?\d{2}$")
_ONE_MICROSECOND = timedelta(microseconds=1)
# Times outside these years are typing mistakes. Refusing them also keeps every zone
# conversion, day bound and span (at most a week) inside what `datetime` can hold.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2999

When = TypeVar("When", bound=date)


def check_supported(value: When) -> When:
    """`value` (a date or datetime) unchanged, or ValueError when its year is absurd."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"the year must be between {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value


def parse_day_or_instant(text: str) -> date | datetime:
    """Raises ValueError with a readable message for anything else."""
    value = text.strip()
    try:
        parsed: date | datetime
        if _DAY.match(value):
            parsed = date.fromisoformat(value)
        else:
            parsed = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise ValueError(
            f"{text!r} is not an ISO 8601 date (2024-01-15) or date-time (2024-01-15T09:00:00Z)"
        ) from None
    check_supported(parsed)
    return parsed


@dataclass(frozen=True)
class PeriodBounds:
    """UTC instants: `start` inclusive, `end` exclusive; either may be open."""

    start: datetime | None
    end: datetime | None


def period_bounds(
    start: date | datetime | None, end: date | datetime | None, zone: str
) -> PeriodBounds:
    start_at: datetime | None = None
    end_at: datetime | None = None
    if isinstance(start, datetime):
        start_at = in_zone_to_utc(start, zone)
    elif isinstance(start, date):
        start_at = day_bounds(start, zone)[0]
    if isinstance(end, datetime):
        # An instant as the end is inclusive: an entry starting exactly then is in.
        end_at = in_zone_to_utc(end, zone) + _ONE_MICROSECOND
    elif isinstance(end, date):
        end_at = day_bounds(end, zone)[1]
    return PeriodBounds(start_at, end_at)
