"""UTC in storage, the user's zone on display."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """A naive datetime is taken as UTC; an aware one is converted, never dropped."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def in_zone_to_utc(value: datetime, zone: str) -> datetime:
    """A naive datetime is a wall-clock time in `zone` (the user's); an aware one keeps its
    offset. Either way the answer is UTC. Ambiguous or skipped wall times (DST changes)
    resolve with `fold=0`: the earlier of two, the shifted one for a gap."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(zone))
    return value.astimezone(UTC)


def is_valid_timezone(name: str) -> bool:
    if name not in _zone_names():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


_ZONES: set[str] | None = None


def _zone_names() -> set[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = set(available_timezones()) | {"UTC"}
    return _ZONES


def day_bounds(day: date, zone: str) -> tuple[datetime, datetime]:
    """The UTC instants at which a local calendar day starts and the next one starts."""
    tz = ZoneInfo(zone)
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite returns naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError("UTCDateTime needs a datetime")
        value = as_utc(value)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return as_utc(value)
