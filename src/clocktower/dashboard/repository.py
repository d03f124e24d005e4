"""The dashboards' sums: each one statement, aggregated by the database.

Personal dashboards read the caller's own finished entries (`PersonalRepository`);
the forecast reads a project's (`ForecastRepository`). Both start from the ledger's
organisation-scoped statement (`TimeEntryRepository.filtered`), so they count exactly
what `GET /time-entries` would list. An entry counts whole towards the local day its
start falls in. Local days of a bounded window travel as a periods CTE
(`kit.sql_time.periods_cte`, dense: empty days come back as zeros); weekdays, hours
and days over all of history come from `LocalClock`. Expressions that carry bound
values are computed in a subquery and grouped outside it, which PostgreSQL needs to
recognise a GROUP BY expression.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    SQLColumnExpression,
    Subquery,
    and_,
    case,
    cast,
    distinct,
    func,
    literal,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from clocktower.dashboard.local_clock import LocalClock
from clocktower.kit.sql_time import LocalPeriod, per_period, periods_cte
from clocktower.models import Client, Project, Task, TimeEntry
from clocktower.task.repository import TaskRepository
from clocktower.time_entry.repository import EntryFilters, TimeEntryRepository, Viewer

# Sessions shorter than this are interruptions, not focus (they still count as time).
FOCUS_MIN_SECONDS = 300
_ZERO = literal(0, BigInteger)
_ONE = literal(1, BigInteger)


@dataclass(frozen=True)
class Activity:
    """What the caller's entries look like at a glance: how many, when they last
    changed, the span of their starts, and whether a timer runs."""

    entries: int
    last_change: datetime | None
    first_start: datetime | None
    last_start: datetime | None
    running: bool

    @property
    def fingerprint(self) -> str:
        """Changes whenever an entry is added, changed or deleted."""
        changed = self.last_change.isoformat() if self.last_change else "-"
        return f"{self.entries}@{changed}"


@dataclass(frozen=True)
class Sums:
    seconds: int
    billable_seconds: int
    entries: int


@dataclass(frozen=True)
class ValueTotals:
    seconds: int
    entries: int
    active_days: int
    week_seconds: int
    month_seconds: int
    # Σ billable duration * hourly rate in cents, over entries with a rate.
    value_cent_seconds: int


@dataclass(frozen=True)
class ProjectTime:
    """One project's time (`project_id` None: time without a project)."""

    project_id: int | None
    name: str | None
    color: str | None
    seconds: int
    billable_seconds: int
    entries: int
    week_seconds: int


@dataclass(frozen=True)
class FocusCell:
    """The entries that started on one local weekday (0 = Monday) and hour."""

    weekday: int
    hour: int
    entries: int
    seconds: int
    longest_seconds: int
    focus_entries: int
    focus_seconds: int


@dataclass(frozen=True)
class Streaks:
    longest: int
    current: int


@dataclass(frozen=True)
class RunningTimer:
    id: int
    start_at: datetime
    project_id: int | None
    project_name: str | None
    task_id: int | None
    task_name: str | None


@dataclass(frozen=True)
class WeekBucket:
    """A person's time on one task (or none) of the project in one of the weeks asked
    for (`week` its index; None: before them)."""

    week: int | None
    user_id: int
    task_id: int | None
    seconds: int
    billable_seconds: int
    first_start: datetime


@dataclass(frozen=True)
class TaskCounts:
    total: int
    todo: int
    in_progress: int
    review: int
    done: int
    overdue: int
    due_soon: int
    estimated_minutes: int
    estimated_tasks: int
    next_due: date | None
    last_due: date | None


def _seconds() -> ColumnElement[int]:
    return func.coalesce(TimeEntry.duration_seconds, 0)


def _sum(value: SQLColumnExpression[Any]) -> ColumnElement[int]:
    return func.coalesce(func.sum(value), _ZERO)


def _sum_if(condition: ColumnElement[bool], value: ColumnElement[Any]) -> ColumnElement[int]:
    return _sum(case((condition, value), else_=_ZERO))


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return _sum_if(condition, _ONE)


def _dense_sums(
    entries: Subquery, periods: Sequence[LocalPeriod | tuple[datetime, datetime]]
) -> Select[Any]:
    """Seconds, billable seconds and entries of every period, in order, zeros included."""
    return per_period(
        periods,
        entries,
        _sum(entries.c.seconds),
        _sum_if(entries.c.billable, entries.c.seconds),
        func.count(entries.c.id),
    )


class PersonalRepository:
    """One user's entries in one organisation: finished ones, unless said otherwise."""

    def __init__(self, session: AsyncSession, organization_id: int, user_id: int) -> None:
        self.session = session
        self.viewer = Viewer(organization_id, only_user_id=user_id)
        self.ledger = TimeEntryRepository(session)

    def _finished(self, **filters: Any) -> Select[Any]:
        return self.ledger.filtered(self.viewer, EntryFilters(**filters))

    def _columns(self, statement: Select[Any], *extra: SQLColumnExpression[Any]) -> Subquery:
        return statement.with_only_columns(
            TimeEntry.id,
            TimeEntry.start_at,
            _seconds().label("seconds"),
            TimeEntry.billable,
            *extra,
        ).subquery("entries")

    async def activity(self) -> Activity:
        statement = self.ledger.filtered(
            self.viewer, EntryFilters(include_active=True)
        ).with_only_columns(
            func.count(TimeEntry.id),
            func.max(TimeEntry.updated_at),
            func.min(TimeEntry.start_at),
            func.max(TimeEntry.start_at),
            _count_if(TimeEntry.end_at.is_(None)),
        )
        count, changed, first, last, running = (await self.session.execute(statement)).one()
        return Activity(int(count), changed, first, last, bool(running))

    async def value_totals(
        self, clock: LocalClock, *, week_from: datetime, month_from: datetime, until: datetime
    ) -> ValueTotals:
        """All of history in one statement. The rate of an entry is seed 002's
        `COALESCE(project rate, entry client default, project client default)`."""
        entry_client = aliased(Client)
        project_client = aliased(Client)
        rate = func.coalesce(
            Project.hourly_rate_cents,
            entry_client.default_hourly_rate_cents,
            project_client.default_hourly_rate_cents,
        )
        entries = self._columns(
            self._finished()
            .outerjoin(Project, Project.id == TimeEntry.project_id)
            .outerjoin(entry_client, entry_client.id == TimeEntry.client_id)
            .outerjoin(project_client, project_client.id == Project.client_id),
            cast(rate, BigInteger).label("rate"),
            clock.day(TimeEntry.start_at).label("local_day"),
        )
        seconds = entries.c.seconds
        starts = entries.c.start_at
        valued = and_(entries.c.billable.is_(True), entries.c.rate.is_not(None))
        statement = select(
            _sum(seconds),
            func.count(entries.c.id),
            func.count(distinct(entries.c.local_day)),
            _sum_if(and_(starts >= week_from, starts < until), seconds),
            _sum_if(and_(starts >= month_from, starts < until), seconds),
            _sum_if(valued, cast(seconds, BigInteger) * entries.c.rate),
        )
        row = (await self.session.execute(statement)).one()
        return ValueTotals(*(int(value) for value in row))

    async def best_weekday(self, clock: LocalClock) -> int | None:
        """The weekday (0 = Monday) with the most time over all of history; the earlier
        in the week wins a tie. None without any time."""
        entries = self._columns(
            self._finished(), clock.weekday(TimeEntry.start_at).label("weekday")
        )
        total = func.sum(entries.c.seconds)
        statement = (
            select(entries.c.weekday)
            .group_by(entries.c.weekday)
            .having(total > 0)
            .order_by(total.desc(), entries.c.weekday)
            .limit(1)
        )
        weekday = (await self.session.execute(statement)).scalar_one_or_none()
        return None if weekday is None else int(weekday)

    async def day_sums(self, windows: Sequence[tuple[datetime, datetime]]) -> list[Sums]:
        """The sums of each `[start, end)` window, in order (empty ones as zeros)."""
        entries = self._columns(
            self._finished(start_from=windows[0][0], start_before=windows[-1][1])
        )
        rows = (await self.session.execute(_dense_sums(entries, windows))).all()
        return [Sums(int(row[1]), int(row[2]), int(row[3])) for row in rows]

    async def project_times(
        self, *, since: datetime, week_from: datetime, until: datetime
    ) -> list[ProjectTime]:
        """Per project: the time since `since` and the time since `week_from`, both
        until `until`; the most time (since `since`) first."""
        entries = self._columns(
            self._finished(start_from=min(since, week_from), start_before=until),
            TimeEntry.project_id,
        )
        in_period = entries.c.start_at >= since
        seconds = _sum_if(in_period, entries.c.seconds)
        statement = (
            select(
                entries.c.project_id,
                Project.name,
                Project.color,
                seconds,
                _sum_if(and_(in_period, entries.c.billable.is_(True)), entries.c.seconds),
                _count_if(in_period),
                _sum_if(entries.c.start_at >= week_from, entries.c.seconds),
            )
            .select_from(entries)
            .outerjoin(Project, Project.id == entries.c.project_id)
            .group_by(entries.c.project_id, Project.name, Project.color)
            .order_by(seconds.desc(), Project.name, entries.c.project_id)
        )
        rows = (await self.session.execute(statement)).all()
        return [
            ProjectTime(row[0], row[1], row[2], int(row[3]), int(row[4]), int(row[5]), int(row[6]))
            for row in rows
        ]

    async def focus_cells(
        self, clock: LocalClock, *, since: datetime, until: datetime
    ) -> list[FocusCell]:
        entries = self._columns(
            self._finished(start_from=since, start_before=until),
            clock.weekday(TimeEntry.start_at).label("weekday"),
            clock.hour(TimeEntry.start_at).label("hour"),
        )
        focused = entries.c.seconds >= FOCUS_MIN_SECONDS
        statement = select(
            entries.c.weekday,
            entries.c.hour,
            func.count(entries.c.id),
            _sum(entries.c.seconds),
            func.coalesce(func.max(entries.c.seconds), _ZERO),
            _count_if(focused),
            _sum_if(focused, entries.c.seconds),
        ).group_by(entries.c.weekday, entries.c.hour)
        rows = (await self.session.execute(statement)).all()
        return [FocusCell(*(int(value) for value in row)) for row in rows]

    async def streaks(self, clock: LocalClock, *, until: datetime, today: date) -> Streaks:
        """Runs of consecutive local days with time, over all of history up to `until`
        (gaps and islands: a day number minus its rank is constant along a run). The
        current run is the one that reaches today or yesterday."""
        days = (
            self._finished(start_before=until)
            .with_only_columns(clock.day(TimeEntry.start_at).label("day"))
            .distinct()
            .subquery("days")
        )
        ranked = select(
            days.c.day, (days.c.day - func.row_number().over(order_by=days.c.day)).label("run")
        ).subquery("ranked")
        runs = (
            select(func.max(ranked.c.day).label("last_day"), func.count().label("length"))
            .group_by(ranked.c.run)
            .subquery("runs")
        )
        yesterday = LocalClock.day_number(today) - 1
        statement = select(
            func.coalesce(func.max(runs.c.length), _ZERO),
            func.coalesce(func.max(case((runs.c.last_day >= yesterday, runs.c.length))), _ZERO),
        )
        longest, current = (await self.session.execute(statement)).one()
        return Streaks(int(longest), int(current))

    async def running_timer(self) -> RunningTimer | None:
        statement = (
            self.ledger.filtered(self.viewer, EntryFilters(only_active=True))
            .outerjoin(Project, Project.id == TimeEntry.project_id)
            .outerjoin(Task, Task.id == TimeEntry.task_id)
            .with_only_columns(
                TimeEntry.id,
                TimeEntry.start_at,
                TimeEntry.project_id,
                Project.name,
                TimeEntry.task_id,
                Task.name,
            )
            .order_by(TimeEntry.start_at.desc(), TimeEntry.id.desc())
            .limit(1)
        )
        row = (await self.session.execute(statement)).first()
        return None if row is None else RunningTimer(*row)


class ForecastRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def time_by_week(
        self, organization_id: int, project_id: int, weeks: Sequence[LocalPeriod]
    ) -> list[WeekBucket]:
        """The project's finished time per week, person and task; time before the
        weeks asked for comes back with `week` None (budgets count all of it)."""
        entries = (
            TimeEntryRepository(self.session)
            .filtered(Viewer(organization_id), EntryFilters(project_id=project_id))
            .with_only_columns(
                TimeEntry.id,
                TimeEntry.user_id,
                TimeEntry.task_id,
                TimeEntry.start_at,
                _seconds().label("seconds"),
                TimeEntry.billable,
            )
            .subquery("entries")
        )
        table = periods_cte(weeks, "weeks")
        statement = (
            select(
                table.c.period_index,
                entries.c.user_id,
                entries.c.task_id,
                _sum(entries.c.seconds),
                _sum_if(entries.c.billable.is_(True), entries.c.seconds),
                func.min(entries.c.start_at),
            )
            .select_from(entries)
            .outerjoin(
                table,
                and_(
                    entries.c.start_at >= table.c.period_start,
                    entries.c.start_at < table.c.period_end,
                ),
            )
            .group_by(table.c.period_index, entries.c.user_id, entries.c.task_id)
        )
        rows = (await self.session.execute(statement)).all()
        return [
            WeekBucket(
                None if row[0] is None else int(row[0]),
                int(row[1]),
                row[2],
                int(row[3]),
                int(row[4]),
                row[5],
            )
            for row in rows
        ]

    async def task_counts(
        self,
        organization_id: int,
        customer_client_id: int | None,
        project_id: int,
        *,
        today: date,
        soon: date,
    ) -> TaskCounts:
        """The project's tasks by status, overdue (open, due before today) and due soon
        (open, due today through `soon`), with their estimates and due dates."""
        is_open = Task.status != "done"
        statement = (
            TaskRepository(self.session)
            .visible(organization_id, customer_client_id)
            .where(Task.project_id == project_id)
            .with_only_columns(
                func.count(Task.id),
                *(_count_if(Task.status == status) for status in _STATUSES),
                _count_if(and_(is_open, Task.due_on < today)),
                _count_if(and_(is_open, Task.due_on >= today, Task.due_on <= soon)),
                _sum(Task.estimated_minutes),
                func.count(Task.estimated_minutes),
                func.min(case((and_(is_open, Task.due_on >= today), Task.due_on))),
                func.max(case((is_open, Task.due_on))),
            )
        )
        row: Any = (await self.session.execute(statement)).one()
        total, todo, in_progress, review, done, overdue, due_soon, minutes, estimated = (
            int(value) for value in row[:-2]
        )
        return TaskCounts(
            total=total,
            todo=todo,
            in_progress=in_progress,
            review=review,
            done=done,
            overdue=overdue,
            due_soon=due_soon,
            estimated_minutes=minutes,
            estimated_tasks=estimated,
            next_due=row[-2],
            last_due=row[-1],
        )


_STATUSES = ("todo", "in_progress", "review", "done")
