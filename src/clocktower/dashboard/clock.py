"""The dashboards' "now": one function, so tests can hold time still without touching
the business code.

A dashboard reads the clock once per request (`now()`), and everything it says about
today, this week or the last seven days follows from that instant and the caller's time
zone (`Moment`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from clocktower.kit.time import day_bounds, is_valid_timezone, utcnow


def now() -> datetime:
    return utcnow()


@dataclass(frozen=True)
class Moment:
    """An instant as someone in `zone` sees it."""

    now: datetime
    zone: str

    @classmethod
    def of(cls, zone: str | None) -> Moment:
        """Now, for a reader in `zone`; an unknown zone reads as UTC."""
        return cls(now(), zone if zone and is_valid_timezone(zone) else "UTC")

    @property
    def local_now(self) -> datetime:
        return self.now.astimezone(ZoneInfo(self.zone))

    @property
    def today(self) -> date:
        return self.local_now.date()

    @property
    def monday(self) -> date:
        """The first day of the current ISO week (weeks start on Monday)."""
        return self.today - timedelta(days=self.today.weekday())

    def local_date(self, instant: datetime) -> date:
        """The local calendar day of an instant."""
        return instant.astimezone(ZoneInfo(self.zone)).date()

    def start_of(self, day: date) -> datetime:
        """The UTC instant at which a local day begins."""
        return day_bounds(day, self.zone)[0]

    def end_of(self, day: date) -> datetime:
        """The UTC instant at which the local day after `day` begins."""
        return day_bounds(day, self.zone)[1]

    def days_ago(self, days: int) -> datetime:
        """The same local wall-clock time `days` days earlier, as a UTC instant (a day
        across a DST change is 23 or 25 hours long)."""
        return (self.local_now - timedelta(days=days)).astimezone(UTC)

    def day_windows(
        self, first: date, last: date, until: datetime | None = None
    ) -> list[tuple[datetime, datetime]]:
        """`[start, end)` of each local day from `first` through `last`; no window
        reaches past `until` (default: now), so nothing after that instant counts."""
        until = self.now if until is None else until
        windows = []
        day = first
        while day <= last:
            start, end = day_bounds(day, self.zone)
            windows.append((start, max(start, min(end, until))))
            day += timedelta(days=1)
        return windows
