"""Webhook `project.status_changed` (S6.5): one `webhook.fan_out` job per status change,
written in the change's transaction; none when the status stays."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from clocktower.models import Job
from clocktower.webhook.events import FAN_OUT_JOB
from tests.project.conftest import make_project
from tests.support import Api, Factory, Member

PROJECTS = "/api/v1/projects"
EVENT = "project.status_changed"


async def events(factory: Factory, organization_id: int) -> list[dict[str, Any]]:
    """Payloads of the organisation's status-change fan-out jobs, oldest first."""
    rows = await factory.session.execute(
        select(Job.payload)
        .where(Job.kind == FAN_OUT_JOB, Job.organization_id == organization_id)
        .order_by(Job.id)
    )
    return [payload for payload in rows.scalars() if payload["event"] == EVENT]


async def test_each_status_change_is_an_event(
    api: Api, admin: Member, factory: Factory, acme: Any
) -> None:
    project = await make_project(factory, admin.organization, name="Website", client=acme)
    url = f"{PROJECTS}/{project.id}"

    assert (await api.as_(admin).patch(url, json={"status": "on_hold"})).status_code == 200
    assert (await api.as_(admin).put(url, json={"status": "active"})).status_code == 200
    assert (await api.as_(admin).delete(url)).status_code == 200  # archives

    found = await events(factory, admin.organization.id)
    assert [event["data"] for event in found] == [
        {
            "id": project.id,
            "name": "Website",
            "client_id": acme.id,
            "old_status": old,
            "new_status": new,
        }
        for old, new in [("active", "on_hold"), ("on_hold", "active"), ("active", "archived")]
    ]
    assert all(event["occurred_at"] for event in found)


async def test_no_event_without_a_status_change(api: Api, admin: Member, factory: Factory) -> None:
    project = await make_project(factory, admin.organization)
    url = f"{PROJECTS}/{project.id}"

    await api.as_(admin).patch(url, json={"name": "Renamed", "color": "#FF0000"})
    await api.as_(admin).patch(url, json={"status": "active"})
    created = await api.as_(admin).post(PROJECTS, json={"name": "New", "status": "on_hold"})
    assert created.status_code == 201

    assert await events(factory, admin.organization.id) == []


async def test_a_refused_change_emits_nothing(api: Api, admin: Member, factory: Factory) -> None:
    await make_project(factory, admin.organization, name="Website")
    archived = await make_project(factory, admin.organization, name="website", status="archived")

    response = await api.as_(admin).patch(f"{PROJECTS}/{archived.id}", json={"status": "active"})

    assert response.status_code == 409
    assert await events(factory, admin.organization.id) == []


async def test_another_organisations_project_changes_nothing(
    api: Api, owner: Member, other_org_project: Any, factory: Factory
) -> None:
    response = await api.as_(owner).patch(
        f"{PROJECTS}/{other_org_project.id}", json={"status": "on_hold"}
    )

    assert response.status_code == 404
    assert await events(factory, other_org_project.organization_id) == []
    assert await events(factory, owner.organization.id) == []
