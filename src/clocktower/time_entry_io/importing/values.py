"""Cell values as other trackers write them: days, clock times, durations, yes/no.

Every parser raises ValueError with a message meant for the person fixing the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

_ISO_DAY = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_DOTTED_DAY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_DASHED_DAY = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")
_SLASHED_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(?:([AaPp])\.?\s*[Mm]\.?)?$")
_HOURS_MINUTES = re.compile(r"^(\d+):(\d{1,2})(?::(\d{1,2}))?$")
_DAY_THEN_CLOCK = re.compile(r"^(\S+)[ T](.+)$")

_TRUE = frozenset({"yes", "y", "true", "t", "1", "x", "billable", "paid", "ja", "oui", "si"})
_FALSE = frozenset(
    {"no", "n", "false", "f", "0", "non-billable", "not billable", "unpaid", "nein", "non"}
)

DAY_FORMATS = "2024-01-15, 15.01.2024, 15-01-2024 or 01/15/2024"


def slash_days_are_day_first(values: Iterable[str]) -> bool:
    """Whether `a/b/yyyy` days in a file are day/month (Europe) or month/day (US): the
    file decides, from any value whose first part cannot be a month. US by default, as
    Clockify's default format is."""
    for value in values:
        match = _SLASHED_DAY.match(value.strip())
        if match is not None and int(match.group(1)) > 12:
            return True
    return False


def parse_day(text: str, *, day_first: bool = False) -> date:
    value = text.strip()
    try:
        if match := _ISO_DAY.match(value):
            year, month, day = (int(part) for part in match.groups())
        elif match := (_DOTTED_DAY.match(value) or _DASHED_DAY.match(value)):
            day, month, year = (int(part) for part in match.groups())
        elif match := _SLASHED_DAY.match(value):
            first, second, year = (int(part) for part in match.groups())
            day, month = (first, second) if day_first else (second, first)
        else:
            raise ValueError
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{text!r} is not a date ({DAY_FORMATS})") from None


def parse_clock(text: str) -> time:
    """09:00, 9:00:30, 09:00:00.000, 9:00 AM, 09:00:00 p.m."""
    match = _CLOCK.match(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a time of day (09:30, 09:30:00 or 9:30 AM)")
    hour, minute = int(match.group(1)), int(match.group(2))
    second = int(match.group(3) or 0)
    meridiem = (match.group(4) or "").lower()
    if meridiem:
        if not 1 <= hour <= 12:
            raise ValueError(f"{text!r} is not a time of day: hours run 1 to 12 with AM/PM")
        hour = hour % 12 + (12 if meridiem == "p" else 0)
    try:
        return time(hour, minute, second)
    except ValueError:
        raise ValueError(f"{text!r} is not a time of day") from None


def parse_day_time(text: str, *, day_first: bool = False) -> datetime | None:
    """`2024-01-15 09:00` and the like; None when the text holds no day."""
    match = _DAY_THEN_CLOCK.match(text.strip())
    if match is None:
        return None
    try:
        day = parse_day(match.group(1), day_first=day_first)
    except ValueError:
        return None
    return datetime.combine(day, parse_clock(match.group(2)))


def parse_instant(text: str) -> datetime:
    """ISO 8601 (`2024-01-15T09:00:00Z`, with an offset, or naive)."""
    value = text.strip()
    try:
        return datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 date-time (2024-01-15T09:00:00Z)") from None


def parse_duration(text: str) -> int:
    """Seconds from `01:30:00`, `1:30` (hours and minutes) or decimal hours (`1.5`, `1,5`)."""
    value = text.strip()
    if match := _HOURS_MINUTES.match(value):
        hours, minutes = int(match.group(1)), int(match.group(2))
        seconds = int(match.group(3) or 0)
        if minutes > 59 or seconds > 59:
            raise ValueError(f"{text!r} is not a duration (01:30:00 or 1.5)")
        return hours * 3600 + minutes * 60 + seconds
    try:
        hours_decimal = Decimal(value.replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a duration (01:30:00 or 1.5)") from None
    if not hours_decimal.is_finite() or hours_decimal < 0:
        raise ValueError(f"{text!r} is not a duration (01:30:00 or 1.5)")
    return int((hours_decimal * 3600).to_integral_value())


def parse_flag(text: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{text!r} is not yes/no (or true/false)")
