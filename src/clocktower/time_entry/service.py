"""Time entry use cases: list, read, create (or start a timer), change, stop, delete.

Rules every writer of entries shares (timers, focus sessions, time blocks, imports) live
here: who may write whose time, how ids in a body resolve, how a span is validated, what
a change emits (webhook events, budget checks), which entries are locked (their bill is
approved or invoiced: 409 `entry_locked`), and that every write brings the time bills
along in the same transaction (`time_bill.ledger.refresh`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.errors import InvalidReference, ValidationFailed
from clocktower.kit.cache import Cache
from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.period import period_bounds
from clocktower.kit.time import in_zone_to_utc, utcnow
from clocktower.live.publish import queue_entry_event
from clocktower.live.service import snapshot_part
from clocktower.models import Client, Project, Task, TimeEntry, User
from clocktower.models.time_entry import SINGLE_TIMER_SLOT
from clocktower.project.budget import queue_budget_check
from clocktower.setting.schemas import OrganizationSettings
from clocktower.setting.service import organization_settings
from clocktower.time_bill import ledger as bills
from clocktower.time_entry.errors import (
    EntryLocked,
    EntryRunning,
    NoActiveTimer,
    ProjectInactive,
    TimeEntryNotFound,
    TimerAlreadyRunning,
)
from clocktower.time_entry.repository import (
    EntryFilters,
    EntryView,
    ReferenceLookup,
    TimeEntryRepository,
    Viewer,
)
from clocktower.time_entry.schemas import (
    ABSOLUTE_MAX_SECONDS,
    TimeEntryCreate,
    TimeEntryRead,
    TimeEntryUpdate,
)
from clocktower.webhook.events import emit, emit_many

DAY_SECONDS = 24 * 3600
# A timer may start a little in the future (clock skew between devices), no more.
START_SKEW = timedelta(minutes=1)
# The fields of a change that move the entry's time between bills or change what it bills.
BILLED_FIELDS = frozenset(
    {"project_id", "task_id", "client_id", "start_time", "end_time", "duration_seconds", "billable"}
)
_RUNNING_CONSTRAINT = (
    "uq_time_entries_organization_id_user_id_running_slot",
    "time_entries.organization_id, time_entries.user_id, time_entries.running_slot",
)


@dataclass(frozen=True)
class EntryQuery:
    """List filters as the caller sent them; dates are resolved in the caller's zone."""

    user_id: int | None = None
    project_id: int | None = None
    task_id: int | None = None
    client_id: int | None = None
    start_date: date | datetime | None = None
    end_date: date | datetime | None = None
    billable: bool | None = None
    paid: bool | None = None
    source: str | None = None
    tag: str | None = None
    search: str | None = None
    include_active: bool = False
    updated_since: datetime | None = None


@dataclass(frozen=True)
class References:
    project: Project | None
    task: Task | None
    client: Client | None


# --- who sees and writes what -------------------------------------------------------


def viewer_of(auth: AuthContext) -> Viewer:
    """Customers read their client's entries; members without time_entry.fetch.other
    read their own; everyone else reads the organisation's."""
    return Viewer(
        organization_id=auth.org_id,
        customer_client_id=auth.client_id,
        only_user_id=None if auth.allows("time_entry.fetch.other") else auth.user_id,
    )


def require_writer_of(auth: AuthContext, user_id: int) -> None:
    """Writing someone else's time needs time_entry.update.other."""
    if user_id != auth.user_id:
        auth.require("time_entry.update.other")


async def writable_entry(session: AsyncSession, auth: AuthContext, entry_id: int) -> TimeEntry:
    """An entry the caller may change: 404 when they cannot see it, 403 when not theirs."""
    entry = await TimeEntryRepository(session).get_visible(viewer_of(auth), entry_id)
    if entry is None:
        raise TimeEntryNotFound()
    require_writer_of(auth, entry.user_id)
    return entry


async def target_user(session: AsyncSession, auth: AuthContext, user_id: int | None) -> User:
    """The caller, or another member of the organisation when the caller may write for them."""
    if user_id is None or user_id == auth.user_id:
        return auth.user
    auth.require("time_entry.update.other")
    user = await ReferenceLookup(session).member(auth.org_id, user_id)
    if user is None:
        raise InvalidReference("user_id", "User is not a member of this organisation")
    return user


# --- reading ------------------------------------------------------------------------


def filters_of(auth: AuthContext, query: EntryQuery) -> EntryFilters:
    if query.user_id is not None and query.user_id != auth.user_id:
        # Seed 002: user_id filters by another user for admins only.
        auth.require("time_entry.fetch.other")
    bounds = period_bounds(query.start_date, query.end_date, auth.user.timezone)
    return EntryFilters(
        user_id=query.user_id,
        project_id=query.project_id,
        task_id=query.task_id,
        client_id=query.client_id,
        start_from=bounds.start,
        start_before=bounds.end,
        billable=query.billable,
        paid=query.paid,
        source=query.source,
        tag=query.tag,
        search=query.search,
        include_active=query.include_active,
        updated_since=_instant(query.updated_since, auth),
    )


async def list_entries(
    session: AsyncSession,
    auth: AuthContext,
    pagination: PageParams,
    query: EntryQuery,
    *,
    enrich: bool = False,
    totals: Cache | None = None,
) -> Page[EntryView]:
    """`totals`: where the list's total may be remembered (read-only requests only)."""
    return await TimeEntryRepository(session).page(
        viewer_of(auth), filters_of(auth, query), pagination, enrich=enrich, totals=totals
    )


async def get_entry(
    session: AsyncSession, auth: AuthContext, entry_id: int, *, enrich: bool = True
) -> EntryView:
    view = await TimeEntryRepository(session).view(viewer_of(auth), entry_id, enrich=enrich)
    if view is None:
        raise TimeEntryNotFound()
    return view


# --- references and spans -----------------------------------------------------------


async def resolve_references(
    session: AsyncSession,
    auth: AuthContext,
    *,
    project_id: int | None,
    task_id: int | None,
    client_id: int | None,
    for_new_time: bool = True,
) -> References:
    """Ids of a body, resolved inside the organisation and checked against each other.

    A task alone brings its project; a project brings its client. A project that is not
    active refuses new time (seed 002: 400 for an inactive project).
    """
    lookup = ReferenceLookup(session)
    task: Task | None = None
    project: Project | None = None
    client: Client | None = None
    if task_id is not None:
        task = await lookup.task(auth.org_id, task_id)
        if task is None:
            raise InvalidReference("task_id", "Task not found")
        if project_id is not None and project_id != task.project_id:
            raise ValidationFailed.field("task_id", "The task does not belong to project_id")
        project_id = task.project_id
    if project_id is not None:
        project = await lookup.project(auth.org_id, project_id)
        if project is None:
            raise InvalidReference("project_id", "Project not found")
        if for_new_time and project.status != "active":
            raise ProjectInactive(project.status)
        if client_id is not None and client_id != project.client_id:
            raise ValidationFailed.field("client_id", "The project belongs to another client")
        client_id = project.client_id
    if client_id is not None:
        client = await lookup.client(auth.org_id, client_id)
        if client is None:
            raise InvalidReference("client_id", "Client not found")
    if auth.client_id is not None and (client is None or client.id != auth.client_id):
        # Customer members only ever write their own client's time (when a role lets them).
        raise InvalidReference("client_id", "Time must be on your own client")
    return References(project, task, client)


def check_span(start: datetime, end: datetime, settings: OrganizationSettings) -> int:
    """End after start; under 24 h unless the organisation allows more; never absurd.
    Returns the duration in whole seconds."""
    seconds = int((end - start).total_seconds())
    if end <= start or seconds < 1:
        raise ValidationFailed.field("end_time", "end_time must be after start_time")
    if seconds > ABSOLUTE_MAX_SECONDS:
        raise ValidationFailed.field("end_time", "An entry cannot last more than 7 days")
    if seconds >= DAY_SECONDS and not settings.allow_entries_over_24h:
        raise ValidationFailed.field(
            "end_time",
            "An entry must be shorter than 24 hours (allow_entries_over_24h is off)",
        )
    return seconds


def _instant(value: datetime | None, auth: AuthContext) -> datetime | None:
    return None if value is None else in_zone_to_utc(value, auth.user.timezone)


# --- writing ------------------------------------------------------------------------


@dataclass
class NewEntry:
    """A validated entry to write: what every writer (API, timer, sessions, blocks,
    imports) hands to `add_entry`. `end_at` None starts a timer."""

    user: User
    references: References
    start_at: datetime
    end_at: datetime | None
    notes: str | None = None
    tags: str | None = None
    billable: bool | None = None
    paid: bool = False
    source: str = "manual"
    external_id: str | None = None
    title: str | None = None
    color: str | None = None
    timezone: str | None = None
    calendar_id: int | None = None


async def add_entry(session: AsyncSession, auth: AuthContext, new: NewEntry) -> TimeEntry:
    """Writes one entry (or starts a timer) with every rule of the ledger."""
    settings = await organization_settings(session, auth.org_id)
    project = new.references.project
    duration: int | None = None
    running_slot: int | None = None
    if new.end_at is None:
        if new.start_at > utcnow() + START_SKEW:
            raise ValidationFailed.field("start_time", "A timer cannot start in the future")
        if settings.single_active_timer:
            running = await TimeEntryRepository(session).running(auth.org_id, new.user.id)
            if running is not None:
                raise TimerAlreadyRunning(running.id)
            running_slot = SINGLE_TIMER_SLOT
    else:
        duration = check_span(new.start_at, new.end_at, settings)
    entry = TimeEntry(
        organization_id=auth.org_id,
        user_id=new.user.id,
        project_id=project.id if project else None,
        task_id=new.references.task.id if new.references.task else None,
        client_id=new.references.client.id if new.references.client else None,
        start_at=new.start_at,
        end_at=new.end_at,
        duration_seconds=duration,
        running_slot=running_slot,
        notes=new.notes or None,
        tags=new.tags,
        billable=new.billable if new.billable is not None else _default_billable(project),
        paid=new.paid,
        source=new.source,
        external_id=new.external_id,
        title=new.title,
        color=new.color,
        timezone=new.timezone,
        calendar_id=new.calendar_id,
    )
    await _flush_or_timer_conflict(session, entry)
    if entry.end_at is not None:
        await bills.refresh(session, auth.org_id, [entry.id])
    await entry_changed(session, entry, "time_entry.created")
    if entry.end_at is None:
        await announce(session, auth.org_id, "timer.started", entry_payload(entry))
    return entry


async def create_entry(
    session: AsyncSession, auth: AuthContext, data: TimeEntryCreate
) -> EntryView:
    """POST /time-entries: without end_time (and duration_seconds) it starts a timer."""
    user = await target_user(session, auth, data.user_id)
    references = await resolve_references(
        session, auth, project_id=data.project_id, task_id=data.task_id, client_id=data.client_id
    )
    start = _instant(data.start_time, auth)
    end = _instant(data.end_time, auth)
    if end is not None or data.duration_seconds is not None:
        if start is None:
            raise ValidationFailed.field("start_time", "start_time is required")
        if data.duration_seconds is not None:
            from_duration = start + timedelta(seconds=data.duration_seconds)
            if end is not None and end != from_duration:
                raise ValidationFailed.field(
                    "duration_seconds", "duration_seconds disagrees with end_time"
                )
            end = from_duration
    source = data.source or ("timer" if end is None else "manual")
    entry = await add_entry(
        session,
        auth,
        NewEntry(
            user=user,
            references=references,
            start_at=start or utcnow(),
            end_at=end,
            notes=data.notes,
            tags=data.tags,
            billable=data.billable,
            paid=data.paid,
            source=source,
            external_id=data.external_id,
        ),
    )
    return await get_entry(session, auth, entry.id)


async def update_entry(
    session: AsyncSession, auth: AuthContext, entry_id: int, data: TimeEntryUpdate
) -> EntryView:
    entry = await writable_entry(session, auth, entry_id)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    await apply_changes(session, auth, entry, changes)
    return await get_entry(session, auth, entry.id)


async def apply_changes(
    session: AsyncSession, auth: AuthContext, entry: TimeEntry, changes: dict[str, Any]
) -> None:
    """Changes an entry the caller may write. Keys are TimeEntryUpdate's; times may be
    naive (the caller's zone). Setting end_time (or duration_seconds) stops a running
    entry."""
    if not changes:
        return  # nothing sent, nothing changed: no event either
    await ensure_unlocked(session, entry)
    was_running = entry.end_at is None
    previous_project_id = entry.project_id
    if {"project_id", "task_id", "client_id"} & changes.keys():
        project_id = changes.get("project_id", entry.project_id)
        task_id = changes.get("task_id", entry.task_id)
        if "project_id" in changes and "task_id" not in changes and task_id is not None:
            # A new project without a task: the old task stays only if it belongs there.
            task = await ReferenceLookup(session).task(auth.org_id, task_id)
            if task is None or task.project_id != project_id:
                task_id = None
        client_id = changes.get("client_id") if "client_id" in changes else None
        if "client_id" not in changes and project_id is None:
            client_id = entry.client_id
        references = await resolve_references(
            session,
            auth,
            project_id=project_id,
            task_id=task_id,
            client_id=client_id,
            # Moving history onto an archived project is refused too; keeping it is fine.
            for_new_time=project_id != entry.project_id,
        )
        entry.project_id = references.project.id if references.project else None
        entry.task_id = references.task.id if references.task else None
        entry.client_id = references.client.id if references.client else None
    for field in ("notes", "billable", "paid"):
        if field in changes:
            setattr(entry, field, changes[field])
    if "notes" in changes and not changes["notes"]:
        entry.notes = None
    if "tags" in changes:
        entry.tags = changes["tags"]
    if {"start_time", "end_time", "duration_seconds"} & changes.keys():
        start = _instant(changes.get("start_time"), auth) or entry.start_at
        end = _instant(changes.get("end_time"), auth) if "end_time" in changes else entry.end_at
        if changes.get("duration_seconds") is not None:
            end = start + timedelta(seconds=changes["duration_seconds"])
        if end is None:
            if start > utcnow() + START_SKEW:
                raise ValidationFailed.field("start_time", "A timer cannot start in the future")
        else:
            settings = await organization_settings(session, auth.org_id)
            entry.duration_seconds = check_span(start, end, settings)
            entry.running_slot = None
        entry.start_at = start
        entry.end_at = end
    await session.flush()
    if changes.keys() & BILLED_FIELDS:
        await bills.refresh(session, entry.organization_id, [entry.id])
    await entry_changed(session, entry, "time_entry.updated")
    if was_running and entry.end_at is not None:
        await announce(session, entry.organization_id, "timer.stopped", entry_payload(entry))
    if previous_project_id is not None and previous_project_id != entry.project_id:
        previous = await ReferenceLookup(session).project(auth.org_id, previous_project_id)
        if previous is not None:
            await queue_budget_check(session, previous)


async def set_notes(
    session: AsyncSession, auth: AuthContext, entry_id: int, notes: str | None
) -> EntryView:
    """Seed 000 `POST /time-entries/{id}/notes`."""
    entry = await writable_entry(session, auth, entry_id)
    await apply_changes(session, auth, entry, {"notes": notes})
    return await get_entry(session, auth, entry.id)


async def delete_entry(session: AsyncSession, auth: AuthContext, entry_id: int) -> None:
    entry = await writable_entry(session, auth, entry_id)
    await remove_entry(session, entry)


async def remove_entry(session: AsyncSession, entry: TimeEntry) -> None:
    """Deletes an entry the caller may write (a running one is discarded); 409 when its
    bill is approved or invoiced."""
    await ensure_unlocked(session, entry)
    payload = entry_payload(entry)
    project_id = entry.project_id
    organization_id = entry.organization_id
    bill_id = entry.time_bill_id
    await session.delete(entry)
    await session.flush()
    if bill_id is not None:
        await bills.refresh(session, organization_id, [], [bill_id])
    await announce(session, organization_id, "time_entry.deleted", payload)
    if project_id is not None:
        project = await ReferenceLookup(session).project(organization_id, project_id)
        if project is not None:
            await queue_budget_check(session, project)


# --- timers -------------------------------------------------------------------------


async def start_timer(
    session: AsyncSession,
    auth: AuthContext,
    *,
    user: User | None = None,
    project_id: int | None = None,
    task_id: int | None = None,
    client_id: int | None = None,
    notes: str | None = None,
    tags: str | None = None,
    billable: bool | None = None,
    start_at: datetime | None = None,
) -> EntryView:
    """A running entry for the user (the caller unless given): 409 timer_already_running
    when the organisation allows one timer and one runs. The database's unique
    (organization, user, running_slot) decides races between requests and processes."""
    who = user or auth.user
    require_writer_of(auth, who.id)
    references = await resolve_references(
        session, auth, project_id=project_id, task_id=task_id, client_id=client_id
    )
    entry = await add_entry(
        session,
        auth,
        NewEntry(
            user=who,
            references=references,
            start_at=_instant(start_at, auth) or utcnow(),
            end_at=None,
            notes=notes,
            tags=tags,
            billable=billable,
            source="timer",
        ),
    )
    return await get_entry(session, auth, entry.id)


async def running_timer(
    session: AsyncSession, auth: AuthContext, user_id: int | None = None
) -> EntryView | None:
    """The user's running timer (the caller's unless given), enriched, or None."""
    who = user_id or auth.user_id
    if who != auth.user_id:
        auth.require("time_entry.fetch.other")
    views = await TimeEntryRepository(session).running_views(auth.org_id, who)
    for view in views:
        if auth.client_id is None or view.entry.client_id == auth.client_id:
            return view
    return None


async def stop_timer(
    session: AsyncSession,
    auth: AuthContext,
    *,
    user_id: int | None = None,
    task_id: int | None = None,
    end_at: datetime | None = None,
) -> EntryView:
    """Stops the user's running timer (only one on `task_id` when given): 409
    no_active_timer when none runs. A timer that ran past 24 h is still stopped: the
    limit is for time typed by hand, a timer records what happened."""
    who = user_id or auth.user_id
    require_writer_of(auth, who)
    entry = await TimeEntryRepository(session).running_for_update(auth.org_id, who, task_id)
    if entry is None:
        raise NoActiveTimer()
    end = _instant(end_at, auth) or utcnow()
    if end < entry.start_at:
        raise ValidationFailed.field("end_time", "end_time must be after the timer's start")
    entry.end_at = end
    entry.duration_seconds = int((end - entry.start_at).total_seconds())
    entry.running_slot = None
    await session.flush()
    await bills.refresh(session, auth.org_id, [entry.id])
    await entry_changed(session, entry, "time_entry.updated")
    await announce(session, entry.organization_id, "timer.stopped", entry_payload(entry))
    return await get_entry(session, auth, entry.id)


# --- what a change emits ------------------------------------------------------------


def entry_payload(entry: TimeEntry) -> dict[str, Any]:
    """The entry as webhook subscribers receive it (every field, no embeds)."""
    return TimeEntryRead.of_view(EntryView(entry), None).model_dump(mode="json", exclude_unset=True)


async def announce(
    session: AsyncSession, organization_id: int, event: str, payload: dict[str, Any]
) -> None:
    """Tells webhook subscribers (a job in this transaction) and live streams (after
    commit) about a change of an entry."""
    await emit(session, organization_id, event, payload)
    queue_entry_event(session, organization_id, event, payload)


async def announce_many(
    session: AsyncSession, organization_id: int, event: str, payloads: list[dict[str, Any]]
) -> None:
    """`announce` for a set-based change (bulk actions, imports): the webhook events in
    one statement, one live event per entry."""
    await emit_many(session, organization_id, event, payloads)
    for payload in payloads:
        queue_entry_event(session, organization_id, event, payload)


@snapshot_part("timer")
async def live_timer(session: AsyncSession, auth: AuthContext) -> dict[str, Any] | None:
    """The live stream's snapshot: the subscriber's running timer, or None."""
    view = await running_timer(session, auth)
    if view is None:
        return None
    return TimeEntryRead.of_view(view, auth).model_dump(mode="json", exclude_unset=True)


async def entry_changed(session: AsyncSession, entry: TimeEntry, event: str) -> None:
    await announce(session, entry.organization_id, event, entry_payload(entry))
    if entry.project_id is not None:
        project = await ReferenceLookup(session).project(entry.organization_id, entry.project_id)
        if project is not None:
            await queue_budget_check(session, project)


async def ensure_unlocked(session: AsyncSession, entry: TimeEntry) -> None:
    """409 `entry_locked` when the entry's bill is approved or invoiced, or an invoice
    bills it directly. The bill's row stays locked until the transaction ends, so an
    approval racing this write waits for it (or this write sees the approval)."""
    if entry.time_bill_id is None and entry.invoice_id is None:
        return
    lock = (await bills.entry_locks(session, entry.organization_id, [entry])).get(entry.id)
    if lock is not None:
        raise EntryLocked(
            lock.message,
            entry_id=entry.id,
            time_bill_id=lock.bill_id,
            invoice_id=lock.invoice_id,
        )


def ensure_stopped(entry: TimeEntry) -> None:
    if entry.end_at is None:
        raise EntryRunning()


def _default_billable(project: Project | None) -> bool:
    return project.billable if project is not None else True


async def _flush_or_timer_conflict(session: AsyncSession, entry: TimeEntry) -> None:
    # begin_nested() flushes what is pending before its SAVEPOINT: the entry is added
    # inside, so its INSERT is what the savepoint rolls back when it loses a race.
    try:
        async with session.begin_nested():
            session.add(entry)
            await session.flush()
    except IntegrityError as error:
        if any(name in str(error.orig) for name in _RUNNING_CONSTRAINT):
            raise TimerAlreadyRunning() from error
        raise
