"""Queries of time blocks; each starts from the ledger's organisation-scoped statement.

A block is a time entry overlapping the asked range, read in one statement with the
names it shows and its two sync states. The range's tracked time per local day is one
more statement: the day intervals (UTC instants computed in Python, so every time-zone
rule is honoured) travel as a UNION ALL CTE, and the database sums per day the overlap
of each entry with each day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Select,
    and_,
    case,
    func,
    literal,
    select,
)
from sqlalchemy.orm import aliased

from clocktower.kit.repository import Repository, TenantRepository
from clocktower.kit.sql_time import earlier_of, later_of, periods_cte, seconds_between
from clocktower.kit.time import UTCDateTime, utcnow
from clocktower.models import TimeEntry, TimeEntrySyncState
from clocktower.time_entry.repository import TimeEntryRepository, Viewer

TARGETS = ("calendar", "invoicing")
# The two sync states joined to a block, aliased once (an alias made per query rebuilds
# its column proxies every time).
_CALENDAR = aliased(TimeEntrySyncState, name="calendar_state")
_INVOICING = aliased(TimeEntrySyncState, name="invoicing_state")


@dataclass(frozen=True)
class BlockFilters:
    """Instants are UTC; `range_start` inclusive, `range_end` exclusive. A running timer
    lasts until `now`."""

    range_start: datetime | None = None
    range_end: datetime | None = None
    now: datetime | None = None
    user_id: int | None = None
    client_id: int | None = None
    project_id: int | None = None
    calendar_id: int | None = None


@dataclass(frozen=True)
class BlockRow:
    """An entry, the names a block shows, and its per-target sync states."""

    entry: TimeEntry
    user_name: str
    project_name: str | None
    project_color: str | None
    task_name: str | None
    client_name: str | None
    calendar: TimeEntrySyncState | None
    invoicing: TimeEntrySyncState | None


@dataclass(frozen=True)
class DayTotal:
    """Tracked seconds inside the day interval with this index (fractional)."""

    index: int
    seconds: Decimal
    billable_seconds: Decimal


def _end_or(now: datetime | None) -> Any:
    """An entry's end; a running timer's is `now` (the current time when not given)."""
    return func.coalesce(TimeEntry.end_at, literal(now or utcnow(), UTCDateTime))


# --- repositories -------------------------------------------------------------------------


class TimeBlockRepository(Repository[TimeEntry]):
    model = TimeEntry

    def filtered(self, viewer: Viewer, filters: BlockFilters) -> Select[Any]:
        """What the viewer may read, narrowed by the filters; with a range, the entries
        that overlap it (a running timer from its start until now)."""
        statement = TimeEntryRepository(self.session).visible(viewer)
        conditions: list[Any] = []
        if filters.user_id is not None:
            conditions.append(TimeEntry.user_id == filters.user_id)
        if filters.client_id is not None:
            conditions.append(TimeEntry.client_id == filters.client_id)
        if filters.project_id is not None:
            conditions.append(TimeEntry.project_id == filters.project_id)
        if filters.calendar_id is not None:
            conditions.append(TimeEntry.calendar_id == filters.calendar_id)
        if filters.range_end is not None:
            conditions.append(TimeEntry.start_at < filters.range_end)
        if filters.range_start is not None:
            conditions.append(_end_or(filters.now) > filters.range_start)
        return statement.where(*conditions)

    @staticmethod
    def with_names_and_states(statement: Select[Any]) -> Select[Any]:
        """Adds user, project, task and client names and both sync states: outer joins in
        the same statement, never a query per row."""
        statement = TimeEntryRepository.enriched(statement)
        for state, target in ((_CALENDAR, "calendar"), (_INVOICING, "invoicing")):
            statement = statement.outerjoin(
                state,
                and_(
                    state.organization_id == TimeEntry.organization_id,
                    state.time_entry_id == TimeEntry.id,
                    state.target == target,
                ),
            )
        return statement.add_columns(_CALENDAR, _INVOICING)

    @staticmethod
    def _row(row: Any) -> BlockRow:
        entry, user_name, project_name, project_color, task_name, client_name, cal, inv = row
        return BlockRow(
            entry, user_name, project_name, project_color, task_name, client_name, cal, inv
        )

    async def blocks(self, viewer: Viewer, filters: BlockFilters, limit: int) -> list[BlockRow]:
        """The blocks of the range, earliest first; at most `limit`."""
        statement = self.with_names_and_states(self.filtered(viewer, filters))
        statement = statement.order_by(TimeEntry.start_at, TimeEntry.id).limit(limit)
        return [self._row(row) for row in (await self.session.execute(statement)).all()]

    async def block(self, viewer: Viewer, entry_id: int) -> BlockRow | None:
        statement = self.with_names_and_states(
            self.filtered(viewer, BlockFilters()).where(TimeEntry.id == entry_id)
        )
        row = (await self.session.execute(statement)).first()
        return None if row is None else self._row(row)

    async def day_totals(
        self,
        viewer: Viewer,
        filters: BlockFilters,
        days: Sequence[tuple[datetime, datetime]],
    ) -> list[DayTotal]:
        """Seconds of tracked time (and billable time) inside each `[start, end)` day
        interval, summed by the database; days without time are absent. A running
        timer counts up to `filters.now`."""
        if not days:
            return []
        # Materialised once, then joined with the days: inlined, the planner would walk
        # the entries' index range again for every day of the range.
        entries = (
            self.filtered(viewer, filters)
            .with_only_columns(
                TimeEntry.start_at.label("start_at"),
                _end_or(filters.now).label("end_at"),
                TimeEntry.billable.label("billable"),
            )
            .cte("entries")
            .prefix_with("MATERIALIZED")
        )
        intervals = periods_cte(days, "days")
        overlap = seconds_between(
            later_of(entries.c.start_at, intervals.c.period_start),
            earlier_of(entries.c.end_at, intervals.c.period_end),
        )
        statement = (
            select(
                intervals.c.period_index,
                func.sum(overlap),
                func.sum(case((entries.c.billable, overlap), else_=literal(0))),
            )
            .select_from(intervals)
            .join(
                entries,
                and_(
                    entries.c.start_at < intervals.c.period_end,
                    entries.c.end_at > intervals.c.period_start,
                ),
            )
            .group_by(intervals.c.period_index)
            .order_by(intervals.c.period_index)
        )
        rows = (await self.session.execute(statement)).all()
        return [
            DayTotal(int(index), Decimal(str(total)), Decimal(str(billable or 0)))
            for index, total, billable in rows
        ]


class SyncStateRepository(TenantRepository[TimeEntrySyncState]):
    model = TimeEntrySyncState

    async def of_entry(self, organization_id: int, entry_id: int) -> list[TimeEntrySyncState]:
        """The entry's states. The entry row is locked first (PostgreSQL), so two requests
        syncing one block queue up instead of both creating its missing states."""
        await self.session.execute(
            select(TimeEntry.id)
            .where(TimeEntry.organization_id == organization_id, TimeEntry.id == entry_id)
            .with_for_update()
        )
        statement = (
            self.in_organization(organization_id)
            .where(TimeEntrySyncState.time_entry_id == entry_id)
            .order_by(TimeEntrySyncState.target)
        )
        return list(await self.all(statement))
