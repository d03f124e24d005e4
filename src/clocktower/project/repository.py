"""Queries of projects; each starts from the organisation-scoped statement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.repository import TenantRepository
from clocktower.models import Client, Membership, Project, Task, User
from clocktower.organization.repository import MembershipRepository

# Tables whose rows point at a project and forbid its permanent deletion, by the name the
# 409 answer uses. Time entries and bills join this list when they exist.
REFERENCING: tuple[tuple[str, Any], ...] = (("tasks", Task.project_id),)


@dataclass(frozen=True)
class ProjectWithClient:
    project: Project
    client: Client | None


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str


# Statements are typed Select[Any]: SQLAlchemy 2.1 types Select by its columns, which the
# kit base (Select[tuple[M]]) does not match yet.
class ProjectRepository(TenantRepository[Project]):
    model = Project

    def visible(self, organization_id: int, customer_client_id: int | None) -> Select[Any]:
        """The organisation's projects; a customer member's narrowed to their client's."""
        statement = self.in_organization(organization_id)
        if customer_client_id is not None:
            statement = statement.where(Project.client_id == customer_client_id)
        return statement

    def with_client(self, statement: Select[Any]) -> Select[Any]:
        # The client rides along in the same statement: no query per project.
        return statement.add_columns(Client).join_from(
            Project, Client, Client.id == Project.client_id, isouter=True
        )

    def listing(
        self,
        organization_id: int,
        customer_client_id: int | None,
        *,
        status: str | None = None,
        client_id: int | None = None,
        active: bool | None = None,
        search: str | None = None,
    ) -> Select[Any]:
        statement = self.visible(organization_id, customer_client_id)
        if status is not None:
            statement = statement.where(Project.status == status)
        if client_id is not None:
            statement = statement.where(Project.client_id == client_id)
        if active is not None:
            statement = statement.where(
                Project.status == "active" if active else Project.status != "active"
            )
        if search:
            needle = search.lower()
            statement = statement.where(
                func.lower(Project.name).contains(needle, autoescape=True)
                | func.lower(func.coalesce(Project.description, "")).contains(
                    needle, autoescape=True
                )
            )
        return statement.order_by(func.lower(Project.name), Project.id)

    async def page_with_clients(
        self, statement: Select[Any], params: PageParams
    ) -> Page[ProjectWithClient]:
        """Two statements whatever the page size: the count and the page (with clients)."""
        total = await self.count(statement)
        result = await self.session.execute(
            self.with_client(statement).limit(params.per_page).offset(params.offset)
        )
        items = [ProjectWithClient(project, client) for project, client in result.all()]
        return Page(items=items, total=total, params=params)

    async def get_with_client(
        self, organization_id: int, customer_client_id: int | None, project_id: int
    ) -> ProjectWithClient | None:
        result = await self.session.execute(
            self.with_client(
                self.visible(organization_id, customer_client_id).where(Project.id == project_id)
            )
        )
        row = result.one_or_none()
        return ProjectWithClient(row[0], row[1]) if row is not None else None

    async def name_taken(
        self,
        organization_id: int,
        *,
        client_id: int | None,
        name: str,
        exclude_id: int | None = None,
    ) -> bool:
        """Another non-archived project of the same client (or of none) has this name."""
        same_client = (
            Project.client_id == client_id if client_id is not None else Project.client_id.is_(None)
        )
        statement = self.in_organization(organization_id).where(
            func.lower(Project.name) == name.lower(), Project.status != "archived", same_client
        )
        if exclude_id is not None:
            statement = statement.where(Project.id != exclude_id)
        result = await self.session.execute(statement.with_only_columns(Project.id).limit(1))
        return result.first() is not None

    async def active_by_name(
        self, organization_id: int, customer_client_id: int | None, name: str
    ) -> ProjectWithClient | None:
        """The oldest active project of this name, whatever its case."""
        result = await self.session.execute(
            self.with_client(
                self.visible(organization_id, customer_client_id)
                .where(func.lower(Project.name) == name.lower(), Project.status == "active")
                .order_by(Project.id)
                .limit(1)
            )
        )
        row = result.first()
        return ProjectWithClient(row[0], row[1]) if row is not None else None

    async def usages(self, organization_id: int, project_id: int) -> dict[str, int]:
        """How many rows of each referencing table point at the project (only non-zero)."""
        found: dict[str, int] = {}
        for label, column in REFERENCING:
            count = (
                await self.session.execute(
                    select(func.count())
                    .select_from(column.table)
                    .where(
                        column.table.c.organization_id == organization_id,
                        column == project_id,
                    )
                )
            ).scalar_one()
            if count:
                found[label] = int(count)
        return found

    async def internal_recipients(self, organization_id: int) -> Sequence[Recipient]:
        """Active members who are not customers: the people told about project changes."""
        statement = (
            MembershipRepository(self.session)
            .in_organization(organization_id)
            .join(User, User.id == Membership.user_id)
            .where(Membership.client_id.is_(None), User.is_active.is_(True))
            .with_only_columns(User.name, User.email)
            .order_by(User.id)
        )
        result = await self.session.execute(statement)
        return [Recipient(name=name, email=email) for name, email in result.all()]
