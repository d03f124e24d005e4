"""Time bill fixtures: a client with a project and tasks, entries through the API, and
readers of the bills a request left behind (through the API and as stored)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from clocktower.models import Client, Job, Organization, Project, Task, TimeBill
from tests.support import Api, Factory, Member
from tests.time_entry.conftest import (
    ENTRIES,
    create_entry,
    entry_url,
    make_project,
    make_task,
    set_organization_settings,
    set_timezone,
)

__all__ = [
    "ENTRIES",
    "create_entry",
    "entry_url",
    "make_project",
    "make_task",
    "set_organization_settings",
    "set_timezone",
]

BILLS = "/api/v1/time-bills"


def bill_url(bill_id: int, action: str = "") -> str:
    return f"{BILLS}/{bill_id}{'/' + action if action else ''}"


async def stored_bills(factory: Factory, organization: Organization) -> list[TimeBill]:
    """The organisation's bills as stored now, by key."""
    result = await factory.session.scalars(
        select(TimeBill)
        .where(TimeBill.organization_id == organization.id)
        .order_by(TimeBill.bill_key)
        .execution_options(populate_existing=True)
    )
    return list(result)


async def bill_keys(factory: Factory, organization: Organization) -> dict[str, TimeBill]:
    return {bill.bill_key: bill for bill in await stored_bills(factory, organization)}


async def listed(api: Api, who: Member, **params: Any) -> list[dict[str, Any]]:
    response = await api.as_(who).get(BILLS, params={"per_page": 100, **params})
    assert response.status_code == 200, response.text
    bills: list[dict[str, Any]] = response.json()["time_bills"]
    return bills


async def entry_at(
    api: Api,
    who: Member,
    start: str,
    end: str,
    **fields: Any,
) -> dict[str, Any]:
    """A stopped entry through the API (UTC instants unless the text says otherwise)."""
    return await create_entry(api, who, start_time=start, end_time=end, **fields)


async def approve(api: Api, approver: Member, bill_id: int) -> dict[str, Any]:
    response = await api.as_(approver).post(bill_url(bill_id, "approve"))
    assert response.status_code == 200, response.text
    bill: dict[str, Any] = response.json()["time_bill"]
    return bill


async def queued(factory: Factory, organization: Organization, kind: str) -> list[dict[str, Any]]:
    """Payloads of the organisation's queued jobs of a kind, oldest first."""
    result = await factory.session.scalars(
        select(Job.payload)
        .where(Job.kind == kind, Job.organization_id == organization.id)
        .order_by(Job.id)
    )
    return list(result)


@pytest.fixture
async def acme(factory: Factory, owner: Member) -> Client:
    return await factory.client(owner.organization, name="Acme Corp")


@pytest.fixture
async def website(factory: Factory, owner: Member, acme: Client) -> Project:
    """Acme's project at 100.00 an hour."""
    return await make_project(
        factory, owner.organization, name="Website", client_id=acme.id, hourly_rate_cents=10000
    )


@pytest.fixture
async def homepage(factory: Factory, website: Project) -> Task:
    return await make_task(factory, website, name="Homepage")


@pytest.fixture
async def checkout(factory: Factory, website: Project) -> Task:
    return await make_task(factory, website, name="Checkout")
