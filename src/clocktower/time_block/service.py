"""Time block use cases: the calendar view of the ledger, its meta, and sync states.

A block is a time entry; every write goes through the ledger (`time_entry.service`), so
blocks obey the same rules as any tracked time and emit the same webhook events. What a
block adds is its calendar fields (title, colour, zone, calendar) and per-target sync
state: each write marks both targets pending and queues `time_block.sync`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.errors import ValidationFailed
from clocktower.kit.period import period_bounds
from clocktower.kit.time import day_bounds, in_zone_to_utc, utcnow
from clocktower.models import TimeEntry, TimeEntrySyncState
from clocktower.time_block.errors import CalendarNotFound, TimeBlockNotFound, TooManyTimeBlocks
from clocktower.time_block.repository import (
    TARGETS,
    BlockFilters,
    BlockRow,
    SyncStateRepository,
    TimeBlockRepository,
)
from clocktower.time_block.schemas import TimeBlockCreate, TimeBlockUpdate
from clocktower.time_entry.errors import TimeEntryNotFound
from clocktower.time_entry.schemas import seconds_to_hours
from clocktower.time_entry.service import (
    NewEntry,
    add_entry,
    apply_changes,
    ensure_unlocked,
    remove_entry,
    resolve_references,
    viewer_of,
    writable_entry,
)
from clocktower.worker import enqueue_job

SYNC_JOB = "time_block.sync"
# A year (and a leap day) of local days per list; past it, ask for several ranges.
MAX_RANGE_DAYS = 366
# One answer carries at most this many blocks (a year of a busy team is more).
MAX_BLOCKS = 5000
NOT_CONNECTED = {
    "calendar": "No calendar integration connected",
    "invoicing": "No invoicing integration connected",
}
_WAITING = ("pending", "syncing")
_SECOND = Decimal(1)


@dataclass(frozen=True)
class BlockQuery:
    """The list's range as sent: days (your zone) or instants; and its filters."""

    start: date | datetime
    end: date | datetime
    user_id: int | None = None
    client_id: int | None = None
    project_id: int | None = None
    calendar_id: int | None = None


@dataclass(frozen=True)
class LocalDay:
    """A calendar day of a zone, as the UTC interval [start, end) of it inside a range."""

    day: date
    start: datetime
    end: datetime


@dataclass(frozen=True)
class BlockMeta:
    total_hours: Decimal
    billable_hours: Decimal
    by_day: dict[str, Decimal]


@dataclass(frozen=True)
class BlockListing:
    blocks: list[BlockRow]
    meta: BlockMeta


# --- reading ------------------------------------------------------------------------


def local_days(start: datetime, end: datetime, zone: str) -> list[LocalDay]:
    """The days of `zone` that `[start, end)` touches, each clipped to the range. Days
    are 23, 24 or 25 hours long around DST changes; kit.time.day_bounds knows."""
    tz = ZoneInfo(zone)
    day = start.astimezone(tz).date()
    last = (end - timedelta(microseconds=1)).astimezone(tz).date()
    days: list[LocalDay] = []
    while day <= last:
        day_start, day_end = day_bounds(day, zone)
        clipped = LocalDay(day, max(day_start, start), min(day_end, end))
        if clipped.start < clipped.end:
            days.append(clipped)
        day += timedelta(days=1)
    return days


def _range(auth: AuthContext, query: BlockQuery) -> tuple[datetime, datetime]:
    bounds = period_bounds(query.start, query.end, auth.user.timezone)
    assert bounds.start is not None
    assert bounds.end is not None
    if bounds.end <= bounds.start:
        raise ValidationFailed.field("end", "end must not be before start")
    return bounds.start, bounds.end


def _whole_seconds(value: Decimal) -> int:
    return int(value.quantize(_SECOND, rounding=ROUND_HALF_UP))


def _hours(seconds: int) -> Decimal:
    hours = seconds_to_hours(seconds)
    assert hours is not None
    return hours


async def list_blocks(session: AsyncSession, auth: AuthContext, query: BlockQuery) -> BlockListing:
    """The blocks overlapping the range, and the range's tracked hours: in total, billable,
    and per day of the caller's zone (an entry crossing midnight is split between days).
    Only time inside the range counts; a running timer counts up to now."""
    if query.user_id is not None and query.user_id != auth.user_id:
        auth.require("time_entry.fetch.other")
    start, end = _range(auth, query)
    # A cheap bound first, so an absurd range never walks its days.
    too_long = end - start > timedelta(days=MAX_RANGE_DAYS + 1)
    days = [] if too_long else local_days(start, end, auth.user.timezone)
    if too_long or len(days) > MAX_RANGE_DAYS:
        raise ValidationFailed.field("end", f"A range covers at most {MAX_RANGE_DAYS} days")
    viewer = viewer_of(auth)
    filters = BlockFilters(
        range_start=start,
        range_end=end,
        user_id=query.user_id,
        client_id=query.client_id,
        project_id=query.project_id,
        calendar_id=query.calendar_id,
        now=utcnow(),
    )
    repository = TimeBlockRepository(session)
    blocks = await repository.blocks(viewer, filters, MAX_BLOCKS + 1)
    if len(blocks) > MAX_BLOCKS:
        raise TooManyTimeBlocks(MAX_BLOCKS)
    totals = await repository.day_totals(viewer, filters, [(day.start, day.end) for day in days])
    by_day: dict[str, Decimal] = {}
    total = billable = 0
    # One row per day with time (at most 366), already summed by the database.
    for row in totals:
        seconds = _whole_seconds(row.seconds)
        if seconds <= 0:
            continue
        by_day[days[row.index].day.isoformat()] = _hours(seconds)
        total += seconds
        billable += _whole_seconds(row.billable_seconds)
    return BlockListing(blocks, BlockMeta(_hours(total), _hours(billable), by_day))


async def get_block(session: AsyncSession, auth: AuthContext, entry_id: int) -> BlockRow:
    row = await TimeBlockRepository(session).block(viewer_of(auth), entry_id)
    if row is None:
        raise TimeBlockNotFound()
    return row


# --- writing ------------------------------------------------------------------------


async def _writable(session: AsyncSession, auth: AuthContext, entry_id: int) -> TimeEntry:
    """The ledger's rule (404 when invisible, 403 when someone else's), named as a block."""
    try:
        return await writable_entry(session, auth, entry_id)
    except TimeEntryNotFound:
        raise TimeBlockNotFound() from None


async def create_block(session: AsyncSession, auth: AuthContext, data: TimeBlockCreate) -> BlockRow:
    """A finished entry of the caller's, in the block's zone (the body's, else theirs)."""
    if data.calendar_id is not None:
        raise CalendarNotFound()
    zone = data.timezone or auth.user.timezone
    references = await resolve_references(
        session, auth, project_id=data.project_id, task_id=data.task_id, client_id=data.client_id
    )
    entry = await add_entry(
        session,
        auth,
        NewEntry(
            user=auth.user,
            references=references,
            start_at=in_zone_to_utc(data.start_time, zone),
            end_at=in_zone_to_utc(data.end_time, zone),
            notes=data.description,
            billable=data.is_billable,
            source="calendar",
            title=data.title,
            color=data.color,
            timezone=zone,
        ),
    )
    await _request_sync(session, entry, "pending")
    return await get_block(session, auth, entry.id)


async def update_block(
    session: AsyncSession, auth: AuthContext, entry_id: int, data: TimeBlockUpdate
) -> BlockRow:
    """Changes the fields sent; naive times are in the block's zone after the change."""
    entry = await _writable(session, auth, entry_id)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    if changes.get("calendar_id") is not None:
        raise CalendarNotFound()
    if changes:
        # Its calendar fields too: a billed block stays as it was billed.
        await ensure_unlocked(session, entry)
    for field in ("title", "color", "timezone", "calendar_id"):
        if field in changes:
            setattr(entry, field, changes[field])
    zone = entry.timezone or auth.user.timezone
    ledger: dict[str, Any] = {
        key: changes[key] for key in ("project_id", "task_id", "client_id") if key in changes
    }
    for key in ("start_time", "end_time"):
        if key in changes:
            ledger[key] = in_zone_to_utc(changes[key], zone)
    if "description" in changes:
        ledger["notes"] = changes["description"]
    if "is_billable" in changes:
        ledger["billable"] = changes["is_billable"]
    await apply_changes(session, auth, entry, ledger)
    await _request_sync(session, entry, "pending")
    return await get_block(session, auth, entry.id)


async def delete_block(session: AsyncSession, auth: AuthContext, entry_id: int) -> None:
    """Deletes the entry; its sync states go with it (the database cascades)."""
    entry = await _writable(session, auth, entry_id)
    await remove_entry(session, entry)


async def sync_block(session: AsyncSession, auth: AuthContext, entry_id: int) -> dict[str, str]:
    """Force sync: both targets to `syncing`, and the sync job queued."""
    entry = await _writable(session, auth, entry_id)
    states = await _request_sync(session, entry, "syncing")
    return {state.target: state.status for state in states}


async def _request_sync(
    session: AsyncSession, entry: TimeEntry, status: str
) -> list[TimeEntrySyncState]:
    """Every target of the entry to `status` (rows made when missing); the job queued in
    the same transaction, so a change never commits without its sync."""
    repository = SyncStateRepository(session)
    existing = {
        state.target: state for state in await repository.of_entry(entry.organization_id, entry.id)
    }
    now = utcnow()
    states: list[TimeEntrySyncState] = []
    for target in TARGETS:
        state = existing.get(target)
        if state is None:
            state = TimeEntrySyncState(
                organization_id=entry.organization_id, time_entry_id=entry.id, target=target
            )
            session.add(state)
        state.status = status
        state.last_error = None
        state.updated_at = now
        states.append(state)
    await session.flush()
    await enqueue_job(
        session, SYNC_JOB, organization_id=entry.organization_id, time_entry_id=entry.id
    )
    return states


# --- the sync job -------------------------------------------------------------------


async def sync_entry(session: AsyncSession, *, organization_id: int, entry_id: int) -> None:
    """Pushes a block to its targets. No organisation has a calendar or invoicing
    connector yet (S7.3, S7.5), so every waiting target becomes `not_connected`. Running
    it again changes nothing; a deleted entry has no states left, so nothing happens."""
    now = utcnow()
    for state in await SyncStateRepository(session).of_entry(organization_id, entry_id):
        if state.status in _WAITING:
            state.status = "not_connected"
            state.last_error = NOT_CONNECTED[state.target]
            state.updated_at = now
    await session.flush()
