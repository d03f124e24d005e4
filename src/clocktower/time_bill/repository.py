"""Queries of time bills; each starts from the organisation's rows.

`LedgerRepository` holds the set-based statements that keep bills in step with their
entries (`time_bill.ledger`): every statement covers a whole set of entries or bills
(ids in IN lists of at most a thousand, one CASE), never one row at a time.
`TimeBillRepository` reads bills for the API: a page is two statements, with or without
the embedded names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import (
    BigInteger,
    Select,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.repository import TenantRepository
from clocktower.models import Client, Project, Task, TimeBill, TimeEntry, User
from clocktower.setting.schemas import RoundingSettings
from clocktower.time_bill.rounding import entry_seconds_sql

# Bills are row-locked FOR NO KEY UPDATE (`key_share=True`): such locks queue behind each
# other (one writer settles a bill at a time, an approval waits for it) but never behind
# the KEY SHARE locks an entry's foreign key takes on its bill, which would deadlock two
# writers who both pointed an entry at the same bill before locking it.
# Bound parameters per IN list: far below SQLite's and asyncpg's limits.
CHUNK = 1000
# Rows per multi-row INSERT of new bills (13 columns each).
INSERT_CHUNK = 500
LOCKED_STATUSES = ("approved", "invoiced")
OPEN_STATUSES = ("pending", "rejected")
T = TypeVar("T")


def chunks(values: Iterable[T], size: int = CHUNK) -> Iterable[list[T]]:
    ordered = list(values)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


# --- the ledger -----------------------------------------------------------------------


@dataclass(frozen=True)
class EntryRow:
    """What places an entry in a bill: its bucket fields, its owner's zone, and the bill
    it is on now (with that bill's status and key)."""

    id: int
    user_id: int
    project_id: int | None
    task_id: int | None
    client_id: int | None
    start_at: datetime
    end_at: datetime | None
    billable: bool
    time_bill_id: int | None
    invoice_id: int | None
    timezone: str
    bill_status: str | None
    bill_key: str | None


@dataclass(frozen=True)
class BillRef:
    id: int
    bill_key: str
    status: str


@dataclass(frozen=True)
class BillTotals:
    """A bill as stored, and what its entries add up to now (count 0: no entries)."""

    id: int
    status: str
    user_id: int
    project_id: int | None
    task_id: int | None
    client_id: int | None
    entry_count: int
    seconds: int
    billable_seconds: int
    rate_cents: int | None
    rate_source: str
    amount_cents: int
    currency: str
    counted: int
    counted_seconds: int
    rounded_seconds: int


@dataclass(frozen=True)
class BillScope:
    """Bills of local days `first`..`last` (either open), of one user or everyone's."""

    first: date | None = None
    last: date | None = None
    user_id: int | None = None


_ENTRY_COLUMNS: tuple[Any, ...] = (
    TimeEntry.id,
    TimeEntry.user_id,
    TimeEntry.project_id,
    TimeEntry.task_id,
    TimeEntry.client_id,
    TimeEntry.start_at,
    TimeEntry.end_at,
    TimeEntry.billable,
    TimeEntry.time_bill_id,
    TimeEntry.invoice_id,
    User.timezone,
    TimeBill.status,
    TimeBill.bill_key,
)


class LedgerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _entry_rows(self, organization_id: int) -> Select[Any]:
        return (
            select(*_ENTRY_COLUMNS)
            .join(User, User.id == TimeEntry.user_id)
            .outerjoin(TimeBill, TimeBill.id == TimeEntry.time_bill_id)
            .where(TimeEntry.organization_id == organization_id)
        )

    async def entries(self, organization_id: int, ids: Iterable[int]) -> list[EntryRow]:
        found: list[EntryRow] = []
        for chunk in chunks(sorted(set(ids))):
            result = await self.session.execute(
                self._entry_rows(organization_id).where(TimeEntry.id.in_(chunk))
            )
            found.extend(EntryRow(*row) for row in result.all())
        return found

    async def entries_in_scope(
        self,
        organization_id: int,
        scope: BillScope,
        start_from: datetime | None,
        start_before: datetime | None,
    ) -> list[EntryRow]:
        """Entries starting in `[start_from, start_before)` (a window a little wider than
        the scope's days: the caller keeps those of the right local days), and every entry
        on a bill of the scope, in one statement."""
        statement = self._entry_rows(organization_id)
        window: list[Any] = []
        if start_from is not None:
            window.append(TimeEntry.start_at >= start_from)
        if start_before is not None:
            window.append(TimeEntry.start_at < start_before)
        if window:
            on_scoped_bill = TimeEntry.time_bill_id.in_(
                self.scoped_bills(organization_id, scope).with_only_columns(TimeBill.id)
            )
            statement = statement.where(or_(on_scoped_bill, and_(*window)))
        if scope.user_id is not None:
            statement = statement.where(TimeEntry.user_id == scope.user_id)
        result = await self.session.execute(statement.order_by(TimeEntry.id))
        return [EntryRow(*row) for row in result.all()]

    def scoped_bills(self, organization_id: int, scope: BillScope) -> Select[Any]:
        statement = select(TimeBill).where(TimeBill.organization_id == organization_id)
        if scope.first is not None:
            statement = statement.where(TimeBill.day >= scope.first)
        if scope.last is not None:
            statement = statement.where(TimeBill.day <= scope.last)
        if scope.user_id is not None:
            statement = statement.where(TimeBill.user_id == scope.user_id)
        return statement

    async def bill_ids_in_scope(self, organization_id: int, scope: BillScope) -> list[int]:
        result = await self.session.execute(
            self.scoped_bills(organization_id, scope)
            .with_only_columns(TimeBill.id)
            .order_by(TimeBill.id)
        )
        return list(result.scalars())

    async def bills_of_days(
        self, organization_id: int, user_days: Iterable[tuple[int, date]]
    ) -> list[BillRef]:
        """Every bill of these (user, local day) pairs, row-locked until the transaction
        ends: an approval cannot slip between reading a bill open and filling it."""
        found: list[BillRef] = []
        for chunk in chunks(sorted(set(user_days))):
            result = await self.session.execute(
                select(TimeBill.id, TimeBill.bill_key, TimeBill.status)
                .where(
                    TimeBill.organization_id == organization_id,
                    # SQLite's planner cannot search an index by a pair IN a list of
                    # values (it walks the organisation's bills): these two IN lists it
                    # can (ix_time_bills_org_user_day); the pairs keep the answer exact.
                    TimeBill.user_id.in_(sorted({user_id for user_id, _ in chunk})),
                    TimeBill.day.in_(sorted({day for _, day in chunk})),
                    tuple_(TimeBill.user_id, TimeBill.day).in_(chunk),
                )
                .order_by(TimeBill.id)
                .with_for_update(key_share=True)
            )
            found.extend(BillRef(*row) for row in result.all())
        return found

    async def insert_bills(self, rows: list[dict[str, Any]]) -> dict[str, int]:
        """New bills (`bill_key` → id). A key another transaction created meanwhile is not
        inserted twice: its existing bill is returned instead."""
        if not rows:
            return {}
        created: dict[str, int] = {}
        for chunk in chunks(rows, INSERT_CHUNK):
            statement = self._insert_ignoring_duplicates().values(chunk)
            result = await self.session.execute(statement.returning(TimeBill.id, TimeBill.bill_key))
            created.update({key: bill_id for bill_id, key in result.all()})
        missing = [row["bill_key"] for row in rows if row["bill_key"] not in created]
        if missing:
            organization_id = rows[0]["organization_id"]
            result = await self.session.execute(
                select(TimeBill.bill_key, TimeBill.id).where(
                    TimeBill.organization_id == organization_id, TimeBill.bill_key.in_(missing)
                )
            )
            created.update({key: bill_id for key, bill_id in result.all()})
        return created

    def _insert_ignoring_duplicates(self) -> Any:
        dialect = self.session.get_bind().dialect.name
        if dialect == "postgresql":
            return postgresql.insert(TimeBill).on_conflict_do_nothing(
                index_elements=["organization_id", "bill_key"]
            )
        if dialect == "sqlite":
            return sqlite.insert(TimeBill).on_conflict_do_nothing(
                index_elements=["organization_id", "bill_key"]
            )
        return insert(TimeBill)  # pragma: no cover - only SQLite and PostgreSQL are supported

    async def assign(self, organization_id: int, bills: dict[int, int | None]) -> None:
        """Each entry its bill (None: no bill), in one UPDATE per thousand entries. The
        entry's `updated_at` stays: which bill counts it is derived, not an edit."""
        for chunk in chunks(sorted(bills)):
            mapping = {entry_id: bills[entry_id] for entry_id in chunk}
            await self.session.execute(
                update(TimeEntry)
                .where(TimeEntry.organization_id == organization_id, TimeEntry.id.in_(chunk))
                .values(
                    # Typed: a CASE of only NULLs would be text on PostgreSQL.
                    time_bill_id=cast(case(mapping, value=TimeEntry.id), BigInteger),
                    updated_at=TimeEntry.updated_at,
                )
                .execution_options(synchronize_session=False)
            )
        # Entries this session holds learn their bill without another query.
        identity_map = self.session.sync_session.identity_map
        for entry_id, bill_id in bills.items():
            held = identity_map.get(identity_key(TimeEntry, entry_id))
            if held is not None:
                set_committed_value(held, "time_bill_id", bill_id)

    async def lock_bills(self, organization_id: int, bill_ids: Iterable[int]) -> None:
        """Row-locks the bills (in id order) until the transaction ends. Taken before
        summing them, in its own statement: the sum that follows then sees every entry a
        concurrent writer of the same bill committed (PostgreSQL takes a new snapshot
        per statement), so no writer settles a bill from a stale sum."""
        for chunk in chunks(sorted(set(bill_ids))):
            await self.session.execute(
                select(TimeBill.id)
                .where(TimeBill.organization_id == organization_id, TimeBill.id.in_(chunk))
                .order_by(TimeBill.id)
                .with_for_update(key_share=True)
            )

    async def totals(
        self, organization_id: int, bill_ids: Iterable[int], rule: RoundingSettings
    ) -> list[BillTotals]:
        """The bills and their entries' count, seconds and rounded seconds, summed by the
        database (one GROUP BY per thousand bills)."""
        found: list[BillTotals] = []
        for chunk in chunks(sorted(set(bill_ids))):
            summed = (
                select(
                    TimeEntry.time_bill_id.label("bill_id"),
                    func.count().label("counted"),
                    func.sum(TimeEntry.duration_seconds).label("counted_seconds"),
                    func.sum(entry_seconds_sql(TimeEntry.duration_seconds, rule)).label(
                        "rounded_seconds"
                    ),
                )
                .where(
                    TimeEntry.organization_id == organization_id,
                    TimeEntry.time_bill_id.in_(chunk),
                )
                .group_by(TimeEntry.time_bill_id)
                .subquery()
            )
            result = await self.session.execute(
                select(
                    TimeBill.id,
                    TimeBill.status,
                    TimeBill.user_id,
                    TimeBill.project_id,
                    TimeBill.task_id,
                    TimeBill.client_id,
                    TimeBill.entry_count,
                    TimeBill.seconds,
                    TimeBill.billable_seconds,
                    TimeBill.rate_cents,
                    TimeBill.rate_source,
                    TimeBill.amount_cents,
                    TimeBill.currency,
                    func.coalesce(summed.c.counted, 0).label("counted"),
                    func.coalesce(summed.c.counted_seconds, 0).label("counted_seconds"),
                    func.coalesce(summed.c.rounded_seconds, 0).label("rounded_seconds"),
                )
                .outerjoin(summed, summed.c.bill_id == TimeBill.id)
                .where(TimeBill.organization_id == organization_id, TimeBill.id.in_(chunk))
                .order_by(TimeBill.id)
            )
            for row in result.all():
                values: dict[str, Any] = row._asdict()
                for summed_key in ("counted", "counted_seconds", "rounded_seconds"):
                    values[summed_key] = int(values[summed_key])
                found.append(BillTotals(**values))
        return found

    async def delete_bills(self, organization_id: int, ids: Sequence[int]) -> None:
        """Bills left without entries; never an approved or invoiced one."""
        for chunk in chunks(ids):
            await self.session.execute(
                delete(TimeBill)
                .where(
                    TimeBill.organization_id == organization_id,
                    TimeBill.id.in_(chunk),
                    TimeBill.status.in_(OPEN_STATUSES),
                )
                .execution_options(synchronize_session=False)
            )

    async def update_bills(self, values: list[dict[str, Any]]) -> None:
        """New totals for many bills: one executemany UPDATE by primary key."""
        if values:
            await self.session.execute(update(TimeBill), values)

    async def bill_statuses(
        self, organization_id: int, ids: Iterable[int]
    ) -> dict[int, tuple[str, str]]:
        """id → (status, bill_key), locked against a concurrent approval. Every bill of
        the same users' days is locked with them, in id order, as `bills_of_days` locks
        them: two writers of one person's day queue instead of deadlocking."""
        found: dict[int, tuple[str, str]] = {}
        for chunk in chunks(sorted(set(ids))):
            their_days = select(TimeBill.user_id, TimeBill.day).where(
                TimeBill.organization_id == organization_id, TimeBill.id.in_(chunk)
            )
            result = await self.session.execute(
                select(TimeBill.id, TimeBill.status, TimeBill.bill_key)
                .where(
                    TimeBill.organization_id == organization_id,
                    tuple_(TimeBill.user_id, TimeBill.day).in_(their_days),
                )
                .order_by(TimeBill.id)
                .with_for_update(key_share=True)
            )
            found.update({row.id: (row.status, row.bill_key) for row in result.all()})
        return found


# --- reading bills --------------------------------------------------------------------


@dataclass(frozen=True)
class BillViewer:
    """Whose bills a caller may read: everyone's, their client's, or their own."""

    organization_id: int
    customer_client_id: int | None = None
    only_user_id: int | None = None


@dataclass(frozen=True)
class BillFilters:
    user_id: int | None = None
    client_id: int | None = None
    project_id: int | None = None
    task_id: int | None = None
    status: str | None = None
    first_day: date | None = None
    last_day: date | None = None
    ids: tuple[int, ...] | None = None


@dataclass(frozen=True)
class BillView:
    """A bill and, when enriched, the names of what it is for."""

    bill: TimeBill
    enriched: bool = False
    user_name: str | None = None
    client_name: str | None = None
    project_name: str | None = None
    project_color: str | None = None
    task_name: str | None = None


@dataclass(frozen=True)
class CurrencyTotals:
    currency: str
    bills: int
    seconds: int
    billable_seconds: int
    amount_cents: int


class TimeBillRepository(TenantRepository[TimeBill]):
    model = TimeBill

    def visible(self, viewer: BillViewer) -> Select[Any]:
        statement: Select[Any] = self.in_organization(viewer.organization_id)
        if viewer.customer_client_id is not None:
            statement = statement.where(TimeBill.client_id == viewer.customer_client_id)
        if viewer.only_user_id is not None:
            statement = statement.where(TimeBill.user_id == viewer.only_user_id)
        return statement

    def filtered(self, viewer: BillViewer, filters: BillFilters) -> Select[Any]:
        conditions: list[Any] = []
        if filters.user_id is not None:
            conditions.append(TimeBill.user_id == filters.user_id)
        if filters.client_id is not None:
            conditions.append(TimeBill.client_id == filters.client_id)
        if filters.project_id is not None:
            conditions.append(TimeBill.project_id == filters.project_id)
        if filters.task_id is not None:
            conditions.append(TimeBill.task_id == filters.task_id)
        if filters.status is not None:
            conditions.append(TimeBill.status == filters.status)
        if filters.first_day is not None:
            conditions.append(TimeBill.day >= filters.first_day)
        if filters.last_day is not None:
            conditions.append(TimeBill.day <= filters.last_day)
        if filters.ids is not None:
            conditions.append(TimeBill.id.in_(filters.ids))
        return self.visible(viewer).where(*conditions)

    @staticmethod
    def enriched(statement: Select[Any]) -> Select[Any]:
        """The embedded names by outer joins: one statement, no query per bill."""
        client = aliased(Client)
        project = aliased(Project)
        task = aliased(Task)
        return (
            statement.join(User, User.id == TimeBill.user_id)
            .outerjoin(client, client.id == TimeBill.client_id)
            .outerjoin(project, project.id == TimeBill.project_id)
            .outerjoin(task, task.id == TimeBill.task_id)
            .add_columns(User.name, client.name, project.name, project.color, task.name)
        )

    @staticmethod
    def _view(row: Any, enrich: bool) -> BillView:
        if not enrich:
            return BillView(row[0])
        return BillView(row[0], True, *row[1:])

    async def page(
        self, viewer: BillViewer, filters: BillFilters, params: PageParams, *, enrich: bool
    ) -> Page[BillView]:
        statement = self.filtered(viewer, filters)
        total = await self.count(statement)
        if enrich:
            statement = self.enriched(statement)
        statement = (
            statement.order_by(TimeBill.day.desc(), TimeBill.id.desc())
            .limit(params.per_page)
            .offset(params.offset)
            .execution_options(populate_existing=True)
        )
        rows = (await self.session.execute(statement)).all()
        return Page(items=[self._view(row, enrich) for row in rows], total=total, params=params)

    async def rows(self, viewer: BillViewer, filters: BillFilters, *, limit: int) -> list[BillView]:
        """Enriched bills, oldest day first (exports), at most `limit`."""
        statement = (
            self.enriched(self.filtered(viewer, filters))
            .order_by(TimeBill.day, TimeBill.user_id, TimeBill.id)
            .limit(limit)
            .execution_options(populate_existing=True)
        )
        return [self._view(row, True) for row in (await self.session.execute(statement)).all()]

    async def matching(self, viewer: BillViewer, filters: BillFilters) -> int:
        return await self.count(self.filtered(viewer, filters))

    async def totals_by_currency(
        self, viewer: BillViewer, filters: BillFilters
    ) -> list[CurrencyTotals]:
        """Sums of the matching bills per currency, by the database."""
        bills = self.filtered(viewer, filters).subquery()
        result = await self.session.execute(
            select(
                bills.c.currency,
                func.count(),
                func.coalesce(func.sum(bills.c.seconds), 0),
                func.coalesce(func.sum(bills.c.billable_seconds), 0),
                func.coalesce(func.sum(bills.c.amount_cents), 0),
            )
            .group_by(bills.c.currency)
            .order_by(bills.c.currency)
        )
        return [
            CurrencyTotals(currency, int(count), int(seconds), int(billable), int(amount))
            for currency, count, seconds, billable, amount in result.all()
        ]

    async def view(self, viewer: BillViewer, bill_id: int) -> BillView | None:
        statement = self.enriched(
            self.visible(viewer).where(TimeBill.id == bill_id)
        ).execution_options(populate_existing=True)
        row = (await self.session.execute(statement)).first()
        return None if row is None else self._view(row, True)

    async def for_update(self, viewer: BillViewer, ids: Sequence[int]) -> list[TimeBill]:
        """The visible bills among `ids`, fresh and row-locked until the transaction ends."""
        found: list[TimeBill] = []
        for chunk in chunks(sorted(set(ids))):
            statement = (
                self.visible(viewer)
                .where(TimeBill.id.in_(chunk))
                .order_by(TimeBill.id)
                .with_for_update(key_share=True)
                .execution_options(populate_existing=True)
            )
            found.extend(await self.all(statement))
        return found

    async def pending_for_update(
        self, viewer: BillViewer, filters: BillFilters, *, limit: int
    ) -> list[TimeBill]:
        """The oldest pending bills matching `filters`, row-locked."""
        statement = (
            self.filtered(viewer, filters)
            .where(TimeBill.status == "pending")
            .order_by(TimeBill.day, TimeBill.id)
            .limit(limit)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )
        return list(await self.all(statement))

    async def entry_ids(self, organization_id: int, bill_id: int) -> list[int]:
        result = await self.session.execute(
            select(TimeEntry.id)
            .where(TimeEntry.organization_id == organization_id, TimeEntry.time_bill_id == bill_id)
            .order_by(TimeEntry.start_at, TimeEntry.id)
        )
        return list(result.scalars())
