"""Quote requests and answers (seed 002 fields, plus items, validity and notes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field

from clocktower.account.schemas import StrictModel
from clocktower.auth.context import AuthContext
from clocktower.auth.gating import GatedModel
from clocktower.invoice.schemas import (
    MAX_LINES_PER_REQUEST,
    Currency,
    Day,
    DocumentNotes,
    LineCreate,
    TaxRate,
)
from clocktower.invoice.totals import from_basis_points, from_cents_exact, from_milli
from clocktower.kit.ids import IdField
from clocktower.kit.money import JsonNumber
from clocktower.kit.pagination import PaginationRead
from clocktower.kit.validation import non_nullable
from clocktower.models import Client, Quote, QuoteItem

QuoteStatus = Literal["draft", "sent", "accepted", "rejected", "expired"]
AcceptInto = Literal["project", "invoice"]

Title = Annotated[str, Field(min_length=1, max_length=200)]
Description = Annotated[str, Field(max_length=10_000)]
Items = Annotated[list[LineCreate], Field(max_length=MAX_LINES_PER_REQUEST)]


@dataclass(frozen=True)
class QuoteFilters:
    """GET /quotes query."""

    status: str | None = None
    client_id: int | None = None


class QuoteCreate(StrictModel):
    client_id: IdField
    title: Title
    description: Description | None = None
    tax_rate: TaxRate = Decimal(0)
    currency_code: Currency | None = Field(None, description="Default: the client's, else yours")
    valid_until: Day | None = Field(None, description="Last day the offer stands")
    notes: DocumentNotes | None = None
    items: Items = Field(default_factory=list)


class QuoteUpdate(StrictModel):
    """Only the fields sent change; `items` replaces every item. A draft changes freely;
    a sent quote only its `valid_until` and `notes`."""

    client_id: IdField | None = None
    title: Title | None = None
    description: Description | None = None
    tax_rate: TaxRate | None = None
    currency_code: Currency | None = None
    valid_until: Day | None = None
    notes: DocumentNotes | None = None
    items: Items | None = None

    _not_null = non_nullable("client_id", "title", "tax_rate", "currency_code", "items")


class QuoteAccept(StrictModel):
    into: AcceptInto = Field(
        description="project: a project for the client with the subtotal as money budget; "
        "invoice: a draft invoice with the quote's items"
    )


class QuoteClientRead(BaseModel):
    id: int
    name: str


class QuoteItemRead(GatedModel):
    object_type = "quote_item"

    id: int
    position: int
    description: str
    quantity: JsonNumber
    unit: str
    unit_price: JsonNumber
    amount: JsonNumber

    @classmethod
    def of_item(cls, item: QuoteItem, auth: AuthContext | None) -> Self:
        return cls.of(
            item,
            auth,
            quantity=from_milli(item.quantity_milli),
            unit_price=from_cents_exact(item.unit_price_cents),
            amount=from_cents_exact(item.amount_cents),
        )


class QuoteRead(GatedModel):
    object_type = "quote"

    id: int
    number: str | None
    client_id: int
    client: QuoteClientRead
    title: str
    description: str | None
    status: QuoteStatus = Field(description="expired: past valid_until while draft or sent")
    tax_rate: JsonNumber
    currency_code: str
    valid_until: date | None
    subtotal: JsonNumber
    tax_amount: JsonNumber
    total: JsonNumber
    notes: str | None
    items: list[QuoteItemRead]
    sent_at: datetime | None
    accepted_at: datetime | None
    rejected_at: datetime | None
    project_id: int | None
    invoice_id: int | None
    created_by_id: int | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of_quote(
        cls,
        quote: Quote,
        client: Client,
        items: list[QuoteItem],
        auth: AuthContext | None,
        *,
        status: str,
    ) -> Self:
        return cls.of(
            quote,
            auth,
            client=QuoteClientRead(id=client.id, name=client.name),
            status=status,
            tax_rate=from_basis_points(quote.tax_rate_bp),
            subtotal=from_cents_exact(quote.subtotal_cents),
            tax_amount=from_cents_exact(quote.tax_cents),
            total=from_cents_exact(quote.total_cents),
            items=[QuoteItemRead.of_item(item, auth) for item in items],
        )


class QuoteList(BaseModel):
    quotes: list[QuoteRead]
    pagination: PaginationRead


class QuoteAnswer(BaseModel):
    quote: QuoteRead


class QuoteCreated(BaseModel):
    message: str
    quote: QuoteRead


class QuoteChanged(BaseModel):
    message: str
    quote: QuoteRead


class QuoteAccepted(BaseModel):
    message: str
    quote: QuoteRead
    project_id: int | None
    invoice_id: int | None


class QuoteDeleted(BaseModel):
    message: str
