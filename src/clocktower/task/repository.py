"""Queries of tasks, and the small lookups a task needs (its project, its assignee)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Select, exists, func, select

from clocktower.changelog.kinds import TASK
from clocktower.changelog.repository import changed_since
from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.repository import Repository, TenantRepository
from clocktower.models import Membership, Project, Task, User
from clocktower.models.base import Base


@dataclass(frozen=True)
class TaskView:
    """A task with what its answer embeds: its project and its assignee."""

    task: Task
    project_id: int
    project_name: str
    assignee_name: str | None


@dataclass(frozen=True)
class TaskFilters:
    project_id: int | None = None
    status: str | None = None
    assignee_id: int | None = None
    external_ref: str | None = None
    search: str | None = None
    updated_since: datetime | None = None


class TaskRepository(TenantRepository[Task]):
    model = Task

    def visible(self, organization_id: int, client_id: int | None) -> Select[Any]:
        """The organisation's tasks; a customer member's narrowed to their client's projects."""
        statement = self.in_organization(organization_id).join(
            Project,
            (Project.id == Task.project_id) & (Project.organization_id == organization_id),
        )
        if client_id is not None:
            statement = statement.where(Project.client_id == client_id)
        return statement

    def _with_embeds(self, organization_id: int, client_id: int | None) -> Select[Any]:
        # Project and assignee names come in the same statement: no query per row.
        return (
            self.visible(organization_id, client_id)
            .outerjoin(User, User.id == Task.assignee_id)
            .add_columns(Project.name, User.name)
        )

    @staticmethod
    def _view(row: Any) -> TaskView:
        task, project_name, assignee_name = row
        return TaskView(task, task.project_id, project_name, assignee_name)

    async def get_visible(
        self, organization_id: int, task_id: int, *, client_id: int | None
    ) -> Task | None:
        return await self.one_or_none(
            self.visible(organization_id, client_id).where(Task.id == task_id)
        )

    async def view(
        self, organization_id: int, task_id: int, *, client_id: int | None
    ) -> TaskView | None:
        result = await self.session.execute(
            self._with_embeds(organization_id, client_id).where(Task.id == task_id)
        )
        row = result.first()
        return None if row is None else self._view(row)

    async def views_of(self, organization_id: int, ids: Sequence[int]) -> list[TaskView]:
        """These tasks with their embeds, one statement (delta sync)."""
        result = await self.session.execute(
            self._with_embeds(organization_id, None).where(Task.id.in_(ids))
        )
        return [self._view(row) for row in result.all()]

    async def page(
        self,
        organization_id: int,
        params: PageParams,
        filters: TaskFilters,
        *,
        client_id: int | None,
    ) -> Page[TaskView]:
        statement = self._with_embeds(organization_id, client_id)
        if filters.project_id is not None:
            statement = statement.where(Task.project_id == filters.project_id)
        if filters.status is not None:
            statement = statement.where(Task.status == filters.status)
        if filters.assignee_id is not None:
            statement = statement.where(Task.assignee_id == filters.assignee_id)
        if filters.external_ref is not None:
            statement = statement.where(Task.external_ref == filters.external_ref)
        if filters.search:
            statement = statement.where(
                Task.name.icontains(filters.search, autoescape=True)
                | Task.description.icontains(filters.search, autoescape=True)
            )
        if filters.updated_since is not None:
            changed = changed_since(organization_id, TASK, filters.updated_since)
            statement = statement.where(Task.id.in_(changed))
        # NULL due dates last on every backend (SQLite sorts them first by default).
        statement = statement.order_by(
            Task.priority.desc(), Task.due_on.is_(None), Task.due_on, Task.id
        )
        total = await self.count(statement)
        result = await self.session.execute(statement.limit(params.per_page).offset(params.offset))
        return Page(items=[self._view(row) for row in result.all()], total=total, params=params)

    async def incomplete_by_name(
        self, organization_id: int, project_id: int, name: str
    ) -> Task | None:
        """The oldest not-done task of the project with this name, ignoring case."""
        return await self.one_or_none(
            self.in_organization(organization_id)
            .where(
                Task.project_id == project_id,
                Task.status != "done",
                func.lower(Task.name) == name.lower(),
            )
            .order_by(Task.id)
            .limit(1)
        )

    async def dependents(self, task_id: int) -> list[str]:
        """Tables whose rows still point at the task through a non-cascading foreign key.

        Read from the metadata, so a new table referencing tasks (time entries) blocks
        deletion without touching this code.
        """
        found: list[str] = []
        for column in _blocking_references():
            statement = select(exists().where(column == task_id))
            if (await self.session.execute(statement)).scalar():
                found.append(column.table.name)
        return found


def _blocking_references() -> list[Column[Any]]:
    references: list[Column[Any]] = []
    for table in Base.metadata.sorted_tables:
        for foreign_key in table.foreign_keys:
            if (
                foreign_key.column.table.name == Task.__tablename__
                and (foreign_key.ondelete or "").upper() != "CASCADE"
                and isinstance(foreign_key.parent, Column)
            ):
                references.append(foreign_key.parent)
    return references


class ProjectLookup(Repository[Project]):
    """Project ids in task bodies: a project of this organisation (and of a customer's client).

    Kept here, small, so tasks do not depend on the projects package.
    """

    model = Project

    async def get(
        self, organization_id: int, project_id: int, *, client_id: int | None
    ) -> Project | None:
        statement = select(Project).where(
            Project.organization_id == organization_id, Project.id == project_id
        )
        if client_id is not None:
            statement = statement.where(Project.client_id == client_id)
        return await self.one_or_none(statement)


class InternalUserRepository(Repository[User]):
    """Users who are members of the organisation but not customers: who tasks go to."""

    model = User

    def internal(self, organization_id: int) -> Select[Any]:
        return (
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organization_id == organization_id, Membership.client_id.is_(None))
        )

    async def get(self, organization_id: int, user_id: int) -> User | None:
        return await self.one_or_none(self.internal(organization_id).where(User.id == user_id))

    async def page(self, organization_id: int, params: PageParams) -> Page[User]:
        return await self.paginate(
            self.internal(organization_id).order_by(User.name, User.id), params
        )
