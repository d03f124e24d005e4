"""Files made from invoices: the PDF of one, and the export of a filtered list (CSV, XLSX
or PDF through `kit.tables`). Quotes print through `letterhead` and `pdf_file` too."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.branding.service import get_logo
from clocktower.invoice import service as invoice_service
from clocktower.invoice.errors import ExportTooLarge
from clocktower.invoice.pdf import Party, PrintedDocument, PrintedLine, render
from clocktower.invoice.schemas import ExportFormat, InvoiceFilters
from clocktower.invoice.totals import from_basis_points, from_cents_exact, from_milli
from clocktower.kit import tables
from clocktower.models import Client, Organization

EXPORT_LIMIT = 10_000
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class DocumentFile:
    filename: str
    media_type: str
    content: bytes

    @property
    def headers(self) -> dict[str, str]:
        """A download named after the document (the filename is ASCII-safe already)."""
        return {"Content-Disposition": f'attachment; filename="{self.filename}"'}


@dataclass(frozen=True)
class Letterhead:
    seller: Party
    logo: bytes | None


async def letterhead(session: AsyncSession, organization_id: int) -> Letterhead:
    organization = await session.get_one(Organization, organization_id)
    logo = await get_logo(session, organization_id)
    details = [
        *(organization.address.splitlines() if organization.address else ()),
        *([organization.billing_email] if organization.billing_email else ()),
    ]
    return Letterhead(Party(organization.name, details), logo.data if logo else None)


def addressee(client: Client) -> Party:
    details = [
        *([client.company] if client.company and client.company != client.name else ()),
        *(client.address.splitlines() if client.address else ()),
        *([client.email] if client.email else ()),
    ]
    return Party(client.name, details)


async def pdf_file(document: PrintedDocument, stem: str) -> DocumentFile:
    """Rendering is CPU work: it runs off the event loop."""
    content = await asyncio.to_thread(render, document)
    return DocumentFile(f"{safe_filename(stem)}.pdf", tables.MEDIA_TYPES["pdf"], content)


def safe_filename(stem: str) -> str:
    return _UNSAFE.sub("-", stem).strip("-.") or "document"


async def invoice_pdf(session: AsyncSession, auth: AuthContext, invoice_id: int) -> DocumentFile:
    found = await invoice_service.get_invoice(session, auth, invoice_id)
    invoice, client = found.invoice, found.client
    head = await letterhead(session, auth.org_id)
    facts = [("Status", invoice.status.capitalize())]
    if invoice.issue_date is not None:
        facts.append(("Issue date", invoice.issue_date.isoformat()))
    if invoice.due_date is not None:
        facts.append(("Due date", invoice.due_date.isoformat()))
    if invoice.period_start is not None and invoice.period_end is not None:
        period = f"{invoice.period_start.isoformat()} - {invoice.period_end.isoformat()}"
        facts.append(("Period", period))
    document = PrintedDocument(
        kind="Invoice",
        number=invoice.number,
        seller=head.seller,
        buyer=addressee(client),
        currency=invoice.currency,
        subtotal=from_cents_exact(invoice.subtotal_cents),
        tax_rate=from_basis_points(invoice.tax_rate_bp),
        tax=from_cents_exact(invoice.tax_cents),
        total=from_cents_exact(invoice.total_cents),
        lines=[
            PrintedLine(
                description=line.description,
                quantity=from_milli(line.quantity_milli),
                unit=line.unit,
                unit_price=from_cents_exact(line.unit_price_cents),
                amount=from_cents_exact(line.amount_cents),
            )
            for line in found.lines
        ],
        facts=facts,
        notes=invoice.notes,
        logo=head.logo,
    )
    stem = f"invoice-{invoice.number}" if invoice.number else f"invoice-draft-{invoice.id}"
    return await pdf_file(document, stem)


async def invoice_export(
    session: AsyncSession, auth: AuthContext, filters: InvoiceFilters, file_format: ExportFormat
) -> DocumentFile:
    """The invoices `GET /invoices` lists with these filters (all pages), newest first."""
    rows = await invoice_service.invoices_for_export(session, auth, filters, EXPORT_LIMIT)
    if len(rows) > EXPORT_LIMIT:
        raise ExportTooLarge(EXPORT_LIMIT)
    subtitle = [
        f"{label}: {value}"
        for label, value in (
            ("Status", filters.status),
            ("Client", filters.client_id),
            ("Issued from", filters.date_from),
            ("Issued until", filters.date_to),
        )
        if value is not None
    ]
    table = tables.Table(
        title="Invoices",
        columns=(
            "Number",
            "Status",
            "Client",
            "Issue date",
            "Due date",
            "Currency",
            "Subtotal",
            "Tax",
            "Total",
            "Paid at",
        ),
        rows=[
            (
                row.invoice.number or "Draft",
                row.invoice.status,
                row.client.name,
                row.invoice.issue_date,
                row.invoice.due_date,
                row.invoice.currency,
                from_cents_exact(row.invoice.subtotal_cents),
                from_cents_exact(row.invoice.tax_cents),
                from_cents_exact(row.invoice.total_cents),
                row.invoice.paid_at,
            )
            for row in rows
        ],
        subtitle=subtitle,
        widths=(1.6, 0.8, 2.0, 1.1, 1.1, 0.8, 1.2, 1.0, 1.2, 1.8),
    )
    content = await asyncio.to_thread(tables.render, table, file_format)
    return DocumentFile(f"invoices.{file_format}", tables.MEDIA_TYPES[file_format], content)
