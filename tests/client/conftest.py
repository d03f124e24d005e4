"""Client test fixtures: clients of the owner's and of another organisation, projects."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from clocktower.models import Client, ClientContact, Project, Task
from tests.support import Factory, Member


@pytest.fixture
async def acme(factory: Factory, owner: Member) -> Client:
    return await factory.client(owner.organization, name="Acme Corp")


@pytest.fixture
async def other_client(factory: Factory, other_owner: Member) -> Client:
    return await factory.client(other_owner.organization, name="Elsewhere Ltd")


async def add_project(
    factory: Factory, client: Client, *, name: str = "Website", default: bool = False
) -> Project:
    project = Project(
        organization_id=client.organization_id,
        client_id=client.id,
        name=name,
        is_default_for_client=default,
    )
    factory.session.add(project)
    await factory.session.commit()
    return project


async def add_task(factory: Factory, project: Project, *, name: str = "Fix it") -> Task:
    task = Task(organization_id=project.organization_id, project_id=project.id, name=name)
    factory.session.add(task)
    await factory.session.commit()
    return task


async def add_contact(
    factory: Factory, client: Client, *, name: str = "Pat", is_primary: bool = False
) -> ClientContact:
    contact = ClientContact(
        organization_id=client.organization_id,
        client_id=client.id,
        name=name,
        is_primary=is_primary,
    )
    factory.session.add(contact)
    await factory.session.commit()
    return contact


async def projects_of(factory: Factory, client_id: int) -> list[Project]:
    found = await factory.session.execute(
        select(Project)
        .where(Project.client_id == client_id)
        .order_by(Project.id)
        .execution_options(populate_existing=True)
    )
    return list(found.scalars())


async def client_count(factory: Factory, organization_id: int) -> int:
    found = await factory.session.execute(
        select(func.count(Client.id)).where(Client.organization_id == organization_id)
    )
    return int(found.scalar_one())


async def reload(factory: Factory, client: Client) -> Client | None:
    found = await factory.session.execute(
        select(Client).where(Client.id == client.id).execution_options(populate_existing=True)
    )
    return found.scalar_one_or_none()


async def customer_of(factory: Factory, owner: Member, client: Client, *grants: str) -> Member:
    """A customer member of `client`; `grants` adds direct permission nodes."""
    customer = await factory.member(owner.organization, "customer", client_id=client.id)
    if grants:
        customer.membership.permissions = list(grants)
        await factory.session.commit()
    return customer
