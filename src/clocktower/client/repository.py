"""Queries of clients and their contacts.

Customer members (`auth.client_id`) see only their own client: `visible` narrows the
organisation statement, so no route has to remember it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ScalarSelect, Select, exists, func, or_, select

from clocktower.changelog.kinds import CLIENT
from clocktower.changelog.repository import changed_since
from clocktower.client.schemas import ClientFilter
from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.repository import TenantRepository
from clocktower.models import (
    Client,
    ClientContact,
    ClientFocus,
    Invoice,
    Membership,
    Project,
    Quote,
    Task,
    TimeBill,
    TimeEntry,
)


def _projects_count() -> ScalarSelect[int]:
    """Correlated subquery: the page's counts come with the page, one statement."""
    return (
        select(func.count(Project.id))
        .where(Project.client_id == Client.id, Project.organization_id == Client.organization_id)
        .correlate(Client)
        .scalar_subquery()
    )


class ClientRepository(TenantRepository[Client]):
    model = Client

    def visible(self, organization_id: int, customer_client_id: int | None) -> Select[Client]:
        """The clients a caller may see: all of the organisation's, or a customer's own."""
        statement = self.in_organization(organization_id)
        if customer_client_id is not None:
            statement = statement.where(Client.id == customer_client_id)
        return statement

    async def get_visible(
        self, organization_id: int, customer_client_id: int | None, client_id: int
    ) -> Client | None:
        return await self.one_or_none(
            self.visible(organization_id, customer_client_id).where(Client.id == client_id)
        )

    async def page_with_counts(
        self,
        organization_id: int,
        customer_client_id: int | None,
        filters: ClientFilter,
        params: PageParams,
        *,
        updated_since: datetime | None = None,
    ) -> Page[tuple[Client, int]]:
        """Two statements whatever the page size: the count, and the page with its counts."""
        statement = self.visible(organization_id, customer_client_id)
        if filters.active is not None:
            statement = statement.where(Client.is_active.is_(filters.active))
        if filters.search:
            pattern = f"%{_escape_like(filters.search.lower())}%"
            statement = statement.where(
                or_(
                    func.lower(Client.name).like(pattern, escape="\\"),
                    func.lower(Client.email).like(pattern, escape="\\"),
                    func.lower(Client.company).like(pattern, escape="\\"),
                )
            )
        if updated_since is not None:
            changed = changed_since(organization_id, CLIENT, updated_since)
            statement = statement.where(Client.id.in_(changed))
        total = await self.count(statement)
        rows = await self.session.execute(
            statement.add_columns(_projects_count())
            .order_by(func.lower(Client.name), Client.id)
            .limit(params.per_page)
            .offset(params.offset)
        )
        items = [(client, int(count)) for client, count in rows.all()]
        return Page(items=items, total=total, params=params)

    async def with_counts_of(
        self, organization_id: int, ids: Sequence[int]
    ) -> list[tuple[Client, int]]:
        """These clients with their project counts, one statement (delta sync)."""
        rows = await self.session.execute(
            self.in_organization(organization_id)
            .where(Client.id.in_(ids))
            .add_columns(_projects_count())
        )
        return [(client, int(count)) for client, count in rows.all()]

    async def projects_count(self, organization_id: int, client_id: int) -> int:
        found = await self.session.execute(
            select(func.count(Project.id)).where(
                Project.organization_id == organization_id, Project.client_id == client_id
            )
        )
        return int(found.scalar_one())

    async def is_referenced(self, organization_id: int, client_id: int) -> bool:
        """Anything worth keeping points at the client: a project other than an untouched
        General Support project, a task of its projects, tracked time (on the client or
        on one of its projects), a time bill, invoice or quote, or a customer member
        (whose membership the database would delete with the client)."""
        of_client = (Project.organization_id == organization_id, Project.client_id == client_id)
        projects = select(Project.id).where(*of_client)
        other_project = exists().where(*of_client, Project.is_default_for_client.is_(False))
        any_task = exists().where(
            Task.organization_id == organization_id, Task.project_id.in_(projects)
        )
        any_time = exists().where(
            TimeEntry.organization_id == organization_id,
            or_(TimeEntry.client_id == client_id, TimeEntry.project_id.in_(projects)),
        )
        customer = exists().where(
            Membership.organization_id == organization_id, Membership.client_id == client_id
        )
        billed = or_(
            *(
                exists().where(
                    model.organization_id == organization_id, model.client_id == client_id
                )
                for model in (Invoice, Quote, TimeBill)
            )
        )
        found = await self.session.execute(
            select(or_(other_project, any_task, any_time, customer, billed))
        )
        return bool(found.scalar_one())

    async def projects_of(self, organization_id: int, client_id: int) -> Sequence[Project]:
        found = await self.session.execute(
            select(Project).where(
                Project.organization_id == organization_id, Project.client_id == client_id
            )
        )
        return found.scalars().all()

    async def focus_on(self, organization_id: int, client_id: int) -> Sequence[ClientFocus]:
        """Members' customer focus on this client (it goes when the client goes)."""
        found = await self.session.execute(
            select(ClientFocus).where(
                ClientFocus.organization_id == organization_id,
                ClientFocus.client_id == client_id,
            )
        )
        return found.scalars().all()


class ContactRepository(TenantRepository[ClientContact]):
    model = ClientContact

    async def of_client(self, organization_id: int, client_id: int) -> Sequence[ClientContact]:
        return await self.all(
            self.in_organization(organization_id)
            .where(ClientContact.client_id == client_id)
            .order_by(ClientContact.is_primary.desc(), ClientContact.name, ClientContact.id)
        )

    async def get_of_client(
        self, organization_id: int, client_id: int, contact_id: int
    ) -> ClientContact | None:
        return await self.one_or_none(
            self.in_organization(organization_id).where(
                ClientContact.client_id == client_id, ClientContact.id == contact_id
            )
        )


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
