"""Invoice requests and answers, and the line fields quotes share.

Money and quantities are exact Decimals in code and JSON numbers on the wire: amounts
with two decimals, quantities with three, tax rates in percent with two (`21.0`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, BaseModel, Field

from clocktower.account.schemas import StrictModel
from clocktower.auth.context import AuthContext
from clocktower.auth.gating import GatedModel
from clocktower.invoice.totals import from_basis_points, from_milli
from clocktower.kit.ids import IdField
from clocktower.kit.money import MAX_AMOUNT, JsonNumber, from_cents
from clocktower.kit.pagination import PaginationRead
from clocktower.kit.period import check_supported
from clocktower.kit.validation import non_nullable
from clocktower.models import Client, Invoice, InvoiceLine

InvoiceStatus = Literal["draft", "sent", "paid", "void"]
InvoiceSource = Literal["bills", "entries", "manual"]
Grouping = Literal["bill", "entry", "project", "task", "user", "day"]
ExportFormat = Literal["csv", "xlsx", "pdf"]

MAX_LINES_PER_REQUEST = 500
MAX_QUANTITY = Decimal("1000000")

# A calendar day of a plausible year (1900-2999): past that it is a typing mistake.
Day = Annotated[date, AfterValidator(check_supported)]
Instant = Annotated[datetime, AfterValidator(check_supported)]
LineDescription = Annotated[str, Field(min_length=1, max_length=500)]
Quantity = Annotated[
    Decimal, Field(gt=0, le=MAX_QUANTITY, decimal_places=3, description="Up to 3 decimals")
]
UnitPrice = Annotated[
    Decimal, Field(ge=0, le=MAX_AMOUNT, decimal_places=2, description="Price of one unit")
]
Unit = Annotated[str, Field(min_length=1, max_length=16, description='e.g. "hours", "units"')]
TaxRate = Annotated[
    Decimal, Field(ge=0, le=100, decimal_places=2, description="Percent, e.g. 21.0")
]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. EUR")]
DocumentNotes = Annotated[str, Field(max_length=10_000)]
PaymentTerms = Annotated[int, Field(ge=0, le=365, description="Days from issue to due date")]


@dataclass(frozen=True)
class InvoiceFilters:
    """GET /invoices query."""

    status: str | None = None
    client_id: int | None = None
    # On the issue date (a draft's is provisional).
    date_from: date | None = None
    date_to: date | None = None


class LineCreate(StrictModel):
    description: LineDescription
    quantity: Quantity
    unit_price: UnitPrice
    unit: Unit = "units"


class LineUpdate(StrictModel):
    """Only the fields sent change."""

    description: LineDescription | None = None
    quantity: Quantity | None = None
    unit_price: UnitPrice | None = None
    unit: Unit | None = None

    _not_null = non_nullable("description", "quantity", "unit_price", "unit")


class InvoiceCreate(StrictModel):
    """`source` bills (default) or entries: the client's time in the period, in lines
    per `grouping`; manual: the `lines` sent."""

    client_id: IdField
    source: InvoiceSource = "bills"
    period_start: Day | None = Field(None, description="First local day (bills, entries)")
    period_end: Day | None = Field(None, description="Last local day, included")
    grouping: Grouping | None = Field(
        None,
        description="bills: bill (default), project, task, user, day; "
        "entries: project (default), task, user, day, entry",
    )
    lines: list[LineCreate] | None = Field(None, max_length=MAX_LINES_PER_REQUEST)
    tax_rate: TaxRate = Decimal(0)
    currency: Currency | None = Field(None, description="Default: the client's, else yours")
    issue_date: Day | None = Field(None, description="Provisional until finalised")
    due_date: Day | None = None
    payment_terms_days: PaymentTerms | None = Field(None, description="Default 30")
    notes: DocumentNotes | None = None


class InvoiceUpdate(StrictModel):
    """PUT on a draft: only the fields sent change; `notes` may be cleared with null."""

    tax_rate: TaxRate | None = None
    currency: Currency | None = None
    issue_date: Day | None = None
    due_date: Day | None = None
    payment_terms_days: PaymentTerms | None = None
    notes: DocumentNotes | None = None

    _not_null = non_nullable("tax_rate", "currency", "issue_date", "due_date", "payment_terms_days")


class InvoiceFinalize(StrictModel):
    issue_date: Day | None = Field(None, description="Default: your local today")
    due_date: Day | None = Field(None, description="Default: issue date + the payment terms")


class InvoicePay(StrictModel):
    paid_at: Instant | None = Field(None, description="Default: now")


class InvoiceClientRead(BaseModel):
    id: int
    name: str


class InvoiceLineRead(GatedModel):
    object_type = "invoice_line"

    id: int
    position: int
    description: str
    quantity: JsonNumber
    unit: str
    unit_price: JsonNumber
    amount: JsonNumber
    project_id: int | None
    task_id: int | None
    user_id: int | None
    day: date | None

    @classmethod
    def of_line(cls, line: InvoiceLine, auth: AuthContext | None) -> Self:
        return cls.of(
            line,
            auth,
            quantity=from_milli(line.quantity_milli),
            unit_price=from_cents(line.unit_price_cents),
            amount=from_cents(line.amount_cents),
        )


class InvoiceRead(GatedModel):
    object_type = "invoice"

    id: int
    number: str | None = Field(description="Taken when the invoice is finalised")
    status: InvoiceStatus
    client_id: int
    client: InvoiceClientRead
    issue_date: date | None
    due_date: date | None
    payment_terms_days: int | None
    period_start: date | None
    period_end: date | None
    currency: str
    tax_rate: JsonNumber
    subtotal: JsonNumber
    tax_amount: JsonNumber
    total: JsonNumber
    grouping: str
    notes: str | None
    sent_at: datetime | None
    paid_at: datetime | None
    voided_at: datetime | None
    created_by_id: int | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of_invoice(cls, invoice: Invoice, client: Client, auth: AuthContext | None) -> Self:
        return cls.of(invoice, auth, **_invoice_values(invoice, client))


class InvoiceDetail(InvoiceRead):
    lines: list[InvoiceLineRead]

    @classmethod
    def of_detail(
        cls,
        invoice: Invoice,
        client: Client,
        lines: list[InvoiceLine],
        auth: AuthContext | None,
    ) -> Self:
        return cls.of(
            invoice,
            auth,
            **_invoice_values(invoice, client),
            lines=[InvoiceLineRead.of_line(line, auth) for line in lines],
        )


def _invoice_values(invoice: Invoice, client: Client) -> dict[str, object]:
    terms = None
    if invoice.issue_date is not None and invoice.due_date is not None:
        terms = (invoice.due_date - invoice.issue_date).days
    return {
        "client": InvoiceClientRead(id=client.id, name=client.name),
        "payment_terms_days": terms,
        "tax_rate": from_basis_points(invoice.tax_rate_bp),
        "subtotal": from_cents(invoice.subtotal_cents),
        "tax_amount": from_cents(invoice.tax_cents),
        "total": from_cents(invoice.total_cents),
    }


class InvoiceList(BaseModel):
    invoices: list[InvoiceRead]
    pagination: PaginationRead


class InvoiceAnswer(BaseModel):
    invoice: InvoiceDetail


class InvoiceCreated(BaseModel):
    message: str
    invoice: InvoiceDetail


class InvoiceChanged(BaseModel):
    message: str
    invoice: InvoiceDetail


class InvoiceDeleted(BaseModel):
    message: str
    released_bills: int
    released_entries: int
