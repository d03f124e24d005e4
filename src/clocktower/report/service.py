"""The summary report (S5.1, seed 002): tracked hours of a period, in total and grouped.

Who sees what: the route needs `report.fetch` (scope `read:reports`); whose time is
counted follows the ledger's rules, with `read:reports` enough on a token.

What counts: stopped entries only (a running timer counts once it stops, as seed 002's
`include_active` default), focus work sessions through their entry (breaks own none),
the entries the caller may read (`time_entry.service.viewer_of`: a customer their
client's, a member without `time_entry.fetch.other` their own). An entry counts whole
towards the period its start falls in, in the caller's time zone, exactly as the
`start_date` / `end_date` filters of `GET /time-entries` select it.

The period: `start_date` and `end_date` are days of the caller's zone or instants (a
day as the end includes that whole day). A missing start is the first day of the end's
month, a missing end the last day of the start's month; neither is the current month.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Literal, get_args
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.auth.permissions import scope_of
from clocktower.errors import ValidationFailed
from clocktower.kit.sql_time import LocalPeriod, PeriodUnit, local_periods
from clocktower.kit.time import in_zone_to_utc, utcnow
from clocktower.report.repository import (
    Dimension,
    GroupTotal,
    PeriodTotal,
    SummaryRepository,
    Totals,
)
from clocktower.time_entry.service import EntryQuery, filters_of, viewer_of

Grouping = Literal["client", "user", "task", "day", "week", "month"]
GROUPINGS: tuple[Grouping, ...] = get_args(Grouping)
_DIMENSIONS: tuple[Dimension, ...] = ("client", "user", "task")
_UNITS: tuple[PeriodUnit, ...] = ("day", "week", "month")
# The node that lets a reader see others' time (as in `GET /time-entries`).
OTHERS_TIME = "time_entry.fetch.other"
# A dense list holds at most this many days, weeks or months (a year of days).
MAX_PERIODS = 366
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class SummaryQuery:
    """The report's filters as sent; days and naive instants are in the caller's zone."""

    start_date: date | datetime | None = None
    end_date: date | datetime | None = None
    project_id: int | None = None
    user_id: int | None = None
    client_id: int | None = None
    task_id: int | None = None
    billable: bool | None = None
    group_by: tuple[Grouping, ...] = ()


@dataclass(frozen=True)
class Summary:
    """Seconds, exact; `start` inclusive and `end` exclusive, UTC."""

    start: datetime
    end: datetime
    zone: str
    totals: Totals
    # Always "project"; "client", "user" and "task" when asked for.
    by_dimension: dict[Dimension, list[GroupTotal]] = field(default_factory=dict)
    by_period: dict[PeriodUnit, list[PeriodTotal]] = field(default_factory=dict)

    @property
    def first_day(self) -> date:
        return _local_day(self.start, self.zone)

    @property
    def last_day(self) -> date:
        return _local_day(self.end - _MICROSECOND, self.zone)


async def summarize(session: AsyncSession, auth: AuthContext, query: SummaryQuery) -> Summary:
    """Totals and groupings in a fixed number of statements (one per grouping: the
    totals are the by-project rows added up), whatever the number of entries."""
    auth = _reading_time_for_reports(auth)
    zone = auth.user.timezone
    start_date, end_date = _with_defaults(query.start_date, query.end_date, zone)
    filters = filters_of(
        auth,
        EntryQuery(
            user_id=query.user_id,
            project_id=query.project_id,
            task_id=query.task_id,
            client_id=query.client_id,
            start_date=start_date,
            end_date=end_date,
            billable=query.billable,
        ),
    )
    start, end = filters.start_from, filters.start_before
    assert start is not None
    assert end is not None
    if end <= start:
        raise ValidationFailed.field("end_date", "end_date must not be before start_date")
    first_day, last_day = _local_day(start, zone), _local_day(end - _MICROSECOND, zone)
    # Every period list is checked before the first statement runs.
    periods = {
        unit: _periods(first_day, last_day, zone, unit) for unit in _UNITS if unit in query.group_by
    }
    viewer = viewer_of(auth)
    repository = SummaryRepository(session)
    by_dimension: dict[Dimension, list[GroupTotal]] = {}
    for dimension in ("project", *_DIMENSIONS):
        if dimension == "project" or dimension in query.group_by:
            by_dimension[dimension] = await repository.by_dimension(viewer, filters, dimension)
    by_period = {
        unit: await repository.by_period(viewer, filters, unit_periods)
        for unit, unit_periods in periods.items()
    }
    totals = Totals.of(by_dimension["project"])
    return Summary(start, end, zone, totals, by_dimension, by_period)


def _reading_time_for_reports(auth: AuthContext) -> AuthContext:
    """Seed 002 asks `read:reports` of the summary and nothing more, so inside a report a
    `read:reports` token reads the time its user's roles let them read, as if it also
    held `read:time_entries`. The roles still decide: others' time needs
    time_entry.fetch.other; a customer stays inside their client."""
    scope = scope_of(OTHERS_TIME)
    if auth.scopes is None or scope is None or scope in auth.scopes:
        return auth
    return replace(auth, scopes=auth.scopes | {scope})


def parse_groupings(text: str | None) -> tuple[Grouping, ...]:
    """`"day,client"` → ("client", "day"): known names only, each once, in our order."""
    wanted = {part.strip().lower() for part in (text or "").split(",") if part.strip()}
    unknown = sorted(wanted.difference(GROUPINGS))
    if unknown:
        raise ValidationFailed.field(
            "group_by", f"Unknown grouping {', '.join(unknown)}: use {', '.join(GROUPINGS)}"
        )
    return tuple(grouping for grouping in GROUPINGS if grouping in wanted)


def _with_defaults(
    start: date | datetime | None, end: date | datetime | None, zone: str
) -> tuple[date | datetime, date | datetime]:
    if start is None and end is None:
        start = utcnow().astimezone(ZoneInfo(zone)).date().replace(day=1)
    if start is None:
        assert end is not None
        return _local_day(end, zone).replace(day=1), end
    if end is None:
        first = _local_day(start, zone)
        return start, first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return start, end


def _local_day(value: date | datetime, zone: str) -> date:
    """The day of `zone` a day or instant (naive: a wall-clock time there) falls on."""
    if isinstance(value, datetime):
        return in_zone_to_utc(value, zone).astimezone(ZoneInfo(zone)).date()
    return value


def _periods(first: date, last: date, zone: str, unit: PeriodUnit) -> list[LocalPeriod]:
    """The dense list's periods; counted before they are made, so a century of days is
    refused without walking it."""
    if _period_count(first, last, unit) > MAX_PERIODS:
        raise ValidationFailed.field(
            "group_by",
            f"by_{unit} lists at most {MAX_PERIODS} {unit}s: narrow start_date and end_date",
        )
    return local_periods(first, last, zone, unit)


def _period_count(first: date, last: date, unit: PeriodUnit) -> int:
    if unit == "month":
        return (last.year - first.year) * 12 + last.month - first.month + 1
    if unit == "week":
        monday_first = first - timedelta(days=first.weekday())
        monday_last = last - timedelta(days=last.weekday())
        return (monday_last - monday_first).days // 7 + 1
    return (last - first).days + 1
