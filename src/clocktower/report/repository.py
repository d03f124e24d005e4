"""The summary's sums, each one GROUP BY statement over the caller's visible entries
(the totals are the by-project rows added up: `Totals.of`).

Every statement starts from the ledger's filtered, organisation-scoped statement
(`TimeEntryRepository.filtered`), so a report sees exactly what `GET /time-entries` with
the same filters would list. Seconds are the entries' integer `duration_seconds`, summed
by the database: exact on every backend. An entry counts whole towards the local day,
week or month its start falls in; the periods travel as a UNION ALL CTE
(`kit.sql_time.periods_cte`) joined with a LEFT JOIN, so empty periods come back as
zero rows and the lists are dense.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import ColumnElement, Subquery, case, func, literal, null, select
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.kit.sql_time import LocalPeriod, per_period
from clocktower.models import Client, Project, Task, TimeEntry, User
from clocktower.time_entry.repository import EntryFilters, TimeEntryRepository, Viewer

Dimension = Literal["project", "client", "user", "task"]


@dataclass(frozen=True)
class Totals:
    seconds: int
    billable_seconds: int
    entries: int

    @classmethod
    def of(cls, rows: Sequence[GroupTotal | PeriodTotal]) -> Totals:
        """The totals of a grouping that holds every entry once (by project: entries
        without one are a row of their own), summed exactly in Python: no second pass
        over the period's entries."""
        return cls(
            sum(row.seconds for row in rows),
            sum(row.billable_seconds for row in rows),
            sum(row.entries for row in rows),
        )


@dataclass(frozen=True)
class GroupTotal:
    """The time of one project, client, user or task (`key` None: time without one).
    `parent` is a task's project."""

    key: int | None
    name: str | None
    seconds: int
    billable_seconds: int
    entries: int
    parent: int | None = None


@dataclass(frozen=True)
class PeriodTotal:
    label: date
    seconds: int
    billable_seconds: int
    entries: int


# What each grouping groups by: the entry's column and the named table it points at.
_NAMED: dict[Dimension, Any] = {"project": Project, "client": Client, "user": User, "task": Task}


class SummaryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.entries = TimeEntryRepository(session)

    def _matching(self, viewer: Viewer, filters: EntryFilters) -> Subquery:
        """The entries counted, as the few columns the sums need."""
        return (
            self.entries.filtered(viewer, filters)
            .with_only_columns(
                TimeEntry.id,
                TimeEntry.user_id,
                TimeEntry.project_id,
                TimeEntry.task_id,
                TimeEntry.client_id,
                TimeEntry.start_at,
                func.coalesce(TimeEntry.duration_seconds, 0).label("seconds"),
                TimeEntry.billable,
            )
            .subquery("entries")
        )

    @staticmethod
    def _sums(entries: Subquery) -> tuple[ColumnElement[Any], ...]:
        seconds = entries.c.seconds
        return (
            func.coalesce(func.sum(seconds), 0),
            func.coalesce(func.sum(case((entries.c.billable, seconds), else_=literal(0))), 0),
            func.count(entries.c.id),
        )

    async def by_dimension(
        self, viewer: Viewer, filters: EntryFilters, dimension: Dimension
    ) -> list[GroupTotal]:
        """One row per project (client, user, task) with time, most hours first. Summed
        per id first, then named: the names are joined once per group, not per entry."""
        entries = self._matching(viewer, filters)
        key = entries.c[f"{dimension}_id"]
        seconds, billable, count = self._sums(entries)
        sums = (
            select(
                key.label("key"),
                seconds.label("seconds"),
                billable.label("billable_seconds"),
                count.label("entries"),
            )
            .group_by(key)
            .subquery("sums")
        )
        named = _NAMED[dimension]
        parent = named.project_id if dimension == "task" else null()
        statement = (
            select(
                sums.c.key,
                named.name,
                parent,
                sums.c.seconds,
                sums.c.billable_seconds,
                sums.c.entries,
            )
            .select_from(sums)
            .outerjoin(named, named.id == sums.c.key)
            .order_by(sums.c.seconds.desc(), named.name.nulls_last(), sums.c.key.nulls_last())
        )
        rows = (await self.session.execute(statement)).all()
        return [
            GroupTotal(row[0], row[1], int(row[3]), int(row[4]), int(row[5]), row[2])
            for row in rows
        ]

    async def by_period(
        self, viewer: Viewer, filters: EntryFilters, periods: Sequence[LocalPeriod]
    ) -> list[PeriodTotal]:
        """Every period in order, those without time as zeros."""
        entries = self._matching(viewer, filters)
        statement = per_period(periods, entries, *self._sums(entries))
        rows = (await self.session.execute(statement)).all()
        return [
            PeriodTotal(periods[int(row[0])].label, int(row[1]), int(row[2]), int(row[3]))
            for row in rows
        ]
