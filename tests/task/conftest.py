"""Task test fixtures: projects made directly (the projects package is built alongside)."""

from __future__ import annotations

from typing import Any

import pytest

from clocktower.models import Organization, Project, User
from tests.support import Api, Factory, Member

TASKS = "/api/v1/tasks"


async def make_project(
    factory: Factory,
    organization: Organization,
    *,
    name: str = "Website",
    client_id: int | None = None,
) -> Project:
    project = Project(organization_id=organization.id, name=name, client_id=client_id)
    factory.session.add(project)
    await factory.session.commit()
    return project


async def set_default_project(factory: Factory, user: User, project: Project | None) -> None:
    row = await factory.session.get(User, user.id)
    assert row is not None
    row.default_project_id = project.id if project else None
    await factory.session.commit()


async def create_task(api: Api, who: Member, **fields: Any) -> dict[str, Any]:
    body = {"name": "Implement login feature", **fields}
    response = await api.as_(who).post(TASKS, json=body)
    assert response.status_code == 201, response.text
    task: dict[str, Any] = response.json()["task"]
    return task


@pytest.fixture
async def project(factory: Factory, owner: Member) -> Project:
    return await make_project(factory, owner.organization)


@pytest.fixture
async def other_project(factory: Factory, other_owner: Member) -> Project:
    return await make_project(factory, other_owner.organization, name="Elsewhere")
