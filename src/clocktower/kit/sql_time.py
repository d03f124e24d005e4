"""Portable SQL for time: seconds between instants, the later / earlier of two, and
local calendar periods as a CTE.

Time zones are applied in Python: `local_periods` cuts a range into the caller's local
days, ISO weeks or months as UTC instants (every DST rule honoured), and
`periods_cte` sends them to the database as a small UNION ALL table, so grouping by a
local day, week or month is one SQL statement on SQLite and PostgreSQL alike:

    periods = periods_cte(local_periods(start, end, "Europe/Amsterdam", "day"))
    select(periods.c.period_index, func.sum(...))
        .join(entries, and_(entries.c.start_at >= periods.c.period_start,
                            entries.c.start_at < periods.c.period_end))
        .group_by(periods.c.period_index)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import (
    CTE,
    ColumnElement,
    Integer,
    Numeric,
    Select,
    Subquery,
    and_,
    literal,
    literal_column,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from clocktower.kit.time import UTCDateTime

PeriodUnit = Literal["day", "week", "month"]


class seconds_between(FunctionElement[Decimal]):
    """`seconds_between(a, b)`: seconds from instant a to instant b."""

    type = Numeric()
    name = "seconds_between"
    inherit_cache = True


class later_of(FunctionElement[datetime]):
    type = UTCDateTime()
    name = "later_of"
    inherit_cache = True


class earlier_of(FunctionElement[datetime]):
    type = UTCDateTime()
    name = "earlier_of"
    inherit_cache = True


def _two(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> tuple[str, str]:
    first, second = list(element.clauses)
    return compiler.process(first, **kw), compiler.process(second, **kw)


@compiles(seconds_between)
def _seconds_between(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = _two(element, compiler, **kw)
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps instants as ISO text; julianday reads them (fractions included).
    start, end = _two(element, compiler, **kw)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


@compiles(later_of)
def _later_of(element: later_of, compiler: SQLCompiler, **kw: Any) -> str:
    return "GREATEST({}, {})".format(*_two(element, compiler, **kw))


@compiles(later_of, "sqlite")
def _later_of_sqlite(element: later_of, compiler: SQLCompiler, **kw: Any) -> str:
    # Two-argument max() is scalar in SQLite; the ISO text of instants sorts as time.
    return "MAX({}, {})".format(*_two(element, compiler, **kw))


@compiles(earlier_of)
def _earlier_of(element: earlier_of, compiler: SQLCompiler, **kw: Any) -> str:
    return "LEAST({}, {})".format(*_two(element, compiler, **kw))


@compiles(earlier_of, "sqlite")
def _earlier_of_sqlite(element: earlier_of, compiler: SQLCompiler, **kw: Any) -> str:
    return "MIN({}, {})".format(*_two(element, compiler, **kw))


# --- local periods ----------------------------------------------------------------------


@dataclass(frozen=True)
class LocalPeriod:
    """A local day, ISO week (Monday first) or month: `label` is its first local day;
    `start` inclusive and `end` exclusive, as UTC instants."""

    label: date
    start: datetime
    end: datetime


def local_periods(first: date, last: date, zone: str, unit: PeriodUnit) -> list[LocalPeriod]:
    """The periods covering local days `first` through `last` (both included), in order.
    A week or month that starts before `first` is included whole."""
    tz = ZoneInfo(zone)
    periods: list[LocalPeriod] = []
    day = _period_start(first, unit)
    while day <= last:
        following = _next_period(day, unit)
        periods.append(LocalPeriod(day, _utc_midnight(day, tz), _utc_midnight(following, tz)))
        day = following
    return periods


def _period_start(day: date, unit: PeriodUnit) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def _next_period(day: date, unit: PeriodUnit) -> date:
    if unit == "week":
        return day + timedelta(days=7)
    if unit == "month":
        return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return day + timedelta(days=1)


def _utc_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)


def periods_cte(
    periods: Sequence[LocalPeriod | tuple[datetime, datetime]], name: str = "periods"
) -> CTE:
    """The periods (or plain `[start, end)` pairs) as a CTE of (period_index,
    period_start, period_end), index in the given order. The index is ours (never
    input), so it is written into the SQL as a number; instants are bound."""
    if not periods:
        raise ValueError("periods_cte needs at least one period")
    bounds = [(p.start, p.end) if isinstance(p, LocalPeriod) else p for p in periods]
    rows = [
        select(
            literal_column(str(index), Integer).label("period_index"),
            literal(start, UTCDateTime).label("period_start"),
            literal(end, UTCDateTime).label("period_end"),
        )
        for index, (start, end) in enumerate(bounds)
    ]
    table: Any = rows[0] if len(rows) == 1 else rows[0].union_all(*rows[1:])
    return table.cte(name)


def per_period(
    periods: Sequence[LocalPeriod | tuple[datetime, datetime]],
    entries: Subquery,
    *aggregates: ColumnElement[Any],
) -> Select[Any]:
    """`period_index` and the aggregates over the `entries` whose `start_at` falls in each
    period: every period in order, those without entries included (aggregates over no
    rows: wrap sums in COALESCE)."""
    table = periods_cte(periods)
    return (
        select(table.c.period_index, *aggregates)
        .select_from(table)
        .outerjoin(
            entries,
            and_(
                entries.c.start_at >= table.c.period_start,
                entries.c.start_at < table.c.period_end,
            ),
        )
        .group_by(table.c.period_index)
        .order_by(table.c.period_index)
    )
