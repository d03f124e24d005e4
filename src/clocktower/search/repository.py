"""Search queries: one statement per domain, each narrowed by the domain's own `visible`.

Starting from the project, task, client and entry repositories' visible statements keeps
tenant and customer scoping identical to their list routes. Only the columns a hit shows
are read; name matches that start with the query come first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.client.repository import ClientRepository
from clocktower.models import Client, Project, Task, TimeEntry
from clocktower.project.repository import ProjectRepository
from clocktower.task.repository import TaskRepository
from clocktower.time_entry.repository import TimeEntryRepository, Viewer


@dataclass(frozen=True)
class ProjectMatch:
    id: int
    name: str
    description: str | None


@dataclass(frozen=True)
class TaskMatch:
    id: int
    name: str
    status: str
    project_name: str


@dataclass(frozen=True)
class ClientMatch:
    id: int
    name: str
    company: str | None
    email: str | None
    is_active: bool


@dataclass(frozen=True)
class EntryMatch:
    id: int
    start_at: datetime
    end_at: datetime | None
    notes: str | None
    tags: str | None
    project_name: str | None


def _contains(column: Any, needle: str) -> ColumnElement[bool]:
    """Case-insensitive substring; % and _ in the query are literal characters."""
    return column.icontains(needle, autoescape=True)


def _prefix_first(column: Any, needle: str) -> ColumnElement[int]:
    return case((func.lower(column).startswith(needle.lower(), autoescape=True), 0), else_=1)


class SearchRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def projects(
        self, organization_id: int, customer_client_id: int | None, needle: str, limit: int
    ) -> list[ProjectMatch]:
        """Active projects whose name or description contains the query."""
        statement = (
            ProjectRepository(self.session)
            .visible(organization_id, customer_client_id)
            .with_only_columns(Project.id, Project.name, Project.description)
            .where(
                Project.status == "active",
                or_(_contains(Project.name, needle), _contains(Project.description, needle)),
            )
            .order_by(_prefix_first(Project.name, needle), func.lower(Project.name), Project.id)
            .limit(limit)
        )
        rows = (await self.session.execute(statement)).all()
        return [ProjectMatch(*row) for row in rows]

    async def tasks(
        self, organization_id: int, customer_client_id: int | None, needle: str, limit: int
    ) -> list[TaskMatch]:
        """Tasks of active projects whose name or description contains the query."""
        statement = (
            TaskRepository(self.session)
            .visible(organization_id, customer_client_id)
            .with_only_columns(Task.id, Task.name, Task.status, Project.name)
            .where(
                Project.status == "active",
                or_(_contains(Task.name, needle), _contains(Task.description, needle)),
            )
            .order_by(_prefix_first(Task.name, needle), func.lower(Task.name), Task.id)
            .limit(limit)
        )
        rows = (await self.session.execute(statement)).all()
        return [TaskMatch(*row) for row in rows]

    async def clients(
        self, organization_id: int, customer_client_id: int | None, needle: str, limit: int
    ) -> list[ClientMatch]:
        """Clients whose name, email or company contains the query."""
        statement = (
            ClientRepository(self.session)
            .visible(organization_id, customer_client_id)
            .with_only_columns(
                Client.id, Client.name, Client.company, Client.email, Client.is_active
            )
            .where(
                or_(
                    _contains(Client.name, needle),
                    _contains(Client.email, needle),
                    _contains(Client.company, needle),
                )
            )
            .order_by(_prefix_first(Client.name, needle), func.lower(Client.name), Client.id)
            .limit(limit)
        )
        rows = (await self.session.execute(statement)).all()
        return [ClientMatch(*row) for row in rows]

    async def entries(self, viewer: Viewer, needle: str, limit: int) -> list[EntryMatch]:
        """Entries the viewer may read whose notes or tags contain the query, newest first."""
        statement = (
            TimeEntryRepository(self.session)
            .visible(viewer)
            .outerjoin(
                Project,
                (Project.id == TimeEntry.project_id)
                & (Project.organization_id == viewer.organization_id),
            )
            .with_only_columns(
                TimeEntry.id,
                TimeEntry.start_at,
                TimeEntry.end_at,
                TimeEntry.notes,
                TimeEntry.tags,
                Project.name,
            )
            .where(or_(_contains(TimeEntry.notes, needle), _contains(TimeEntry.tags, needle)))
            .order_by(TimeEntry.start_at.desc(), TimeEntry.id.desc())
            .limit(limit)
        )
        rows = (await self.session.execute(statement)).all()
        return [EntryMatch(*row) for row in rows]
