"""Twenty finalisations at once in one organisation, each its own request, connection and
transaction with real commits: twenty distinct, consecutive numbers (PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import date

import httpx
import pytest
from sqlalchemy import select

from clocktower.db import Database
from clocktower.main import create_app
from clocktower.models import Client, DocumentSequence, Invoice, InvoiceLine
from tests.conftest import test_settings as settings_for
from tests.support import Factory

pytestmark = pytest.mark.committing

PARALLEL = 20


async def test_parallel_finalisations_take_consecutive_numbers(
    backend: str, committing_database: Database
) -> None:
    if backend == "sqlite":
        pytest.skip(
            "SQLite has one writer: write transactions run one after the other (BEGIN "
            "IMMEDIATE), so finalisations cannot overlap; the row lock race is PostgreSQL's"
        )
    database = committing_database
    settings = settings_for(database.url)
    async with database.sessionmaker() as session:
        owner = await Factory(session, settings, "not-a-password-hash").organization()
        organization_id = owner.organization.id
        client = Client(organization_id=organization_id, name="Acme Corp")
        session.add(client)
        await session.flush()
        drafts = [
            Invoice(
                organization_id=organization_id,
                client_id=client.id,
                status="draft",
                currency="EUR",
                issue_date=date(2024, 5, 1),
                due_date=date(2024, 5, 31),
                subtotal_cents=1000,
                total_cents=1000,
            )
            for _ in range(PARALLEL)
        ]
        session.add_all(drafts)
        await session.flush()
        session.add_all(
            InvoiceLine(
                organization_id=organization_id,
                invoice_id=invoice.id,
                position=1,
                description="Work",
                quantity_milli=1000,
                unit="hours",
                unit_price_cents=1000,
                amount_cents=1000,
            )
            for invoice in drafts
        )
        await session.commit()
        ids = [invoice.id for invoice in drafts]

    app = create_app(settings, Database(database.url))
    headers = {"Authorization": f"Bearer {owner.token}"}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            answers = await asyncio.gather(
                *(
                    http.post(
                        f"/api/v1/invoices/{invoice_id}/finalize",
                        json={"issue_date": "2024-05-01"},
                        headers=headers,
                    )
                    for invoice_id in ids
                )
            )

    assert [a.status_code for a in answers] == [200] * PARALLEL, [a.text for a in answers]
    numbers = sorted(a.json()["invoice"]["number"] for a in answers)
    assert numbers == [f"INV-2024-{n:04d}" for n in range(1, PARALLEL + 1)]
    async with database.transaction(write=False) as session:
        stored = (
            await session.execute(
                select(Invoice.number).where(Invoice.organization_id == organization_id)
            )
        ).scalars()
        assert sorted(n for n in stored if n) == numbers
        sequence = await session.execute(
            select(DocumentSequence.last_value).where(
                DocumentSequence.organization_id == organization_id,
                DocumentSequence.kind == "invoice",
            )
        )
        assert sequence.scalar_one() == PARALLEL
