"""Queries of time entries; each starts from the organisation-scoped statement.

`visible` narrows to what the caller may read (a customer: their client's entries; a
member without `time_entry.fetch.other`: their own). Embeds (`enrich=true`) ride in the
same statement as the entries, so a page is at most two statements whatever its size:
the entries, and the count.

A page's total is exact (the API promises `total` and `pages`), but counting a large
organisation's entries costs hundreds of milliseconds, so the list route lets the page
remember it (`page(…, totals=cache)`) under the organisation's change-log sequence number,
read with the page: every write of an entry advances that number in its own commit, so
a total stored under it is the total for as long as the number stands, and the next
page needs no count.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import aliased

from clocktower.kit.cache import Cache, cache_key
from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.repository import Repository, TenantRepository
from clocktower.models import (
    Client,
    Membership,
    Organization,
    Project,
    SyncCounter,
    Task,
    TimeEntry,
    User,
)

# Read sizes for streaming exports: rows arrive in batches, never all at once.
STREAM_BATCH = 1000
# A remembered total outlives its sequence number only until it expires unused.
TOTAL_TTL_SECONDS = 3600

# The embeds' tables, aliased once: an alias made per query rebuilds its column proxies
# every time (a tenth of an enriched page's CPU).
_PROJECT = aliased(Project, name="embedded_project")
_TASK = aliased(Task, name="embedded_task")
_CLIENT = aliased(Client, name="embedded_client")
# What an export reads of an entry (`stream`): plain columns, never ORM objects.
_EXPORTED: tuple[Any, ...] = (
    TimeEntry.id,
    TimeEntry.user_id,
    TimeEntry.start_at,
    TimeEntry.end_at,
    TimeEntry.duration_seconds,
    TimeEntry.notes,
    TimeEntry.tags,
    TimeEntry.billable,
    TimeEntry.paid,
    TimeEntry.source,
)


@dataclass(frozen=True)
class Viewer:
    """Whose entries a caller may read: everyone's, their client's, or their own."""

    organization_id: int
    customer_client_id: int | None = None
    only_user_id: int | None = None


@dataclass(frozen=True)
class EntryFilters:
    """All optional; instants are UTC. `start_from` inclusive, `start_before` exclusive."""

    user_id: int | None = None
    project_id: int | None = None
    task_id: int | None = None
    client_id: int | None = None
    start_from: datetime | None = None
    start_before: datetime | None = None
    billable: bool | None = None
    paid: bool | None = None
    source: str | None = None
    tag: str | None = None
    search: str | None = None
    include_active: bool = False
    only_active: bool = False
    updated_since: datetime | None = None
    ids: tuple[int, ...] | None = None


@dataclass(frozen=True)
class EntryView:
    """An entry and, when enriched, the names of what it points at."""

    entry: TimeEntry
    enriched: bool = False
    user_name: str | None = None
    project_name: str | None = None
    project_color: str | None = None
    task_name: str | None = None
    client_name: str | None = None


class TimeEntryRepository(TenantRepository[TimeEntry]):
    model = TimeEntry

    def visible(self, viewer: Viewer) -> Select[Any]:
        statement = self.in_organization(viewer.organization_id)
        if viewer.customer_client_id is not None:
            statement = statement.where(TimeEntry.client_id == viewer.customer_client_id)
        if viewer.only_user_id is not None:
            statement = statement.where(TimeEntry.user_id == viewer.only_user_id)
        return statement

    def filtered(self, viewer: Viewer, filters: EntryFilters) -> Select[Any]:
        statement = self.visible(viewer)
        conditions: list[Any] = []
        if filters.user_id is not None:
            conditions.append(TimeEntry.user_id == filters.user_id)
        if filters.project_id is not None:
            conditions.append(TimeEntry.project_id == filters.project_id)
        if filters.task_id is not None:
            conditions.append(TimeEntry.task_id == filters.task_id)
        if filters.client_id is not None:
            conditions.append(TimeEntry.client_id == filters.client_id)
        if filters.start_from is not None:
            conditions.append(TimeEntry.start_at >= filters.start_from)
        if filters.start_before is not None:
            conditions.append(TimeEntry.start_at < filters.start_before)
        if filters.billable is not None:
            conditions.append(TimeEntry.billable.is_(filters.billable))
        if filters.paid is not None:
            conditions.append(TimeEntry.paid.is_(filters.paid))
        if filters.source is not None:
            conditions.append(TimeEntry.source == filters.source)
        if filters.tag:
            # Tags are stored "a,b": pad both sides with commas to match one whole tag.
            # Case-insensitive (as tags are deduplicated) and alike on every backend.
            padded = "," + func.coalesce(TimeEntry.tags, "") + ","
            conditions.append(padded.icontains("," + filters.tag + ",", autoescape=True))
        if filters.search:
            conditions.append(
                TimeEntry.notes.icontains(filters.search, autoescape=True)
                | TimeEntry.tags.icontains(filters.search, autoescape=True)
                | TimeEntry.title.icontains(filters.search, autoescape=True)
            )
        if filters.only_active:
            conditions.append(TimeEntry.end_at.is_(None))
        elif not filters.include_active:
            conditions.append(TimeEntry.end_at.is_not(None))
        if filters.updated_since is not None:
            conditions.append(TimeEntry.updated_at > filters.updated_since)
        if filters.ids is not None:
            conditions.append(TimeEntry.id.in_(filters.ids))
        return statement.where(*conditions)

    @staticmethod
    def enriched(statement: Select[Any]) -> Select[Any]:
        """Adds the embedded names with outer joins: one statement, no query per row."""
        return (
            statement.join(User, User.id == TimeEntry.user_id)
            .outerjoin(_PROJECT, _PROJECT.id == TimeEntry.project_id)
            .outerjoin(_TASK, _TASK.id == TimeEntry.task_id)
            .outerjoin(_CLIENT, _CLIENT.id == TimeEntry.client_id)
            .add_columns(
                User.name.label("user_name"),
                _PROJECT.name.label("project_name"),
                _PROJECT.color.label("project_color"),
                _TASK.name.label("task_name"),
                _CLIENT.name.label("client_name"),
            )
        )

    @staticmethod
    def _view(row: Any, enrich: bool) -> EntryView:
        if not enrich:
            return EntryView(row[0])
        entry, user_name, project_name, project_color, task_name, client_name = row
        return EntryView(
            entry, True, user_name, project_name, project_color, task_name, client_name
        )

    async def views_of(self, viewer: Viewer, ids: Sequence[int]) -> list[EntryView]:
        """These entries, as far as the viewer sees them, one statement (delta sync)."""
        result = await self.session.execute(self.visible(viewer).where(TimeEntry.id.in_(ids)))
        return [EntryView(entry) for entry in result.scalars().all()]

    async def page(
        self,
        viewer: Viewer,
        filters: EntryFilters,
        params: PageParams,
        *,
        enrich: bool,
        totals: Cache | None = None,
    ) -> Page[EntryView]:
        """Newest first. With `totals`, the total is remembered (see the module's doc).
        Only a read-only transaction may pass it: its own writes are numbered at commit,
        so a count that saw them would be remembered under the old number."""
        matching = self.filtered(viewer, filters)
        statement = self.enriched(matching) if enrich else matching
        # `updated_since` also sees changes the change log does not number (an invoice
        # reserving entries moves their updated_at): always counted.
        cache = totals if filters.updated_since is None else None
        if cache is not None:
            statement = statement.add_columns(*organization_state(viewer.organization_id))
        statement = statement.order_by(TimeEntry.start_at.desc(), TimeEntry.id.desc())
        rows: Sequence[Any] = (
            await self.session.execute(statement.limit(params.per_page).offset(params.offset))
        ).all()
        total: int | None = None
        key: str | None = None
        if cache is not None and rows:
            # The state was read with the page, before any count: a write committed in
            # between is then counted under the older number, which later readers no
            # longer ask for (on SQLite the two reads see one snapshot anyway).
            created_at, seq = rows[0][-2:]
            key = _total_key(viewer, filters, created_at, seq)
            cached = await cache.get(key)
            total = None if cached is None else int(cached)
            rows = [row[:-2] for row in rows]
        if total is None:
            total = await self.count(matching)
            if cache is not None and key is not None:
                await cache.set(key, str(total), TOTAL_TTL_SECONDS)
        return Page(items=[self._view(row, enrich) for row in rows], total=total, params=params)

    async def view(self, viewer: Viewer, entry_id: int, *, enrich: bool = True) -> EntryView | None:
        statement = self.visible(viewer).where(TimeEntry.id == entry_id)
        if enrich:
            statement = self.enriched(statement)
        row = (await self.session.execute(statement)).first()
        return None if row is None else self._view(row, enrich)

    async def get_visible(self, viewer: Viewer, entry_id: int) -> TimeEntry | None:
        return await self.one_or_none(self.visible(viewer).where(TimeEntry.id == entry_id))

    async def stream(self, viewer: Viewer, filters: EntryFilters) -> AsyncIterator[Row[Any]]:
        """Every matching entry, oldest first, read in keyset batches (constant memory), as
        plain rows of the exported columns and the embedded names (`row.start_at`,
        `row.project_name`): building ORM objects would cost an export half its time."""
        after: tuple[datetime, int] | None = None
        while True:
            statement: Select[Any] = self.filtered(viewer, filters).with_only_columns(*_EXPORTED)
            if after is not None:
                start_at, entry_id = after
                statement = statement.where(
                    (TimeEntry.start_at > start_at)
                    | ((TimeEntry.start_at == start_at) & (TimeEntry.id > entry_id))
                )
            statement = self.enriched(statement)
            statement = statement.order_by(TimeEntry.start_at, TimeEntry.id).limit(STREAM_BATCH)
            rows = (await self.session.execute(statement)).all()
            for row in rows:
                yield row
            if len(rows) < STREAM_BATCH:
                return
            after = (rows[-1].start_at, rows[-1].id)

    async def running(self, organization_id: int, user_id: int) -> TimeEntry | None:
        """The user's running timer (the latest, if the organisation allows several)."""
        return await self.one_or_none(
            self.in_organization(organization_id)
            .where(TimeEntry.user_id == user_id, TimeEntry.end_at.is_(None))
            .order_by(TimeEntry.start_at.desc(), TimeEntry.id.desc())
            .limit(1)
        )

    async def running_for_update(
        self, organization_id: int, user_id: int, task_id: int | None = None
    ) -> TimeEntry | None:
        """The running timer, row-locked: of two concurrent stops the second waits, then
        finds it stopped (PostgreSQL re-checks `end_at IS NULL` after the lock)."""
        statement = (
            self.in_organization(organization_id)
            .where(TimeEntry.user_id == user_id, TimeEntry.end_at.is_(None))
            .order_by(TimeEntry.start_at.desc(), TimeEntry.id.desc())
            .limit(1)
            .with_for_update()
        )
        if task_id is not None:
            statement = statement.where(TimeEntry.task_id == task_id)
        return await self.one_or_none(statement)

    async def running_views(
        self, organization_id: int, user_id: int, *, enrich: bool = True
    ) -> Sequence[EntryView]:
        statement = self.in_organization(organization_id).where(
            TimeEntry.user_id == user_id, TimeEntry.end_at.is_(None)
        )
        if enrich:
            statement = self.enriched(statement)
        statement = statement.order_by(TimeEntry.start_at.desc(), TimeEntry.id.desc())
        return [self._view(row, enrich) for row in (await self.session.execute(statement)).all()]


class ReferenceLookup(Repository[Any]):
    """Ids in entry bodies, resolved inside the organisation (and a customer's client)."""

    model = TimeEntry

    async def project(self, organization_id: int, project_id: int) -> Project | None:
        return await self.one_or_none(
            select(Project).where(
                Project.organization_id == organization_id, Project.id == project_id
            )
        )

    async def task(self, organization_id: int, task_id: int) -> Task | None:
        return await self.one_or_none(
            select(Task).where(Task.organization_id == organization_id, Task.id == task_id)
        )

    async def client(self, organization_id: int, client_id: int) -> Client | None:
        return await self.one_or_none(
            select(Client).where(Client.organization_id == organization_id, Client.id == client_id)
        )

    async def member(self, organization_id: int, user_id: int) -> User | None:
        """A user who belongs to the organisation (any role)."""
        return await self.one_or_none(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organization_id == organization_id, User.id == user_id)
        )


def organization_state(organization_id: int) -> tuple[Any, Any]:
    """The organisation's creation instant and change-log sequence number, as two columns
    that ride along with a page (one statement fewer than reading them on their own);
    also what the benchmark's bare baseline reads."""
    return (
        select(Organization.created_at)
        .where(Organization.id == organization_id)
        .scalar_subquery()
        .label("organization_created_at"),
        func.coalesce(
            select(SyncCounter.last_seq)
            .where(SyncCounter.organization_id == organization_id)
            .scalar_subquery(),
            0,
        ).label("change_seq"),
    )


def _total_key(viewer: Viewer, filters: EntryFilters, created_at: datetime, seq: int) -> str:
    """Where a list's total is remembered. The organisation's creation instant tells apart
    two organisations that had the same id (SQLite hands a deleted organisation's id out
    again, and its counter starts over)."""
    digest = hashlib.sha256(repr((created_at, viewer, filters)).encode()).hexdigest()[:32]
    return cache_key("time_entry_total", viewer.organization_id, seq, digest)
