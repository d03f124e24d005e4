"""Queries of projects; each starts from the organisation-scoped statement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Select, case, cast, exists, func, literal, select, update

from clocktower.changelog import recorder as changelog
from clocktower.changelog.kinds import TIME_ENTRY
from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.repository import TenantRepository
from clocktower.kit.time import utcnow
from clocktower.models import (
    Client,
    Membership,
    MembershipRole,
    Project,
    Role,
    Task,
    TimeBill,
    TimeEntry,
    User,
)
from clocktower.organization.repository import MembershipRepository

# Tables whose rows point at a project and forbid its permanent deletion, by the name the
# 409 answer uses (seed 000: a pillar referenced by time bills cannot be deleted).
REFERENCING: tuple[tuple[str, Any], ...] = (
    ("tasks", Task.project_id),
    ("time_entries", TimeEntry.project_id),
    ("time_bills", TimeBill.project_id),
)
# The built-in roles whose members hear about budgets.
BUDGET_ROLES = ("owner", "admin")


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

    async def with_clients_of(
        self, organization_id: int, ids: Sequence[int]
    ) -> list[ProjectWithClient]:
        """These projects with their clients, one statement (delta sync)."""
        result = await self.session.execute(
            self.with_client(self.in_organization(organization_id).where(Project.id.in_(ids)))
        )
        return [ProjectWithClient(project, client) for project, client in result.all()]

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

    async def namesake(
        self, organization_id: int, customer_client_id: int | None, name: str
    ) -> ProjectWithClient | None:
        """The project find-or-create answers for a title, whatever its case: the oldest
        active one, else the oldest on hold; archived projects never match."""
        result = await self.session.execute(
            self.with_client(
                self.visible(organization_id, customer_client_id)
                .where(func.lower(Project.name) == name.lower(), Project.status != "archived")
                .order_by(case((Project.status == "active", 0), else_=1), Project.id)
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

    async def budget_recipients(self, organization_id: int) -> Sequence[Recipient]:
        """Active internal owners and admins (built-in roles), each once."""
        holds_role = exists().where(
            MembershipRole.membership_id == Membership.id,
            Role.id == MembershipRole.role_id,
            Role.organization_id == organization_id,
            Role.is_builtin.is_(True),
            Role.moniker.in_(BUDGET_ROLES),
        )
        statement = (
            MembershipRepository(self.session)
            .in_organization(organization_id)
            .join(User, User.id == Membership.user_id)
            .where(Membership.client_id.is_(None), User.is_active.is_(True), holds_role)
            .with_only_columns(User.name, User.email)
            .order_by(User.id)
        )
        result = await self.session.execute(statement)
        return [Recipient(name=name, email=email) for name, email in result.all()]

    async def locked(self, organization_id: int, project_id: int) -> Project | None:
        """The project, its row locked until the transaction ends (PostgreSQL; SQLite has a
        single writer), fresh from the database."""
        result = await self.session.execute(
            self.in_organization(organization_id)
            .where(Project.id == project_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return result.scalar_one_or_none()

    async def budget_usage(
        self, project: Project, default_rate_cents: int | None
    ) -> tuple[int, int]:
        """(seconds tracked, billable cent-seconds) of the project's finished entries, in
        one statement. Cent-seconds are the sum of duration * hourly rate in cents: exact integers,
        divided by 3600 only for display. The rate of an entry is its task's, else the
        project's, else the client's default, else the organisation's; none counts 0."""
        rate = func.coalesce(
            Task.hourly_rate_cents,
            Project.hourly_rate_cents,
            Client.default_hourly_rate_cents,
            literal(default_rate_cents or 0, BigInteger),
        )
        seconds = cast(TimeEntry.duration_seconds, BigInteger)
        billable = case((TimeEntry.billable.is_(True), seconds * cast(rate, BigInteger)), else_=0)
        statement = (
            select(
                func.coalesce(func.sum(seconds), 0),
                func.coalesce(func.sum(billable), 0),
            )
            .select_from(TimeEntry)
            .join(Project, Project.id == TimeEntry.project_id)
            .join(Task, Task.id == TimeEntry.task_id, isouter=True)
            .join(Client, Client.id == Project.client_id, isouter=True)
            .where(
                TimeEntry.organization_id == project.organization_id,
                TimeEntry.project_id == project.id,
                TimeEntry.end_at.is_not(None),
            )
        )
        tracked, cent_seconds = (await self.session.execute(statement)).one()
        return int(tracked), int(cent_seconds)

    async def move_entries(
        self, organization_id: int, project_id: int, client_id: int | None
    ) -> int:
        """The project's time entries follow it to its new client: one UPDATE. Their
        updated_at moves too, and the change log hands them out to delta sync again.
        Returns how many."""
        result = await self.session.execute(
            update(TimeEntry)
            .where(
                TimeEntry.organization_id == organization_id,
                TimeEntry.project_id == project_id,
            )
            .values(client_id=client_id, updated_at=utcnow())
            .returning(TimeEntry.id, TimeEntry.user_id)
            .execution_options(synchronize_session="fetch")
        )
        return changelog.note_owned(self.session, organization_id, TIME_ENTRY, result.all())

    async def move_bills(self, organization_id: int, project_id: int, client_id: int | None) -> int:
        """The project's time bills follow it to its new client, like its entries: one
        UPDATE, whatever their status (an invoice keeps its own client). Their rates stay
        until the bills are refreshed or recomputed. Returns how many."""
        result = await self.session.execute(
            update(TimeBill)
            .where(
                TimeBill.organization_id == organization_id,
                TimeBill.project_id == project_id,
            )
            .values(client_id=client_id, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
