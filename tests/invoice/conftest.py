"""Invoice fixtures: a client with projects and tasks, approved time bills written as rows
(as the time bill service leaves them), entries, and drafting through the API."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from clocktower.models import Client, Invoice, Job, Project, Task, TimeBill, TimeEntry
from clocktower.webhook.events import FAN_OUT_JOB
from tests.support import Api, Factory, Member
from tests.time_entry.conftest import make_project, make_task

INVOICES = "/api/v1/invoices"
_BILL_KEYS = itertools.count(1)


def invoice_url(invoice_id: int, action: str = "") -> str:
    return f"{INVOICES}/{invoice_id}" + (f"/{action}" if action else "")


@dataclass
class Book:
    """Acme Corp with two projects (Website at 100/h with task Homepage, App), and
    Globex with its own project."""

    acme: Client
    globex: Client
    website: Project
    app: Project
    homepage: Task
    globex_site: Project


@pytest.fixture
async def book(factory: Factory, owner: Member) -> Book:
    organization = owner.organization
    acme = await factory.client(organization, name="Acme Corp")
    globex = await factory.client(organization, name="Globex")
    website = await make_project(
        factory, organization, name="Website", client_id=acme.id, hourly_rate_cents=10_000
    )
    app = await make_project(factory, organization, name="App", client_id=acme.id)
    homepage = await make_task(factory, website, name="Homepage")
    globex_site = await make_project(factory, organization, name="Globex site", client_id=globex.id)
    return Book(acme, globex, website, app, homepage, globex_site)


@pytest.fixture
async def customer(factory: Factory, owner: Member, book: Book) -> Member:
    """A client-portal member of Acme Corp."""
    return await factory.member(
        owner.organization, "customer", client_id=book.acme.id, name="Cus Tomer"
    )


async def add_bill(
    factory: Factory,
    who: Member,
    *,
    project: Project | None,
    day: date,
    seconds: int = 3600,
    rate_cents: int | None = 10_000,
    task: Task | None = None,
    status: str = "approved",
    currency: str = "EUR",
    client: Client | None = None,
) -> TimeBill:
    """A bill row as the time bill service writes it: amount = hours x rate."""
    amount = (seconds * (rate_cents or 0) + 1800) // 3600
    bill = TimeBill(
        organization_id=who.organization.id,
        bill_key=f"test-{next(_BILL_KEYS)}",
        user_id=who.id,
        client_id=client.id if client else (project.client_id if project else None),
        project_id=project.id if project else None,
        task_id=task.id if task else None,
        day=day,
        entry_count=1,
        seconds=seconds,
        billable_seconds=seconds,
        rate_cents=rate_cents,
        rate_source="project" if rate_cents is not None else "none",
        amount_cents=amount,
        currency=currency,
        status=status,
    )
    factory.session.add(bill)
    await factory.session.commit()
    return bill


async def draft(api: Api, who: Member, **body: Any) -> dict[str, Any]:
    response = await api.as_(who).post(INVOICES, json=body)
    assert response.status_code == 201, response.text
    invoice: dict[str, Any] = response.json()["invoice"]
    return invoice


async def manual(api: Api, who: Member, client: Client, **body: Any) -> dict[str, Any]:
    """A manual draft: one line of 2 x 50.00 unless `lines` are given."""
    lines = body.pop("lines", [{"description": "Consulting", "quantity": 2, "unit_price": 50}])
    return await draft(api, who, client_id=client.id, source="manual", lines=lines, **body)


async def finalize(api: Api, who: Member, invoice_id: int, **body: Any) -> dict[str, Any]:
    response = await api.as_(who).post(invoice_url(invoice_id, "finalize"), json=body or None)
    assert response.status_code == 200, response.text
    invoice: dict[str, Any] = response.json()["invoice"]
    return invoice


async def stored_bills(factory: Factory, *bills: TimeBill) -> list[tuple[str, int | None]]:
    """(status, invoice_id) of each bill as stored now."""
    result = await factory.session.execute(
        select(TimeBill.id, TimeBill.status, TimeBill.invoice_id)
        .where(TimeBill.id.in_([bill.id for bill in bills]))
        .execution_options(populate_existing=True)
    )
    found = {row.id: (row.status, row.invoice_id) for row in result}
    return [found[bill.id] for bill in bills]


async def stored_entry_invoices(factory: Factory, *entries: TimeEntry) -> list[int | None]:
    result = await factory.session.execute(
        select(TimeEntry.id, TimeEntry.invoice_id).where(
            TimeEntry.id.in_([entry.id for entry in entries])
        )
    )
    found = {row.id: row.invoice_id for row in result}
    return [found[entry.id] for entry in entries]


async def stored_invoice(factory: Factory, invoice_id: int) -> Invoice | None:
    result = await factory.session.execute(
        select(Invoice).where(Invoice.id == invoice_id).execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()


async def queued_events(factory: Factory, member: Member, event: str) -> list[dict[str, Any]]:
    result = await factory.session.execute(
        select(Job.payload)
        .where(Job.kind == FAN_OUT_JOB, Job.organization_id == member.organization.id)
        .order_by(Job.id)
    )
    return [payload["data"] for (payload,) in result if payload["event"] == event]
