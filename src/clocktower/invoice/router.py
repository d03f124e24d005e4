"""Invoices (S4.3) over HTTP: parse, authorise, call one service function."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import authorized
from clocktower.db import DbSession
from clocktower.errors import InvalidReference, error_responses
from clocktower.idempotency import Idempotent
from clocktower.invoice import documents
from clocktower.invoice import service as invoice_service
from clocktower.invoice.documents import DocumentFile
from clocktower.invoice.errors import (
    CurrencyMismatch,
    ExportTooLarge,
    InvalidTransition,
    InvoiceEmpty,
    InvoiceLineNotFound,
    InvoiceNotDraft,
    InvoiceNotFound,
    InvoiceNumberTaken,
    NothingToInvoice,
)
from clocktower.invoice.schemas import (
    ExportFormat,
    InvoiceAnswer,
    InvoiceChanged,
    InvoiceCreate,
    InvoiceCreated,
    InvoiceDeleted,
    InvoiceDetail,
    InvoiceFilters,
    InvoiceFinalize,
    InvoiceList,
    InvoicePay,
    InvoiceRead,
    InvoiceStatus,
    InvoiceUpdate,
    LineCreate,
    LineUpdate,
)
from clocktower.invoice.service import InvoiceDocument
from clocktower.kit import tables
from clocktower.kit.ids import IdPath, IdQuery
from clocktower.kit.pagination import Pagination, PaginationRead
from clocktower.routing import AppRoute

router = APIRouter(prefix="/invoices", tags=["invoices"], route_class=AppRoute)

InvoicesList = Annotated[AuthContext, authorized("invoice.fetch.many")]
InvoicesFetch = Annotated[AuthContext, authorized("invoice.fetch")]
InvoicesCreate = Annotated[AuthContext, authorized("invoice.create")]
InvoicesUpdate = Annotated[AuthContext, authorized("invoice.update")]
InvoicesDelete = Annotated[AuthContext, authorized("invoice.delete")]
InvoicesSend = Annotated[AuthContext, authorized("invoice.send")]

_BINARY = {"schema": {"type": "string", "format": "binary"}}


def _filters(
    status: Annotated[
        InvoiceStatus | None, Query(description="Only invoices in this status")
    ] = None,
    client_id: IdQuery = None,
    date_from: Annotated[date | None, Query(description="Issued on or after (YYYY-MM-DD)")] = None,
    date_to: Annotated[date | None, Query(description="Issued on or before (YYYY-MM-DD)")] = None,
) -> InvoiceFilters:
    return InvoiceFilters(status=status, client_id=client_id, date_from=date_from, date_to=date_to)


InvoiceQuery = Annotated[InvoiceFilters, Depends(_filters)]


def _detail(found: InvoiceDocument, auth: AuthContext) -> InvoiceDetail:
    return InvoiceDetail.of_detail(found.invoice, found.client, found.lines, auth)


def _download(file: DocumentFile) -> Response:
    return Response(content=file.content, media_type=file.media_type, headers=file.headers)


@router.get("")
async def list_invoices(
    auth: InvoicesList,
    session: DbSession,
    pagination: Pagination,
    filters: InvoiceQuery,
) -> InvoiceList:
    """The organisation's invoices, newest first, without their lines. Customer members
    see their client's invoices that are not drafts."""
    page = await invoice_service.list_invoices(session, auth, pagination, filters)
    return InvoiceList(
        invoices=[InvoiceRead.of_invoice(row.invoice, row.client, auth) for row in page.items],
        pagination=PaginationRead.of(page),
    )


@router.get(
    "/export",
    response_class=Response,
    responses={
        200: {
            "description": "The filtered invoice list as CSV, XLSX or PDF",
            "content": {media_type: _BINARY for media_type in tables.MEDIA_TYPES.values()},
        },
        **error_responses(ExportTooLarge),
    },
)
async def export_invoices(
    auth: InvoicesList,
    session: DbSession,
    filters: InvoiceQuery,
    file_format: Annotated[
        ExportFormat, Query(alias="format", description="csv (default), xlsx or pdf")
    ] = "csv",
) -> Response:
    """Every invoice `GET /invoices` lists with these filters (up to 10,000), as a file."""
    return _download(await documents.invoice_export(session, auth, filters, file_format))


@router.post(
    "",
    status_code=201,
    responses=error_responses(NothingToInvoice, CurrencyMismatch, InvalidReference),
)
async def create_invoice(
    data: InvoiceCreate, auth: InvoicesCreate, session: DbSession, _claim: Idempotent
) -> InvoiceCreated:
    """Draft an invoice for one client. `source: "bills"` (default) bills the client's
    approved, uninvoiced time bills of the period (`period_start`..`period_end`, local
    days), one line per bill or summed per `grouping` (project, task, user, day);
    `"entries"` bills stopped billable entries on no invoice and no approved bill,
    priced by the rate rules (grouping project, task, user, day or entry); `"manual"`
    takes `lines`. Lines of one group at different rates stay apart. The draft reserves
    its time until it is deleted. Nothing to bill: 400 `nothing_to_invoice`.

    Totals: each line's amount is quantity x unit price rounded half-up to the cent;
    subtotal = their sum; tax = subtotal x tax_rate rounded half-up once; total =
    subtotal + tax."""
    found = await invoice_service.create_invoice(session, auth, data)
    return InvoiceCreated(message="Invoice drafted", invoice=_detail(found, auth))


@router.get("/{invoice_id}", responses=error_responses(InvoiceNotFound))
async def get_invoice(invoice_id: IdPath, auth: InvoicesFetch, session: DbSession) -> InvoiceAnswer:
    """The invoice with its lines."""
    found = await invoice_service.get_invoice(session, auth, invoice_id)
    return InvoiceAnswer(invoice=_detail(found, auth))


@router.put(
    "/{invoice_id}",
    responses=error_responses(InvoiceNotFound, InvoiceNotDraft, CurrencyMismatch),
)
async def update_invoice(
    invoice_id: IdPath, data: InvoiceUpdate, auth: InvoicesUpdate, session: DbSession
) -> InvoiceAnswer:
    """Change a draft's tax rate, dates, payment terms, notes (or the currency of a manual
    one): only the fields sent. Anything but a draft: 409 `invoice_not_draft`."""
    found = await invoice_service.update_invoice(session, auth, invoice_id, data)
    return InvoiceAnswer(invoice=_detail(found, auth))


@router.delete("/{invoice_id}", responses=error_responses(InvoiceNotFound, InvoiceNotDraft))
async def delete_invoice(
    invoice_id: IdPath, auth: InvoicesDelete, session: DbSession
) -> InvoiceDeleted:
    """Delete a draft; the bills and entries it reserved can be invoiced again. Sent or
    paid invoices are voided instead."""
    bills, entries = await invoice_service.delete_invoice(session, auth, invoice_id)
    return InvoiceDeleted(message="Invoice deleted", released_bills=bills, released_entries=entries)


@router.post(
    "/{invoice_id}/lines",
    status_code=201,
    responses=error_responses(InvoiceNotFound, InvoiceNotDraft),
)
async def add_invoice_line(
    invoice_id: IdPath, data: LineCreate, auth: InvoicesUpdate, session: DbSession
) -> InvoiceChanged:
    """Add a line at the end of a draft; the totals follow."""
    found = await invoice_service.add_line(session, auth, invoice_id, data)
    return InvoiceChanged(message="Line added", invoice=_detail(found, auth))


@router.put(
    "/{invoice_id}/lines/{line_id}",
    responses=error_responses(InvoiceNotFound, InvoiceLineNotFound, InvoiceNotDraft),
)
async def update_invoice_line(
    invoice_id: IdPath,
    line_id: IdPath,
    data: LineUpdate,
    auth: InvoicesUpdate,
    session: DbSession,
) -> InvoiceChanged:
    """Change a draft's line (only the fields sent); its amount and the totals follow."""
    found = await invoice_service.update_line(session, auth, invoice_id, line_id, data)
    return InvoiceChanged(message="Line updated", invoice=_detail(found, auth))


@router.delete(
    "/{invoice_id}/lines/{line_id}",
    responses=error_responses(InvoiceNotFound, InvoiceLineNotFound, InvoiceNotDraft),
)
async def delete_invoice_line(
    invoice_id: IdPath, line_id: IdPath, auth: InvoicesUpdate, session: DbSession
) -> InvoiceChanged:
    """Remove a draft's line. The time the draft reserved stays reserved until the draft
    is deleted."""
    found = await invoice_service.delete_line(session, auth, invoice_id, line_id)
    return InvoiceChanged(message="Line deleted", invoice=_detail(found, auth))


_FINALIZE_ERRORS = error_responses(
    InvoiceNotFound, InvalidTransition, InvoiceEmpty, InvoiceNumberTaken
)


async def _finalize(
    invoice_id: int, data: InvoiceFinalize | None, auth: AuthContext, session: DbSession
) -> InvoiceChanged:
    found = await invoice_service.finalize_invoice(
        session, auth, invoice_id, data or InvoiceFinalize()
    )
    return InvoiceChanged(message="Invoice issued", invoice=_detail(found, auth))


@router.post("/{invoice_id}/finalize", responses=_FINALIZE_ERRORS)
async def finalize_invoice(
    invoice_id: IdPath, auth: InvoicesSend, session: DbSession, data: InvoiceFinalize | None = None
) -> InvoiceChanged:
    """Issue a draft: it takes the next number of the organisation's pattern (setting
    `invoice_number_pattern`, gap-free), is dated your local today (or `issue_date`),
    due after its payment terms (or on `due_date`), and becomes `sent`; its bills become
    `invoiced`, the accounting push is queued and the `invoice.issued` webhook sent."""
    return await _finalize(invoice_id, data, auth, session)


@router.post("/{invoice_id}/send", responses=_FINALIZE_ERRORS)
async def send_invoice(
    invoice_id: IdPath, auth: InvoicesSend, session: DbSession, data: InvoiceFinalize | None = None
) -> InvoiceChanged:
    """The same as `POST /invoices/{id}/finalize`."""
    return await _finalize(invoice_id, data, auth, session)


@router.post("/{invoice_id}/pay", responses=error_responses(InvoiceNotFound, InvalidTransition))
async def pay_invoice(
    invoice_id: IdPath, auth: InvoicesSend, session: DbSession, data: InvoicePay | None = None
) -> InvoiceChanged:
    """Mark a sent invoice paid (at `paid_at`, default now)."""
    found = await invoice_service.pay_invoice(session, auth, invoice_id, data or InvoicePay())
    return InvoiceChanged(message="Invoice paid", invoice=_detail(found, auth))


@router.post("/{invoice_id}/void", responses=error_responses(InvoiceNotFound, InvalidTransition))
async def void_invoice(
    invoice_id: IdPath, auth: InvoicesSend, session: DbSession
) -> InvoiceChanged:
    """Void a sent or paid invoice: its number stays used, its bills return to `approved`
    and its entries can be invoiced again. A draft is deleted instead."""
    found = await invoice_service.void_invoice(session, auth, invoice_id)
    return InvoiceChanged(message="Invoice voided", invoice=_detail(found, auth))


@router.get(
    "/{invoice_id}/pdf",
    response_class=Response,
    responses={
        200: {"description": "The invoice as a PDF", "content": {"application/pdf": _BINARY}},
        **error_responses(InvoiceNotFound),
    },
)
async def get_invoice_pdf(invoice_id: IdPath, auth: InvoicesFetch, session: DbSession) -> Response:
    """The invoice printed: your logo, name and address, the client's, its number (or
    "Draft"), dates, lines, subtotal, tax and total."""
    return _download(await documents.invoice_pdf(session, auth, invoice_id))
