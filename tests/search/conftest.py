"""Search fixtures: clients with contact fields, tasks in a given status."""

from __future__ import annotations

from typing import Any

from clocktower.models import Client, Organization, Project, Task
from tests.support import Factory


async def make_client(
    factory: Factory, organization: Organization, name: str, **fields: Any
) -> Client:
    client = Client(organization_id=organization.id, name=name, **fields)
    factory.session.add(client)
    await factory.session.commit()
    return client


async def make_task_in(factory: Factory, project: Project, name: str, **fields: Any) -> Task:
    task = Task(organization_id=project.organization_id, project_id=project.id, name=name, **fields)
    factory.session.add(task)
    await factory.session.commit()
    return task
