"""Report fixtures: a small ledger of stopped entries, a running timer and a focus session,
over two clients, projects, tasks and people, read back through `GET /reports/summary`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from clocktower.models import Client, Project, Task, TimeEntry
from tests.support import Api, Factory, Member
from tests.time_entry.conftest import add_entry, make_project, make_task, utc

SUMMARY = "/api/v1/reports/summary"
EXPORT = "/api/v1/reports/summary/export"
JANUARY = {"start_date": "2024-01-01", "end_date": "2024-01-31"}


async def summary_of(api: Api, who: Member | str, **params: Any) -> dict[str, Any]:
    """The `summary` object of a 200 answer."""
    response = await api.as_(who).get(SUMMARY, params=params)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()["summary"]
    return found


async def summary_response(api: Api, who: Member | str, **params: Any) -> httpx.Response:
    return await api.as_(who).get(SUMMARY, params=params)


@dataclass
class Ledger:
    acme: Client
    globex: Client
    website: Project
    app: Project
    homepage: Task
    api_task: Task
    entries: list[TimeEntry]


@pytest.fixture
async def ledger(factory: Factory, owner: Member, member: Member) -> Ledger:
    """January 2024, all times UTC (everyone's zone is UTC unless a test changes it):

    - member, 15 Jan 09:00, 60 min, Website (Acme) / Homepage, billable
    - member, 16 Jan 13:00, 120 min, App (Globex) / API, not billable
    - owner, 17 Jan 08:00, 30 min, Website (Acme), billable
    - owner, 20 Jan 10:00, 45 min, no project, billable
    - member, 1 Feb 09:00, 90 min, Website: outside January
    - member, running timer on Website since 18 Jan 07:00: never counted
    """
    organization = owner.organization
    acme = await factory.client(organization, name="Acme Corp")
    globex = await factory.client(organization, name="Globex")
    website = await make_project(factory, organization, name="Website", client_id=acme.id)
    app = await make_project(factory, organization, name="App", client_id=globex.id)
    homepage = await make_task(factory, website, name="Homepage")
    api_task = await make_task(factory, app, name="API")
    entries = [
        await add_entry(
            factory, member, utc("2024-01-15T09:00"), project=website, task=homepage, billable=True
        ),
        await add_entry(
            factory,
            member,
            utc("2024-01-16T13:00"),
            minutes=120,
            project=app,
            task=api_task,
            billable=False,
        ),
        await add_entry(factory, owner, utc("2024-01-17T08:00"), minutes=30, project=website),
        await add_entry(factory, owner, utc("2024-01-20T10:00"), minutes=45),
        await add_entry(factory, member, utc("2024-02-01T09:00"), minutes=90, project=website),
        await add_entry(factory, member, utc("2024-01-18T07:00"), minutes=None, project=website),
    ]
    return Ledger(acme, globex, website, app, homepage, api_task, entries)
