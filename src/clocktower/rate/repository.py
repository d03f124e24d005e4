"""Queries of rates: members' own rates and people's rates on projects; each starts from
the organisation's rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select

from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.repository import Repository, TenantRepository
from clocktower.models import Client, Membership, Project, ProjectUserRate, Task, User


@dataclass(frozen=True)
class MemberRate:
    membership: Membership
    user_name: str


@dataclass(frozen=True)
class PersonRate:
    rate: ProjectUserRate
    user_name: str


class ProjectUserRateRepository(TenantRepository[ProjectUserRate]):
    model = ProjectUserRate

    def _of_project(self, organization_id: int, project_id: int) -> Select[Any]:
        return (
            self.in_organization(organization_id)
            .join(User, User.id == ProjectUserRate.user_id)
            .where(ProjectUserRate.project_id == project_id)
            .add_columns(User.name)
        )

    async def page(
        self, organization_id: int, project_id: int, params: PageParams
    ) -> Page[PersonRate]:
        statement = self._of_project(organization_id, project_id)
        total = await self.count(statement)
        result = await self.session.execute(
            statement.order_by(User.name, ProjectUserRate.user_id)
            .limit(params.per_page)
            .offset(params.offset)
        )
        return Page(
            items=[PersonRate(rate, name) for rate, name in result.all()],
            total=total,
            params=params,
        )

    async def of_person(
        self, organization_id: int, project_id: int, user_id: int
    ) -> ProjectUserRate | None:
        return await self.one_or_none(
            self.in_organization(organization_id).where(
                ProjectUserRate.project_id == project_id, ProjectUserRate.user_id == user_id
            )
        )


class RateReferences(Repository[Any]):
    """Ids of rate routes, resolved inside the organisation (and a customer's client)."""

    model = Membership

    async def member(self, organization_id: int, user_id: int) -> MemberRate | None:
        result = await self.session.execute(
            select(Membership, User.name)
            .join(User, User.id == Membership.user_id)
            .where(Membership.organization_id == organization_id, Membership.user_id == user_id)
        )
        row = result.first()
        return None if row is None else MemberRate(row[0], row[1])

    async def project(
        self, organization_id: int, project_id: int, customer_client_id: int | None
    ) -> Project | None:
        statement = select(Project).where(
            Project.organization_id == organization_id, Project.id == project_id
        )
        if customer_client_id is not None:
            statement = statement.where(Project.client_id == customer_client_id)
        return await self.one_or_none(statement)

    async def task(self, organization_id: int, task_id: int) -> Task | None:
        return await self.one_or_none(
            select(Task).where(Task.organization_id == organization_id, Task.id == task_id)
        )

    async def client(self, organization_id: int, client_id: int) -> Client | None:
        return await self.one_or_none(
            select(Client).where(Client.organization_id == organization_id, Client.id == client_id)
        )
