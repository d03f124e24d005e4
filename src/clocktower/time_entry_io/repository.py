"""Set-based queries of bulk actions, imports and exports.

Every statement covers a whole set of entries or names (ids in one IN list, one CASE),
never one entry; each starts from the organisation's rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import case, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.changelog import recorder as changelog
from clocktower.changelog.kinds import TIME_ENTRY
from clocktower.kit.repository import Repository
from clocktower.kit.time import utcnow
from clocktower.models import AuditLog, Client, Membership, Project, Task, TimeEntry, User
from clocktower.time_entry.repository import EntryFilters, TimeEntryRepository, Viewer

# Bound parameters per IN list: far below SQLite's and asyncpg's limits.
CHUNK = 1000
M = TypeVar("M")


def _chunks(values: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass(frozen=True)
class ClientName:
    id: int
    name: str
    is_active: bool


@dataclass(frozen=True)
class ProjectName:
    id: int
    name: str
    client_id: int | None
    status: str
    billable: bool


@dataclass(frozen=True)
class TaskName:
    id: int
    name: str
    project_id: int
    is_completed: bool


@dataclass(frozen=True)
class Person:
    email: str
    name: str


class BulkEntryRepository(TimeEntryRepository):
    async def visible_by_ids(self, viewer: Viewer, ids: Sequence[int]) -> Sequence[TimeEntry]:
        return await self.all(self.visible(viewer).where(TimeEntry.id.in_(ids)))

    async def reload(self, organization_id: int, ids: Sequence[int]) -> Sequence[TimeEntry]:
        """The entries as stored now (after a set-based UPDATE), identity map refreshed."""
        statement = (
            self.in_organization(organization_id)
            .where(TimeEntry.id.in_(ids))
            .order_by(TimeEntry.id)
            .execution_options(populate_existing=True)
        )
        return await self.all(statement)

    async def set_values(
        self, organization_id: int, ids: Sequence[int], values: dict[str, Any]
    ) -> None:
        await self.session.execute(
            update(TimeEntry)
            .where(TimeEntry.organization_id == organization_id, TimeEntry.id.in_(ids))
            .values(**values, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        changelog.note(self.session, organization_id, TIME_ENTRY, ids)

    async def set_tags(self, organization_id: int, tags: dict[int, str | None]) -> None:
        """Each entry its own tags, in one UPDATE (a CASE over the ids)."""
        await self.session.execute(
            update(TimeEntry)
            .where(TimeEntry.organization_id == organization_id, TimeEntry.id.in_(list(tags)))
            .values(tags=case(tags, value=TimeEntry.id), updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        changelog.note(self.session, organization_id, TIME_ENTRY, tags)

    async def delete_ids(self, organization_id: int, ids: Sequence[int]) -> None:
        await changelog.note_entries_removed(self.session, ids)
        result = await self.session.execute(
            delete(TimeEntry)
            .where(TimeEntry.organization_id == organization_id, TimeEntry.id.in_(ids))
            .returning(TimeEntry.id, TimeEntry.user_id)
            .execution_options(synchronize_session=False)
        )
        changelog.note_owned(self.session, organization_id, TIME_ENTRY, result.all(), deleted=True)


class NameRepository(Repository[Any]):
    """What an import's names resolve to: the organisation's clients, projects, tasks and
    members, each read with one statement (or one per thousand names)."""

    model = Client

    async def clients(self, organization_id: int) -> list[ClientName]:
        rows = await self.session.execute(
            select(Client.id, Client.name, Client.is_active)
            .where(Client.organization_id == organization_id)
            .order_by(Client.id)
        )
        return [ClientName(*row) for row in rows.all()]

    async def projects(self, organization_id: int) -> list[ProjectName]:
        rows = await self.session.execute(
            select(Project.id, Project.name, Project.client_id, Project.status, Project.billable)
            .where(Project.organization_id == organization_id)
            .order_by(Project.id)
        )
        return [ProjectName(*row) for row in rows.all()]

    async def tasks(self, organization_id: int, project_ids: Sequence[int]) -> list[TaskName]:
        found: list[TaskName] = []
        for chunk in _chunks(sorted(set(project_ids))):
            rows = await self.session.execute(
                select(Task.id, Task.name, Task.project_id, Task.completed_at.is_not(None))
                .where(Task.organization_id == organization_id, Task.project_id.in_(chunk))
                .order_by(Task.id)
            )
            found.extend(TaskName(*row) for row in rows.all())
        return found

    async def projects_by_ids(self, organization_id: int, ids: Iterable[int]) -> Sequence[Project]:
        wanted = sorted(set(ids))
        if not wanted:
            return []
        result = await self.session.execute(
            select(Project).where(
                Project.organization_id == organization_id, Project.id.in_(wanted)
            )
        )
        return result.scalars().all()

    async def members_by_email(
        self, organization_id: int, emails: Sequence[str]
    ) -> dict[str, User]:
        """Lower-cased email → user, for the organisation's members among `emails`."""
        found: dict[str, User] = {}
        for chunk in _chunks(sorted(set(emails))):
            users = await self.session.scalars(
                select(User)
                .join(Membership, Membership.user_id == User.id)
                .where(Membership.organization_id == organization_id, User.email.in_(chunk))
            )
            found.update({user.email.lower(): user for user in users})
        return found


class ExportRepository(TimeEntryRepository):
    async def people(self, user_ids: Sequence[int]) -> dict[int, Person]:
        """Emails and names of the users behind a batch of the organisation's entries."""
        if not user_ids:
            return {}
        rows = await self.session.execute(
            select(User.id, User.email, User.name).where(User.id.in_(sorted(set(user_ids))))
        )
        return {row.id: Person(row.email, row.name) for row in rows.all()}

    async def matching(self, viewer: Viewer, filters: EntryFilters) -> int:
        return await self.count(self.filtered(viewer, filters))


async def insert_returning(
    session: AsyncSession, model: type[M], rows: list[dict[str, Any]]
) -> list[M]:
    """Many rows of one model in batched multi-row INSERTs (not one per row), returned as
    objects with their ids. The order of the answer is the database's: callers match
    rows by content, never by position."""
    if not rows:
        return []
    created = list((await session.scalars(insert(model).returning(model), rows)).all())
    changelog.note_objects(session, created)
    return created


async def record_audit(
    session: AsyncSession,
    organization_id: int,
    object_type: str,
    verb: str,
    changes: dict[int, dict[str, Any]],
) -> None:
    """Audit rows for a set-based write, which the flush-time recorder never sees."""
    if not changes:
        return
    actor = session.info.get("audit_actor")
    now = utcnow()
    await session.execute(
        insert(AuditLog),
        [
            {
                "organization_id": organization_id,
                "actor_user_id": getattr(actor, "user_id", None),
                "api_token_id": getattr(actor, "api_token_id", None),
                "action": f"{object_type}.{verb}",
                "object_type": object_type,
                "object_id": str(object_id),
                "changes": change,
                "ip_address": getattr(actor, "ip_address", None),
                "user_agent": getattr(actor, "user_agent", None),
                "request_id": getattr(actor, "request_id", None),
                "created_at": now,
            }
            for object_id, change in changes.items()
        ],
    )
