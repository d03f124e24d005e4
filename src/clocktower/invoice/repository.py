"""Queries of invoices, their lines and the document number sequences; each starts from
the organisation-scoped statement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from clocktower.invoice.schemas import InvoiceFilters
from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.repository import Repository, TenantRepository
from clocktower.models import Client, DocumentSequence, Invoice, InvoiceLine

DRAFT = "draft"


@dataclass(frozen=True)
class InvoiceWithClient:
    invoice: Invoice
    client: Client


class InvoiceRepository(TenantRepository[Invoice]):
    model = Invoice

    def visible(self, organization_id: int, customer_client_id: int | None) -> Select[Any]:
        """The organisation's invoices; a customer member's are their client's, never drafts."""
        statement = self.in_organization(organization_id)
        if customer_client_id is not None:
            statement = statement.where(
                Invoice.client_id == customer_client_id, Invoice.status != DRAFT
            )
        return statement

    def listing(
        self, organization_id: int, customer_client_id: int | None, filters: InvoiceFilters
    ) -> Select[Any]:
        statement = self.visible(organization_id, customer_client_id)
        if filters.status is not None:
            statement = statement.where(Invoice.status == filters.status)
        if filters.client_id is not None:
            statement = statement.where(Invoice.client_id == filters.client_id)
        if filters.date_from is not None:
            statement = statement.where(Invoice.issue_date >= filters.date_from)
        if filters.date_to is not None:
            statement = statement.where(Invoice.issue_date <= filters.date_to)
        return statement.order_by(Invoice.id.desc())

    def _with_client(self, statement: Select[Any]) -> Select[Any]:
        # The client rides along in the same statement: no query per invoice.
        return statement.add_columns(Client).join(Client, Client.id == Invoice.client_id)

    async def page_with_clients(
        self, statement: Select[Any], params: PageParams
    ) -> Page[InvoiceWithClient]:
        """Two statements whatever the page size: the count and the page (with clients)."""
        total = await self.count(statement)
        rows = await self.with_clients(statement.limit(params.per_page).offset(params.offset))
        return Page(items=rows, total=total, params=params)

    async def with_clients(self, statement: Select[Any]) -> list[InvoiceWithClient]:
        result = await self.session.execute(self._with_client(statement))
        return [InvoiceWithClient(invoice, client) for invoice, client in result.all()]

    async def get_with_client(
        self, organization_id: int, customer_client_id: int | None, invoice_id: int
    ) -> InvoiceWithClient | None:
        found = await self.with_clients(
            self.visible(organization_id, customer_client_id).where(Invoice.id == invoice_id)
        )
        return found[0] if found else None

    async def locked(
        self, organization_id: int, customer_client_id: int | None, invoice_id: int
    ) -> Invoice | None:
        """The invoice, its row locked until the transaction ends (PostgreSQL; SQLite has
        a single writer), fresh from the database: two transitions of one invoice queue."""
        result = await self.session.execute(
            self.visible(organization_id, customer_client_id)
            .where(Invoice.id == invoice_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return result.scalar_one_or_none()

    async def number_taken(self, organization_id: int, number: str) -> bool:
        result = await self.session.execute(
            self.in_organization(organization_id)
            .where(Invoice.number == number)
            .with_only_columns(Invoice.id)
            .limit(1)
        )
        return result.first() is not None


class InvoiceLineRepository(TenantRepository[InvoiceLine]):
    model = InvoiceLine

    async def of_invoice(self, organization_id: int, invoice_id: int) -> Sequence[InvoiceLine]:
        return await self.all(
            self.in_organization(organization_id)
            .where(InvoiceLine.invoice_id == invoice_id)
            .order_by(InvoiceLine.position, InvoiceLine.id)
        )

    async def of_invoice_line(
        self, organization_id: int, invoice_id: int, line_id: int
    ) -> InvoiceLine | None:
        return await self.one_or_none(
            self.in_organization(organization_id).where(
                InvoiceLine.invoice_id == invoice_id, InvoiceLine.id == line_id
            )
        )

    async def last_position(self, organization_id: int, invoice_id: int) -> int:
        result = await self.session.execute(
            select(func.coalesce(func.max(InvoiceLine.position), 0)).where(
                InvoiceLine.organization_id == organization_id,
                InvoiceLine.invoice_id == invoice_id,
            )
        )
        return int(result.scalar_one())


class SequenceRepository(Repository[DocumentSequence]):
    model = DocumentSequence

    async def next_value(self, organization_id: int, kind: str, period: str) -> int:
        """Increment and return the sequence's value; its row stays locked."""
        dialect = self.session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        # The first number of a period: create the row, or wait for a concurrent creator.
        await self.session.execute(
            insert(DocumentSequence)
            .values(organization_id=organization_id, kind=kind, period=period, last_value=0)
            .on_conflict_do_nothing(index_elements=["organization_id", "kind", "period"])
        )
        result = await self.session.execute(
            select(DocumentSequence)
            .where(
                DocumentSequence.organization_id == organization_id,
                DocumentSequence.kind == kind,
                DocumentSequence.period == period,
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        sequence = result.scalar_one()
        sequence.last_value += 1
        await self.session.flush()
        return sequence.last_value
