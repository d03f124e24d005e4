"""Queries of what an invoice bills: approved time bills and billable entries.

An invoice reserves its time with one set-based UPDATE (`invoice_id` on the bills or
entries), then reads it back summed by the database (GROUP BY) in the shape its lines
need. Finalising marks its bills `invoiced`; deleting the draft or voiding the invoice
releases them (bills back to `approved`), each in one UPDATE.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.changelog import recorder as changelog
from clocktower.changelog.kinds import TIME_ENTRY
from clocktower.kit.sql_time import LocalPeriod, periods_cte
from clocktower.kit.time import utcnow
from clocktower.models import Project, Task, TimeBill, TimeEntry, User

APPROVED = "approved"
INVOICED = "invoiced"
# A bill in one of these states has settled its entries: they are billed through it.
SETTLED = (APPROVED, INVOICED)


@dataclass(frozen=True)
class Portion:
    """Billable seconds at one rate, summed over whatever the grouping keeps apart;
    the fields a grouping does not keep are None."""

    seconds: int
    rate_cents: int | None
    user_id: int | None = None
    project_id: int | None = None
    task_id: int | None = None
    client_id: int | None = None
    day: date | None = None
    bill_id: int | None = None
    entry_id: int | None = None
    notes: str | None = None


@dataclass(frozen=True)
class Names:
    users: dict[int, str]
    projects: dict[int, str]
    tasks: dict[int, str]


# The bill columns each grouping keeps apart (besides the rate).
_BILL_COLUMNS: dict[str, tuple[Any, ...]] = {
    "bill": (TimeBill.id, TimeBill.day, TimeBill.user_id, TimeBill.project_id, TimeBill.task_id),
    "project": (TimeBill.project_id,),
    "task": (TimeBill.project_id, TimeBill.task_id),
    "user": (TimeBill.user_id,),
    "day": (TimeBill.day,),
}
_BILL_FIELDS = {
    "id": "bill_id",
    "day": "day",
    "user_id": "user_id",
    "project_id": "project_id",
    "task_id": "task_id",
}


class BillableRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- bills -----------------------------------------------------------------------------

    async def reserve_bills(
        self, organization_id: int, invoice_id: int, *, client_id: int, first: date, last: date
    ) -> int:
        """Approved, unreserved bills of the client's projects (or of the client, without
        a project) on local days `first`..`last`; skips a bill any of whose entries an
        invoice bills directly. Returns how many."""
        project_client = (
            select(Project.client_id)
            .where(Project.id == TimeBill.project_id)
            .correlate(TimeBill)
            .scalar_subquery()
        )
        billed_directly = (
            exists()
            .where(TimeEntry.time_bill_id == TimeBill.id, TimeEntry.invoice_id.is_not(None))
            .correlate(TimeBill)
        )
        result = await self.session.execute(
            update(TimeBill)
            .where(
                TimeBill.organization_id == organization_id,
                TimeBill.status == APPROVED,
                TimeBill.invoice_id.is_(None),
                TimeBill.day >= first,
                TimeBill.day <= last,
                func.coalesce(project_client, TimeBill.client_id) == client_id,
                ~billed_directly,
            )
            .values(invoice_id=invoice_id, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        return _rowcount(result)

    async def bill_currencies(self, organization_id: int, invoice_id: int) -> list[str]:
        result = await self.session.execute(
            select(TimeBill.currency)
            .where(TimeBill.organization_id == organization_id, TimeBill.invoice_id == invoice_id)
            .distinct()
            .order_by(TimeBill.currency)
        )
        return list(result.scalars())

    async def bill_portions(
        self, organization_id: int, invoice_id: int, grouping: str
    ) -> list[Portion]:
        columns = _BILL_COLUMNS[grouping]
        statement = (
            select(*columns, TimeBill.rate_cents, func.sum(TimeBill.billable_seconds))
            .where(TimeBill.organization_id == organization_id, TimeBill.invoice_id == invoice_id)
            .group_by(*columns, TimeBill.rate_cents)
        )
        portions = []
        for row in (await self.session.execute(statement)).all():
            *keys, rate_cents, seconds = row
            fields = {
                _BILL_FIELDS[column.key]: key for column, key in zip(columns, keys, strict=True)
            }
            portions.append(Portion(seconds=int(seconds or 0), rate_cents=rate_cents, **fields))
        return portions

    async def mark_bills_invoiced(self, organization_id: int, invoice_id: int) -> int:
        result = await self.session.execute(
            update(TimeBill)
            .where(TimeBill.organization_id == organization_id, TimeBill.invoice_id == invoice_id)
            .values(status=INVOICED, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        return _rowcount(result)

    # --- entries ---------------------------------------------------------------------------

    async def reserve_entries(
        self,
        organization_id: int,
        invoice_id: int,
        *,
        client_id: int,
        start_at: datetime,
        end_at: datetime,
    ) -> int:
        """Stopped billable entries of the client started in `[start_at, end_at)` that no
        invoice bills yet and no approved (or invoiced) bill settles. Returns how many."""
        settled = (
            exists()
            .where(TimeBill.id == TimeEntry.time_bill_id, TimeBill.status.in_(SETTLED))
            .correlate(TimeEntry)
        )
        result = await self.session.execute(
            update(TimeEntry)
            .where(
                TimeEntry.organization_id == organization_id,
                TimeEntry.client_id == client_id,
                TimeEntry.billable.is_(True),
                TimeEntry.end_at.is_not(None),
                TimeEntry.invoice_id.is_(None),
                TimeEntry.start_at >= start_at,
                TimeEntry.start_at < end_at,
                ~settled,
            )
            .values(invoice_id=invoice_id, updated_at=utcnow())
            .returning(TimeEntry.id, TimeEntry.user_id)
            .execution_options(synchronize_session=False)
        )
        return changelog.note_owned(self.session, organization_id, TIME_ENTRY, result.all())

    async def entry_portions(
        self, organization_id: int, invoice_id: int, grouping: str, days: Sequence[LocalPeriod]
    ) -> list[Portion]:
        """The invoice's entries summed per person, project, task and client (what prices
        them), and per local day (`days`, covering their starts) or entry when the grouping
        keeps those apart. `rate_cents` is left None: the caller resolves the rates."""
        columns: list[Any] = [
            TimeEntry.user_id,
            TimeEntry.project_id,
            TimeEntry.task_id,
            TimeEntry.client_id,
        ]
        periods = periods_cte(days, "days") if grouping in ("day", "entry") else None
        if periods is not None:
            columns.append(periods.c.period_index)
        if grouping == "entry":
            columns += [TimeEntry.id, TimeEntry.notes]
        statement = select(*columns, func.sum(TimeEntry.duration_seconds)).select_from(TimeEntry)
        if periods is not None:
            statement = statement.join(
                periods,
                and_(
                    TimeEntry.start_at >= periods.c.period_start,
                    TimeEntry.start_at < periods.c.period_end,
                ),
            )
        statement = statement.where(
            TimeEntry.organization_id == organization_id, TimeEntry.invoice_id == invoice_id
        ).group_by(*columns)
        portions = []
        for row in (await self.session.execute(statement)).all():
            values = row._mapping
            index = values.get("period_index")
            portions.append(
                Portion(
                    seconds=int(row[-1] or 0),
                    rate_cents=None,
                    user_id=values["user_id"],
                    project_id=values["project_id"],
                    task_id=values["task_id"],
                    client_id=values["client_id"],
                    day=days[int(index)].label if index is not None else None,
                    entry_id=values.get("id"),
                    notes=values.get("notes"),
                )
            )
        return portions

    # --- both ------------------------------------------------------------------------------

    async def release(self, organization_id: int, invoice_id: int) -> tuple[int, int]:
        """The invoice's bills back to approved and unreserved, its entries unreserved.
        Returns (bills, entries)."""
        now = utcnow()
        bills = await self.session.execute(
            update(TimeBill)
            .where(TimeBill.organization_id == organization_id, TimeBill.invoice_id == invoice_id)
            .values(status=APPROVED, invoice_id=None, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        entries = await self.session.execute(
            update(TimeEntry)
            .where(TimeEntry.organization_id == organization_id, TimeEntry.invoice_id == invoice_id)
            .values(invoice_id=None, updated_at=now)
            .returning(TimeEntry.id, TimeEntry.user_id)
            .execution_options(synchronize_session=False)
        )
        moved = changelog.note_owned(self.session, organization_id, TIME_ENTRY, entries.all())
        return _rowcount(bills), moved

    async def names(
        self,
        organization_id: int,
        *,
        user_ids: set[int],
        project_ids: set[int],
        task_ids: set[int],
    ) -> Names:
        """Names for line descriptions: at most one statement per kind."""
        users: dict[int, str] = {}
        if user_ids:
            result = await self.session.execute(
                select(User.id, User.name).where(User.id.in_(sorted(user_ids)))
            )
            users = {row.id: row.name for row in result}
        projects: dict[int, str] = {}
        if project_ids:
            result = await self.session.execute(
                select(Project.id, Project.name).where(
                    Project.organization_id == organization_id,
                    Project.id.in_(sorted(project_ids)),
                )
            )
            projects = {row.id: row.name for row in result}
        tasks: dict[int, str] = {}
        if task_ids:
            result = await self.session.execute(
                select(Task.id, Task.name).where(
                    Task.organization_id == organization_id, Task.id.in_(sorted(task_ids))
                )
            )
            tasks = {row.id: row.name for row in result}
        return Names(users=users, projects=projects, tasks=tasks)


def _rowcount(result: Any) -> int:
    return int(result.rowcount or 0)
