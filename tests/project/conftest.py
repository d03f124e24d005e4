"""Project fixtures: clients, projects and customers of the `owner` organisation."""

from __future__ import annotations

from typing import Any

import pytest

from clocktower.models import Client, Organization, Project
from tests.support import Factory, Member


async def make_project(
    factory: Factory,
    organization: Organization,
    *,
    name: str = "Website",
    client: Client | None = None,
    **fields: Any,
) -> Project:
    """A project row written directly, for arranging what the API then reads."""
    project = Project(
        organization_id=organization.id,
        name=name,
        client_id=client.id if client is not None else None,
        **fields,
    )
    factory.session.add(project)
    await factory.session.commit()
    return project


@pytest.fixture
async def acme(factory: Factory, owner: Member) -> Client:
    return await factory.client(owner.organization, name="Acme Corp")


@pytest.fixture
async def customer(factory: Factory, owner: Member, acme: Client) -> Member:
    """A client-portal member of Acme Corp."""
    return await factory.member(owner.organization, "customer", client_id=acme.id, name="Cus Tomer")


@pytest.fixture
async def other_org_project(factory: Factory, other_owner: Member) -> Project:
    return await make_project(factory, other_owner.organization, name="Their Project")
