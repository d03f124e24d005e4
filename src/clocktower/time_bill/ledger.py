"""Bills follow their entries (S4.2, seed 000), in the transaction that changes them.

A bill is the billable time of one *bucket*: one user, one project (or, without a
project, one client), one task and one local day (the day the entry started, in the
user's time zone). Only stopped, billable entries count. `refresh` is what every writer
of entries calls after writing; `rebuild` is the recompute.

Both work the same way, in a fixed number of statements however many entries:

1. read the entries with their owner's zone and the bill they are on now;
2. place each in its bucket's bill: the open (pending or rejected) bill of the bucket
   with the lowest id, else a new pending bill; inserted in one statement;
3. point every moved entry at its bill in one UPDATE (CASE over the ids);
4. settle every bill touched: lock it, sum its entries in SQL (one GROUP BY), round by
   the organisation's rule, price at the resolved rate (`rate.resolve`), and write what
   changed (one executemany UPDATE); delete the open bills left without entries.

Concurrent writers of one bill queue on its row lock (PostgreSQL), and each sums after
the previous one committed, so a bill is never settled from a stale sum; SQLite has one
writer at a time anyway.

Approved and invoiced bills never change here, and neither do their entries (the
writers refuse to change those: `entry_locks`). New time landing in a bucket whose bill
is approved or invoiced opens a follow-up bill for the bucket, keyed `<key>#2` (`#3`...).
A rejected bill whose entries change goes back to pending (its rejection note stays as
the reason it was sent back).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.kit.time import day_bounds, utcnow
from clocktower.models import Organization, TimeEntry
from clocktower.rate.resolve import RateKey, resolve_rates
from clocktower.setting.schemas import OrganizationSettings
from clocktower.time_bill.repository import (
    LOCKED_STATUSES,
    OPEN_STATUSES,
    BillRef,
    BillScope,
    BillTotals,
    EntryRow,
    LedgerRepository,
)
from clocktower.time_bill.rounding import bill_seconds

# Wider than any zone's offset from UTC (-12 h to +14 h): the window of entries whose
# local start day may fall on a scope's days.
_ZONE_MARGIN = timedelta(days=1)
_SECONDS_PER_HOUR = 3600


@dataclass(frozen=True)
class Bucket:
    user_id: int
    project_id: int | None
    task_id: int | None
    client_id: int | None
    day: date

    @property
    def key(self) -> str:
        """`u12:p3:t45:2024-01-15`; `c7` stands for the client when there is no project,
        `-` for what is missing."""
        if self.project_id is not None:
            where = f"p{self.project_id}"
        elif self.client_id is not None:
            where = f"c{self.client_id}"
        else:
            where = "-"
        task = f"t{self.task_id}" if self.task_id is not None else "-"
        return f"u{self.user_id}:{where}:{task}:{self.day.isoformat()}"


def base_key(bill_key: str) -> str:
    """The bucket's key of a bill's key (`…#2` → `…`)."""
    return bill_key.split("#", 1)[0]


def _sequence(bill_key: str) -> int:
    _, _, suffix = bill_key.partition("#")
    return int(suffix) if suffix.isdigit() else 1


def local_day(row: EntryRow) -> date:
    return row.start_at.astimezone(ZoneInfo(row.timezone)).date()


def bucket_of(row: EntryRow) -> Bucket:
    return Bucket(row.user_id, row.project_id, row.task_id, row.client_id, local_day(row))


def amount_cents(billable_seconds: int, rate_cents: int | None) -> int:
    """Billable hours times the hourly rate, rounded half up to the cent once."""
    if rate_cents is None:
        return 0
    amount = Decimal(billable_seconds) * rate_cents / _SECONDS_PER_HOUR
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class LedgerChanges:
    """What a refresh or rebuild did to bills, by id."""

    created: set[int] = field(default_factory=set)
    updated: set[int] = field(default_factory=set)
    deleted: set[int] = field(default_factory=set)
    unchanged: set[int] = field(default_factory=set)
    # Approved or invoiced bills it met and left alone: id → status.
    locked: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Placement:
    created: set[int]
    # Entries that changed bill: id → (bill before, bill now).
    moves: dict[int, tuple[int | None, int | None]]


# --- the two entry points ---------------------------------------------------------------


async def refresh(
    session: AsyncSession,
    organization_id: int,
    entry_ids: Iterable[int],
    old_bill_ids: Iterable[int | None] = (),
) -> LedgerChanges:
    """Bills after a write of `entry_ids` (created or changed entries) and of the bills
    in `old_bill_ids` (the bills of deleted entries). Every bill touched is settled; one
    that changed and was rejected goes back to pending."""
    repository = LedgerRepository(session)
    ids = set(entry_ids)
    rows = [row for row in await repository.entries(organization_id, ids) if not _held(row)]
    placement = await _place(session, repository, organization_id, rows)
    touched = {bill for bill in old_bill_ids if bill is not None}
    touched |= {row.time_bill_id for row in rows if row.time_bill_id is not None}
    touched |= {now for _, now in placement.moves.values() if now is not None}
    settled = await _settle(session, repository, organization_id, touched, reopen=touched)
    settled.created = placement.created - settled.deleted
    settled.updated -= settled.created
    settled.unchanged -= settled.created
    return settled


async def rebuild(session: AsyncSession, organization_id: int, scope: BillScope) -> LedgerChanges:
    """Every bill of the scope rebuilt from the entries, deterministically: an entry's
    bill is always the lowest open bill of its bucket. Running it again changes nothing."""
    repository = LedgerRepository(session)
    scoped = set(await repository.bill_ids_in_scope(organization_id, scope))
    start_from = day_bounds(scope.first, "UTC")[0] - _ZONE_MARGIN if scope.first else None
    start_before = day_bounds(scope.last, "UTC")[1] + _ZONE_MARGIN if scope.last else None
    rows = [
        row
        for row in await repository.entries_in_scope(
            organization_id, scope, start_from, start_before
        )
        if not _held(row) and (row.time_bill_id in scoped or _within(local_day(row), scope))
    ]
    placement = await _place(session, repository, organization_id, rows)
    regrouped = {bill for move in placement.moves.values() for bill in move if bill is not None}
    touched = scoped | placement.created | regrouped
    changes = await _settle(session, repository, organization_id, touched, reopen=regrouped)
    changes.created = placement.created - changes.deleted
    changes.updated |= regrouped - changes.deleted - set(changes.locked)
    changes.updated -= changes.created
    changes.unchanged -= changes.created | changes.updated
    return changes


def _within(day: date, scope: BillScope) -> bool:
    return (scope.first is None or day >= scope.first) and (scope.last is None or day <= scope.last)


def _held(row: EntryRow) -> bool:
    """An entry an approved or invoiced bill (or an invoice directly) holds stays put."""
    return row.invoice_id is not None or row.bill_status in LOCKED_STATUSES


# --- placing entries --------------------------------------------------------------------


async def _place(
    session: AsyncSession,
    repository: LedgerRepository,
    organization_id: int,
    rows: list[EntryRow],
) -> _Placement:
    targets: dict[int, Bucket | None] = {
        row.id: bucket_of(row) if row.end_at is not None and row.billable else None for row in rows
    }
    wanted = {bucket.key: bucket for bucket in targets.values() if bucket is not None}
    existing: dict[str, list[BillRef]] = {}
    if wanted:
        user_days = {(bucket.user_id, bucket.day) for bucket in wanted.values()}
        for bill in await repository.bills_of_days(organization_id, user_days):
            existing.setdefault(base_key(bill.bill_key), []).append(bill)
    chosen: dict[str, int] = {}
    new_bills: list[dict[str, Any]] = []
    currency: str | None = None
    for key, bucket in wanted.items():
        bills = existing.get(key, [])
        open_ids = [bill.id for bill in bills if bill.status in OPEN_STATUSES]
        if open_ids:
            chosen[key] = min(open_ids)
            continue
        if currency is None:
            # Provisional: settling the bill sets the currency its rate resolves to.
            currency = (await session.get_one(Organization, organization_id)).currency
        new_bills.append(_new_bill(organization_id, bucket, _next_key(key, bills), currency))
    created = await repository.insert_bills(new_bills)
    for bill_key, bill_id in created.items():
        chosen.setdefault(base_key(bill_key), bill_id)
    moves: dict[int, tuple[int | None, int | None]] = {}
    for row in rows:
        target = targets[row.id]
        placed = chosen[target.key] if target is not None else None
        if placed != row.time_bill_id:
            moves[row.id] = (row.time_bill_id, placed)
    await repository.assign(organization_id, {entry: now for entry, (_, now) in moves.items()})
    return _Placement(set(created.values()), moves)


def _next_key(key: str, bills: list[BillRef]) -> str:
    """The bucket's key for its first bill; `#n` after the highest for a follow-up."""
    if not bills:
        return key
    return f"{key}#{max(_sequence(bill.bill_key) for bill in bills) + 1}"


def _new_bill(organization_id: int, bucket: Bucket, key: str, currency: str) -> dict[str, Any]:
    now = utcnow()
    return {
        "organization_id": organization_id,
        "bill_key": key,
        "user_id": bucket.user_id,
        "client_id": bucket.client_id,
        "project_id": bucket.project_id,
        "task_id": bucket.task_id,
        "day": bucket.day,
        "entry_count": 0,
        "seconds": 0,
        "billable_seconds": 0,
        "rate_source": "none",
        "amount_cents": 0,
        "currency": currency,
        "status": "pending",
        "created_at": now,
        "updated_at": now,
    }


# --- settling bills ---------------------------------------------------------------------


_TOTAL_FIELDS = (
    "entry_count",
    "seconds",
    "billable_seconds",
    "rate_cents",
    "rate_source",
    "amount_cents",
    "currency",
)


async def _settle(
    session: AsyncSession,
    repository: LedgerRepository,
    organization_id: int,
    bill_ids: set[int],
    *,
    reopen: set[int],
) -> LedgerChanges:
    changes = LedgerChanges()
    if not bill_ids:
        return changes
    organization = await session.get_one(Organization, organization_id)
    rule = OrganizationSettings.of(organization).rounding
    await repository.lock_bills(organization_id, bill_ids)
    live: list[BillTotals] = []
    empty: list[int] = []
    for bill in await repository.totals(organization_id, bill_ids, rule):
        if bill.status in LOCKED_STATUSES:
            changes.locked[bill.id] = bill.status
        elif bill.counted == 0:
            empty.append(bill.id)
        else:
            live.append(bill)
    rates = await resolve_rates(session, organization_id, [_rate_key(bill) for bill in live])
    now = utcnow()
    updates: list[dict[str, Any]] = []
    for bill in live:
        rate = rates[_rate_key(bill)]
        billable = bill_seconds(bill.rounded_seconds, rule)
        values: dict[str, Any] = {
            "entry_count": bill.counted,
            "seconds": bill.counted_seconds,
            "billable_seconds": billable,
            "rate_cents": rate.cents,
            "rate_source": rate.source,
            "amount_cents": amount_cents(billable, rate.cents),
            "currency": rate.currency,
        }
        if bill.status == "rejected" and bill.id in reopen:
            values["status"] = "pending"
        if "status" in values or any(getattr(bill, name) != values[name] for name in _TOTAL_FIELDS):
            updates.append({"id": bill.id, **values, "updated_at": now})
            changes.updated.add(bill.id)
        else:
            changes.unchanged.add(bill.id)
    await repository.delete_bills(organization_id, empty)
    await repository.update_bills(updates)
    changes.deleted = set(empty)
    return changes


def _rate_key(bill: BillTotals) -> RateKey:
    return RateKey(bill.user_id, bill.project_id, bill.task_id, bill.client_id)


# --- locks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryLock:
    """Why an entry cannot change: its bill is approved or invoiced, or an invoice bills
    it directly."""

    entry_id: int
    reason: str
    bill_id: int | None = None
    bill_key: str | None = None
    invoice_id: int | None = None

    @property
    def message(self) -> str:
        if self.bill_id is not None:
            return (
                f"Time entry {self.entry_id} is on time bill {self.bill_id} ({self.bill_key}), "
                f"which is {self.reason}: it cannot change until the bill is reopened"
            )
        return (
            f"Time entry {self.entry_id} is billed on invoice {self.invoice_id}: it cannot "
            "change while the invoice bills it"
        )


async def entry_locks(
    session: AsyncSession, organization_id: int, entries: Iterable[TimeEntry]
) -> dict[int, EntryLock]:
    """The locked ones among `entries` (id → lock), in at most one statement; their bills
    stay row-locked until the transaction ends, so an approval waits for the write (or
    the write sees the approval)."""
    entries = list(entries)
    bill_ids = {entry.time_bill_id for entry in entries if entry.time_bill_id is not None}
    statuses = (
        await LedgerRepository(session).bill_statuses(organization_id, bill_ids) if bill_ids else {}
    )
    locks: dict[int, EntryLock] = {}
    for entry in entries:
        status, key = statuses.get(entry.time_bill_id or 0, (None, None))
        if status in LOCKED_STATUSES:
            assert status is not None
            locks[entry.id] = EntryLock(entry.id, status, entry.time_bill_id, key)
        elif entry.invoice_id is not None:
            locks[entry.id] = EntryLock(entry.id, "invoiced", invoice_id=entry.invoice_id)
    return locks
