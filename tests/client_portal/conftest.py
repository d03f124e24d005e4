"""Client portal fixtures: clients and their projects."""

from __future__ import annotations

import pytest

from clocktower.models import Client, Project
from tests.support import Factory, Member


@pytest.fixture
async def acme(factory: Factory, owner: Member) -> Client:
    return await factory.client(owner.organization, name="Acme Corp")


@pytest.fixture
async def globex(factory: Factory, owner: Member) -> Client:
    return await factory.client(owner.organization, name="Globex")


@pytest.fixture
async def other_client(factory: Factory, other_owner: Member) -> Client:
    return await factory.client(other_owner.organization, name="Elsewhere Ltd")


async def add_project(factory: Factory, client: Client, name: str) -> Project:
    project = Project(organization_id=client.organization_id, client_id=client.id, name=name)
    factory.session.add(project)
    await factory.session.commit()
    return project
