"""Customer-focus fixtures: clients of two organisations."""

from __future__ import annotations

import pytest

from clocktower.models import Client
from tests.support import Factory, Member

FOCUS_LIST = "/api/v1/client-focus"


def focus_url(client_id: int) -> str:
    return f"/api/v1/clients/{client_id}/focus"


@pytest.fixture
async def acme(factory: Factory, owner: Member) -> Client:
    return await factory.client(owner.organization, name="Acme Corp")


@pytest.fixture
async def globex(factory: Factory, owner: Member) -> Client:
    return await factory.client(owner.organization, name="Globex")


@pytest.fixture
async def other_client(factory: Factory, other_owner: Member) -> Client:
    return await factory.client(other_owner.organization, name="Elsewhere Ltd")
