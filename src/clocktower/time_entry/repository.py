"""Queries of time entries; each starts from the organisation-scoped statement.

`visible` narrows to what the caller may read (a customer: their client's entries; a
member without `time_entry.fetch.other`: their own). Embeds (`enrich=true`) ride in the
same statement as the entries, so a page is two statements whatever its size.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.repository import Repository, TenantRepository
from clocktower.models import Client, Membership, Project, Task, TimeEntry, User

# Read sizes for streaming exports: rows arrive in batches, never all at once.
STREAM_BATCH = 1000


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
        project = aliased(Project)
        task = aliased(Task)
        client = aliased(Client)
        return (
            statement.join(User, User.id == TimeEntry.user_id)
            .outerjoin(project, project.id == TimeEntry.project_id)
            .outerjoin(task, task.id == TimeEntry.task_id)
            .outerjoin(client, client.id == TimeEntry.client_id)
            .add_columns(User.name, project.name, project.color, task.name, client.name)
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
        self, viewer: Viewer, filters: EntryFilters, params: PageParams, *, enrich: bool
    ) -> Page[EntryView]:
        statement = self.filtered(viewer, filters)
        total = await self.count(statement)
        if enrich:
            statement = self.enriched(statement)
        statement = statement.order_by(TimeEntry.start_at.desc(), TimeEntry.id.desc())
        result = await self.session.execute(statement.limit(params.per_page).offset(params.offset))
        return Page(
            items=[self._view(row, enrich) for row in result.all()], total=total, params=params
        )

    async def view(self, viewer: Viewer, entry_id: int, *, enrich: bool = True) -> EntryView | None:
        statement = self.visible(viewer).where(TimeEntry.id == entry_id)
        if enrich:
            statement = self.enriched(statement)
        row = (await self.session.execute(statement)).first()
        return None if row is None else self._view(row, enrich)

    async def get_visible(self, viewer: Viewer, entry_id: int) -> TimeEntry | None:
        return await self.one_or_none(self.visible(viewer).where(TimeEntry.id == entry_id))

    async def stream(
        self, viewer: Viewer, filters: EntryFilters, *, enrich: bool = True
    ) -> AsyncIterator[EntryView]:
        """Every matching entry, oldest first, read in keyset batches (constant memory)."""
        after: tuple[datetime, int] | None = None
        while True:
            statement = self.filtered(viewer, filters)
            if after is not None:
                start_at, entry_id = after
                statement = statement.where(
                    (TimeEntry.start_at > start_at)
                    | ((TimeEntry.start_at == start_at) & (TimeEntry.id > entry_id))
                )
            if enrich:
                statement = self.enriched(statement)
            statement = statement.order_by(TimeEntry.start_at, TimeEntry.id).limit(STREAM_BATCH)
            rows = (await self.session.execute(statement)).all()
            for row in rows:
                yield self._view(row, enrich)
            if len(rows) < STREAM_BATCH:
                return
            last: TimeEntry = rows[-1][0]
            after = (last.start_at, last.id)
            # The batch is done with: let the session forget it so memory stays flat.
            self.session.expunge_all()

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
