"""Invoice use cases: list, fetch, draft (from bills, entries, lines or a quote), edit a
draft and its lines, delete a draft, and the transitions draft → sent → paid, sent|paid →
void.

A draft reserves the time it bills (`invoice_id` on its bills or entries) so no other
invoice bills it twice; finalising numbers it, dates it, marks its bills `invoiced`,
queues the accounting push and the `invoice.issued` webhook; deleting the draft or
voiding the invoice releases its time (bills back to `approved`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.accounting.push import queue_push
from clocktower.audit.recorder import record_event
from clocktower.auth.context import AuthContext
from clocktower.client.repository import ClientRepository
from clocktower.errors import InvalidReference, ValidationFailed
from clocktower.invoice import drafting
from clocktower.invoice.billable import BillableRepository
from clocktower.invoice.drafting import LineSpec, line_spec
from clocktower.invoice.errors import (
    CurrencyMismatch,
    InvalidTransition,
    InvoiceEmpty,
    InvoiceLineNotFound,
    InvoiceNotDraft,
    InvoiceNotFound,
    InvoiceNumberTaken,
    NothingToInvoice,
)
from clocktower.invoice.numbering import take_number
from clocktower.invoice.repository import (
    InvoiceLineRepository,
    InvoiceRepository,
    InvoiceWithClient,
)
from clocktower.invoice.schemas import (
    InvoiceCreate,
    InvoiceFilters,
    InvoiceFinalize,
    InvoicePay,
    InvoiceRead,
    InvoiceUpdate,
    LineCreate,
    LineUpdate,
)
from clocktower.invoice.totals import line_amount_cents, to_basis_points, to_milli, totals_of
from clocktower.kit.money import to_cents
from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.period import period_bounds
from clocktower.kit.sql_time import local_periods
from clocktower.kit.time import as_utc, utcnow
from clocktower.models import Client, Invoice, InvoiceLine, Organization
from clocktower.setting.schemas import OrganizationSettings
from clocktower.webhook.events import emit

DRAFT, SENT, PAID, VOID = "draft", "sent", "paid", "void"
DEFAULT_PAYMENT_TERMS = 30
# A drafting period spans at most a year (and its days fit one SQL statement).
MAX_PERIOD_DAYS = 366
GROUPINGS = {
    "bills": ("bill", "project", "task", "user", "day"),
    "entries": ("project", "task", "user", "day", "entry"),
}
# Lines added by hand stop here: with the bounds on quantity and price, the totals of
# any invoice then fit their BIGINT columns.
MAX_LINES = 2000
# Invoices whose currency is free to change: nothing priced them in another.
FREE_CURRENCY = ("manual", "quote")


@dataclass(frozen=True)
class InvoiceDocument:
    invoice: Invoice
    client: Client
    lines: list[InvoiceLine]


# --- reading -----------------------------------------------------------------------------


async def list_invoices(
    session: AsyncSession, auth: AuthContext, params: PageParams, filters: InvoiceFilters
) -> Page[InvoiceWithClient]:
    repository = InvoiceRepository(session)
    statement = repository.listing(auth.org_id, auth.client_id, filters)
    return await repository.page_with_clients(statement, params)


async def invoices_for_export(
    session: AsyncSession, auth: AuthContext, filters: InvoiceFilters, limit: int
) -> list[InvoiceWithClient]:
    """At most `limit` + 1 invoices of the list (one more tells the caller it is cut)."""
    repository = InvoiceRepository(session)
    statement = repository.listing(auth.org_id, auth.client_id, filters)
    return await repository.with_clients(statement.limit(limit + 1))


async def get_invoice(session: AsyncSession, auth: AuthContext, invoice_id: int) -> InvoiceDocument:
    found = await InvoiceRepository(session).get_with_client(
        auth.org_id, auth.client_id, invoice_id
    )
    if found is None:
        raise InvoiceNotFound()
    lines = await InvoiceLineRepository(session).of_invoice(auth.org_id, invoice_id)
    return InvoiceDocument(found.invoice, found.client, list(lines))


# --- drafting ----------------------------------------------------------------------------


async def create_invoice(
    session: AsyncSession, auth: AuthContext, data: InvoiceCreate
) -> InvoiceDocument:
    client = await _client(session, auth, data.client_id)
    grouping = _check_request(data)
    issue_date = data.issue_date or local_today(auth)
    terms = data.payment_terms_days
    due_date = data.due_date or issue_date + timedelta(
        days=terms if terms is not None else DEFAULT_PAYMENT_TERMS
    )
    _check_dates(issue_date, due_date)
    invoice = Invoice(
        organization_id=auth.org_id,
        client_id=client.id,
        status=DRAFT,
        issue_date=issue_date,
        due_date=due_date,
        period_start=data.period_start,
        period_end=data.period_end,
        currency=data.currency or await default_currency(session, auth.org_id, client),
        tax_rate_bp=to_basis_points(data.tax_rate),
        grouping=grouping,
        notes=data.notes,
        created_by_id=auth.user_id,
    )
    session.add(invoice)
    await session.flush()
    if data.source == "manual":
        specs = [line_spec(line) for line in data.lines or ()]
    else:
        specs = await _reserve_and_draft(session, auth, invoice, data)
    return await _with_lines(session, invoice, client, specs)


async def create_invoice_from_lines(
    session: AsyncSession,
    auth: AuthContext,
    *,
    client: Client,
    specs: list[LineSpec],
    currency: str,
    tax_rate_bp: int,
    notes: str | None,
    grouping: str,
) -> InvoiceDocument:
    """A draft with these lines (an accepted quote's), dated today with the usual terms."""
    issue_date = local_today(auth)
    invoice = Invoice(
        organization_id=auth.org_id,
        client_id=client.id,
        status=DRAFT,
        issue_date=issue_date,
        due_date=issue_date + timedelta(days=DEFAULT_PAYMENT_TERMS),
        currency=currency,
        tax_rate_bp=tax_rate_bp,
        grouping=grouping,
        notes=notes,
        created_by_id=auth.user_id,
    )
    session.add(invoice)
    await session.flush()
    return await _with_lines(session, invoice, client, specs)


def _check_request(data: InvoiceCreate) -> str:
    """Cross-field rules of a draft request; returns the effective grouping."""
    if data.due_date is not None and data.payment_terms_days is not None:
        raise ValidationFailed.field("due_date", "Send due_date or payment_terms_days, not both")
    if data.source == "manual":
        if not data.lines:
            raise ValidationFailed.field("lines", "A manual invoice needs at least one line")
        if data.grouping is not None:
            raise ValidationFailed.field("grouping", "Only invoices drafted from time group")
        if data.period_start and data.period_end and data.period_end < data.period_start:
            raise ValidationFailed.field("period_end", "period_end is before period_start")
        return "manual"
    if data.lines is not None:
        raise ValidationFailed.field("lines", "Lines are sent only with source manual")
    if data.period_start is None or data.period_end is None:
        field = "period_start" if data.period_start is None else "period_end"
        raise ValidationFailed.field(field, f"{field} is required with source {data.source}")
    if data.period_end < data.period_start:
        raise ValidationFailed.field("period_end", "period_end is before period_start")
    if (data.period_end - data.period_start).days >= MAX_PERIOD_DAYS:
        raise ValidationFailed.field("period_end", f"A period spans at most {MAX_PERIOD_DAYS} days")
    allowed = GROUPINGS[data.source]
    grouping = data.grouping or allowed[0]
    if grouping not in allowed:
        raise ValidationFailed.field(
            "grouping", f"With source {data.source} group by one of: {', '.join(allowed)}"
        )
    return grouping


async def _reserve_and_draft(
    session: AsyncSession, auth: AuthContext, invoice: Invoice, data: InvoiceCreate
) -> list[LineSpec]:
    assert data.period_start is not None
    assert data.period_end is not None
    repository = BillableRepository(session)
    if data.source == "bills":
        reserved = await repository.reserve_bills(
            auth.org_id,
            invoice.id,
            client_id=invoice.client_id,
            first=data.period_start,
            last=data.period_end,
        )
        if not reserved:
            raise NothingToInvoice("approved, uninvoiced time bills")
        currencies = set(await repository.bill_currencies(auth.org_id, invoice.id))
        _settle_currency(invoice, currencies, explicit=data.currency is not None)
        specs = await drafting.bill_lines(session, auth.org_id, invoice.id, invoice.grouping)
        counts = {"bills": reserved}
    else:
        zone = auth.user.timezone
        bounds = period_bounds(data.period_start, data.period_end, zone)
        assert bounds.start is not None
        assert bounds.end is not None
        reserved = await repository.reserve_entries(
            auth.org_id,
            invoice.id,
            client_id=invoice.client_id,
            start_at=bounds.start,
            end_at=bounds.end,
        )
        if not reserved:
            raise NothingToInvoice("billable, unbilled time entries")
        days = local_periods(data.period_start, data.period_end, zone, "day")
        specs, currencies = await drafting.entry_lines(
            session, auth.org_id, invoice.id, invoice.grouping, days
        )
        _settle_currency(invoice, currencies, explicit=data.currency is not None)
        counts = {"entries": reserved}
    if not specs:
        raise NothingToInvoice("billable hours")
    await _record(session, auth, invoice, "invoice.time_reserved", counts)
    return specs


def _settle_currency(invoice: Invoice, currencies: set[str], *, explicit: bool) -> None:
    """Time priced in one currency is invoiced in it; several cannot share an invoice."""
    if len(currencies) > 1:
        raise CurrencyMismatch(
            f"The time is priced in several currencies ({', '.join(sorted(currencies))}); "
            "invoice each separately"
        )
    (currency,) = currencies
    if currency != invoice.currency:
        if explicit:
            raise CurrencyMismatch(f"The time is priced in {currency}, not {invoice.currency}")
        invoice.currency = currency


async def _with_lines(
    session: AsyncSession, invoice: Invoice, client: Client, specs: list[LineSpec]
) -> InvoiceDocument:
    lines = [
        InvoiceLine(
            organization_id=invoice.organization_id,
            invoice_id=invoice.id,
            position=position,
            description=spec.description,
            quantity_milli=spec.quantity_milli,
            unit=spec.unit,
            unit_price_cents=spec.unit_price_cents,
            amount_cents=line_amount_cents(spec.quantity_milli, spec.unit_price_cents),
            project_id=spec.project_id,
            task_id=spec.task_id,
            user_id=spec.user_id,
            day=spec.day,
        )
        for position, spec in enumerate(specs, start=1)
    ]
    session.add_all(lines)
    _apply_totals(invoice, lines)
    await session.flush()
    return InvoiceDocument(invoice, client, lines)


# --- editing a draft ---------------------------------------------------------------------


async def update_invoice(
    session: AsyncSession, auth: AuthContext, invoice_id: int, data: InvoiceUpdate
) -> InvoiceDocument:
    invoice = await _draft(session, auth, invoice_id)
    changes = data.model_dump(exclude_unset=True)
    if "currency" in changes and changes["currency"] != invoice.currency:
        if invoice.grouping not in FREE_CURRENCY:
            raise CurrencyMismatch(
                "The currency of an invoice drafted from time is the time's; "
                "delete the draft and draft it again"
            )
        invoice.currency = changes["currency"]
    if "tax_rate" in changes:
        invoice.tax_rate_bp = to_basis_points(changes["tax_rate"])
    if "notes" in changes:
        invoice.notes = changes["notes"]
    if "due_date" in changes and "payment_terms_days" in changes:
        raise ValidationFailed.field("due_date", "Send due_date or payment_terms_days, not both")
    issue_date: date = changes.get("issue_date") or invoice.issue_date or local_today(auth)
    terms = _terms(invoice)
    if "due_date" in changes:
        due_date = changes["due_date"]
    else:
        due_date = issue_date + timedelta(days=changes.get("payment_terms_days", terms))
    _check_dates(issue_date, due_date)
    invoice.issue_date, invoice.due_date = issue_date, due_date
    return await _refreshed(session, auth, invoice)


async def add_line(
    session: AsyncSession, auth: AuthContext, invoice_id: int, data: LineCreate
) -> InvoiceDocument:
    invoice = await _draft(session, auth, invoice_id)
    spec = line_spec(data)
    last = await InvoiceLineRepository(session).last_position(auth.org_id, invoice.id)
    if last >= MAX_LINES:
        raise ValidationFailed.field("lines", f"An invoice has at most {MAX_LINES} lines")
    session.add(
        InvoiceLine(
            organization_id=auth.org_id,
            invoice_id=invoice.id,
            position=last + 1,
            description=spec.description,
            quantity_milli=spec.quantity_milli,
            unit=spec.unit,
            unit_price_cents=spec.unit_price_cents,
            amount_cents=line_amount_cents(spec.quantity_milli, spec.unit_price_cents),
        )
    )
    await session.flush()
    return await _refreshed(session, auth, invoice)


async def update_line(
    session: AsyncSession, auth: AuthContext, invoice_id: int, line_id: int, data: LineUpdate
) -> InvoiceDocument:
    invoice = await _draft(session, auth, invoice_id)
    line = await _line(session, auth, invoice, line_id)
    changes = data.model_dump(exclude_unset=True)
    if "description" in changes:
        line.description = changes["description"]
    if "unit" in changes:
        line.unit = changes["unit"]
    if "quantity" in changes:
        line.quantity_milli = to_milli(changes["quantity"])
    if "unit_price" in changes:
        line.unit_price_cents = to_cents(changes["unit_price"]) or 0
    line.amount_cents = line_amount_cents(line.quantity_milli, line.unit_price_cents)
    await session.flush()
    return await _refreshed(session, auth, invoice)


async def delete_line(
    session: AsyncSession, auth: AuthContext, invoice_id: int, line_id: int
) -> InvoiceDocument:
    """The line goes; time the draft reserved stays reserved until the draft is deleted."""
    invoice = await _draft(session, auth, invoice_id)
    line = await _line(session, auth, invoice, line_id)
    await session.delete(line)
    await session.flush()
    return await _refreshed(session, auth, invoice)


async def delete_invoice(
    session: AsyncSession, auth: AuthContext, invoice_id: int
) -> tuple[int, int]:
    """Delete a draft and release its time; returns (bills, entries) released."""
    invoice = await _draft(session, auth, invoice_id)
    released = await BillableRepository(session).release(auth.org_id, invoice.id)
    await _record(
        session,
        auth,
        invoice,
        "invoice.time_released",
        {"bills": released[0], "entries": released[1]},
    )
    await session.delete(invoice)
    await session.flush()
    return released


# --- transitions -------------------------------------------------------------------------


async def finalize_invoice(
    session: AsyncSession, auth: AuthContext, invoice_id: int, data: InvoiceFinalize
) -> InvoiceDocument:
    """Number, date and send a draft: its number is taken in this transaction."""
    invoice = await _locked(session, auth, invoice_id)
    if invoice.status != DRAFT:
        raise InvalidTransition(invoice.status, "finalised")
    lines = list(await InvoiceLineRepository(session).of_invoice(auth.org_id, invoice.id))
    if not lines:
        raise InvoiceEmpty()
    issue_date = data.issue_date or local_today(auth)
    due_date = data.due_date or issue_date + timedelta(days=_terms(invoice))
    _check_dates(issue_date, due_date)
    organization = await session.get_one(Organization, auth.org_id)
    number = await take_number(
        session,
        auth.org_id,
        kind="invoice",
        pattern=OrganizationSettings.of(organization).invoice_number_pattern,
        day=issue_date,
    )
    repository = InvoiceRepository(session)
    if await repository.number_taken(auth.org_id, number):
        raise InvoiceNumberTaken(number)
    invoice.number = number
    invoice.status = SENT
    invoice.issue_date, invoice.due_date = issue_date, due_date
    invoice.sent_at = utcnow()
    await session.flush()
    invoiced = await BillableRepository(session).mark_bills_invoiced(auth.org_id, invoice.id)
    if invoiced:
        await _record(session, auth, invoice, "invoice.bills_invoiced", {"bills": invoiced})
    await queue_push(session, auth.org_id, "invoice", invoice.id)
    client = await _client(session, auth, invoice.client_id)
    event = InvoiceRead.of_invoice(invoice, client, None)
    await emit(session, auth.org_id, "invoice.issued", event.model_dump(mode="json"))
    return InvoiceDocument(invoice, client, lines)


async def pay_invoice(
    session: AsyncSession, auth: AuthContext, invoice_id: int, data: InvoicePay
) -> InvoiceDocument:
    invoice = await _locked(session, auth, invoice_id)
    if invoice.status != SENT:
        raise InvalidTransition(invoice.status, "paid")
    invoice.status = PAID
    invoice.paid_at = as_utc(data.paid_at) if data.paid_at is not None else utcnow()
    return await _refreshed(session, auth, invoice)


async def void_invoice(
    session: AsyncSession, auth: AuthContext, invoice_id: int
) -> InvoiceDocument:
    """A sent or paid invoice is voided (its number stays used); its time is released."""
    invoice = await _locked(session, auth, invoice_id)
    if invoice.status not in (SENT, PAID):
        action = "voided (delete the draft instead)" if invoice.status == DRAFT else "voided"
        raise InvalidTransition(invoice.status, action)
    invoice.status = VOID
    invoice.voided_at = utcnow()
    released = await BillableRepository(session).release(auth.org_id, invoice.id)
    await _record(
        session,
        auth,
        invoice,
        "invoice.time_released",
        {"bills": released[0], "entries": released[1]},
    )
    return await _refreshed(session, auth, invoice)


# --- helpers -----------------------------------------------------------------------------


def local_today(auth: AuthContext) -> date:
    return datetime.now(ZoneInfo(auth.user.timezone)).date()


async def _client(session: AsyncSession, auth: AuthContext, client_id: int) -> Client:
    """Ids from a payload resolve inside the caller's organisation only."""
    client = await ClientRepository(session).get_visible(auth.org_id, auth.client_id, client_id)
    if client is None:
        raise InvalidReference("client_id", "Client not found")
    return client


async def default_currency(session: AsyncSession, organization_id: int, client: Client) -> str:
    """The client's currency, else the organisation's."""
    if client.currency:
        return client.currency
    return (await session.get_one(Organization, organization_id)).currency


async def _locked(session: AsyncSession, auth: AuthContext, invoice_id: int) -> Invoice:
    invoice = await InvoiceRepository(session).locked(auth.org_id, auth.client_id, invoice_id)
    if invoice is None:
        raise InvoiceNotFound()
    return invoice


async def _draft(session: AsyncSession, auth: AuthContext, invoice_id: int) -> Invoice:
    invoice = await _locked(session, auth, invoice_id)
    if invoice.status != DRAFT:
        raise InvoiceNotDraft(invoice.status)
    return invoice


async def _line(
    session: AsyncSession, auth: AuthContext, invoice: Invoice, line_id: int
) -> InvoiceLine:
    line = await InvoiceLineRepository(session).of_invoice_line(auth.org_id, invoice.id, line_id)
    if line is None:
        raise InvoiceLineNotFound()
    return line


async def _refreshed(session: AsyncSession, auth: AuthContext, invoice: Invoice) -> InvoiceDocument:
    """The invoice with its lines as they are now, totals recomputed from them."""
    lines = list(await InvoiceLineRepository(session).of_invoice(auth.org_id, invoice.id))
    _apply_totals(invoice, lines)
    await session.flush()
    client = await _client(session, auth, invoice.client_id)
    return InvoiceDocument(invoice, client, lines)


def _apply_totals(invoice: Invoice, lines: list[InvoiceLine]) -> None:
    totals = totals_of((line.amount_cents for line in lines), invoice.tax_rate_bp)
    invoice.subtotal_cents = totals.subtotal_cents
    invoice.tax_cents = totals.tax_cents
    invoice.total_cents = totals.total_cents


def _terms(invoice: Invoice) -> int:
    """The draft's payment terms: its due date's distance from its issue date."""
    if invoice.issue_date is None or invoice.due_date is None:
        return DEFAULT_PAYMENT_TERMS
    return (invoice.due_date - invoice.issue_date).days


def _check_dates(issue_date: date, due_date: date) -> None:
    if due_date < issue_date:
        raise ValidationFailed.field("due_date", "The due date is before the issue date")


async def _record(
    session: AsyncSession, auth: AuthContext, invoice: Invoice, action: str, counts: dict[str, int]
) -> None:
    """Set-based updates of bills and entries bypass the per-row audit: one row for all."""
    await record_event(
        session,
        action,
        organization_id=auth.org_id,
        object_type="invoice",
        object_id=invoice.id,
        details=counts,
    )
