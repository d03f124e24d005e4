"""Quote use cases (S4.4): list, fetch, create (numbered `Q-{YYYY}-{SEQ:4}` at once), edit,
delete, and the transitions draft → sent → accepted | rejected; a draft or sent quote
past its `valid_until` reads as expired and cannot be sent or accepted.

Accepting makes something of the quote: a project for its client with the subtotal as
money budget (through the project service, so its rules apply), or a draft invoice with
the quote's items (through the invoice service).
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.client.repository import ClientRepository
from clocktower.errors import InvalidReference, ValidationFailed
from clocktower.invoice import service as invoice_service
from clocktower.invoice.documents import DocumentFile, addressee, letterhead, pdf_file
from clocktower.invoice.drafting import LineSpec, line_spec
from clocktower.invoice.numbering import QUOTE_PATTERN, take_number
from clocktower.invoice.pdf import PrintedDocument, PrintedLine
from clocktower.invoice.schemas import LineCreate
from clocktower.invoice.totals import (
    from_basis_points,
    from_cents_exact,
    from_milli,
    line_amount_cents,
    to_basis_points,
    totals_of,
)
from clocktower.kit.money import MAX_AMOUNT, to_cents
from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.time import utcnow
from clocktower.models import Client, Quote, QuoteItem
from clocktower.project import service as project_service
from clocktower.project.errors import ProjectNameTaken
from clocktower.project.schemas import ProjectCreate
from clocktower.quote.errors import (
    QuoteEmpty,
    QuoteExpired,
    QuoteInvalidTransition,
    QuoteNotDeletable,
    QuoteNotDraft,
    QuoteNotFound,
)
from clocktower.quote.repository import (
    EXPIRED,
    QuoteItemRepository,
    QuoteRepository,
    effective_status,
)
from clocktower.quote.schemas import QuoteCreate, QuoteFilters, QuoteUpdate

DRAFT, SENT, ACCEPTED, REJECTED = "draft", "sent", "accepted", "rejected"
DELETABLE = (DRAFT, REJECTED, EXPIRED)
# What a sent quote may still change: its validity and its notes.
SENT_EDITABLE = frozenset({"valid_until", "notes"})
PROJECT_NAME_MAX = 200


@dataclass(frozen=True)
class QuoteDocument:
    quote: Quote
    client: Client
    items: list[QuoteItem]
    # The status as read today: `expired` when past valid_until while draft or sent.
    status: str


async def list_quotes(
    session: AsyncSession, auth: AuthContext, params: PageParams, filters: QuoteFilters
) -> Page[QuoteDocument]:
    """Three statements whatever the page size: count, page with clients, their items."""
    today = invoice_service.local_today(auth)
    repository = QuoteRepository(session)
    statement = repository.listing(auth.org_id, auth.client_id, filters, today)
    page = await repository.page_with_clients(statement, params)
    items = await QuoteItemRepository(session).of_quotes(
        auth.org_id, [row.quote.id for row in page.items]
    )
    documents = [
        QuoteDocument(
            row.quote, row.client, items[row.quote.id], effective_status(row.quote, today)
        )
        for row in page.items
    ]
    return Page(items=documents, total=page.total, params=page.params)


async def get_quote(session: AsyncSession, auth: AuthContext, quote_id: int) -> QuoteDocument:
    found = await QuoteRepository(session).get_with_client(auth.org_id, auth.client_id, quote_id)
    if found is None:
        raise QuoteNotFound()
    return await _document(session, auth, found.quote, found.client)


async def create_quote(
    session: AsyncSession, auth: AuthContext, data: QuoteCreate
) -> QuoteDocument:
    client = await _client(session, auth, data.client_id)
    number = await take_number(
        session,
        auth.org_id,
        kind="quote",
        pattern=QUOTE_PATTERN,
        day=invoice_service.local_today(auth),
    )
    quote = Quote(
        organization_id=auth.org_id,
        client_id=client.id,
        number=number,
        title=data.title,
        description=data.description,
        status=DRAFT,
        tax_rate_bp=to_basis_points(data.tax_rate),
        currency_code=data.currency_code
        or await invoice_service.default_currency(session, auth.org_id, client),
        valid_until=data.valid_until,
        notes=data.notes,
        created_by_id=auth.user_id,
    )
    session.add(quote)
    await session.flush()
    items = _new_items(quote, data.items)
    session.add_all(items)
    _apply_totals(quote, items)
    await session.flush()
    return await _document(session, auth, quote, client)


async def update_quote(
    session: AsyncSession, auth: AuthContext, quote_id: int, data: QuoteUpdate
) -> QuoteDocument:
    quote = await _locked(session, auth, quote_id)
    changes = data.model_dump(exclude_unset=True)
    if quote.status == SENT:
        refused = sorted(changes.keys() - SENT_EDITABLE)
        if refused:
            raise QuoteNotDraft(_status(auth, quote), what=", ".join(refused))
    elif quote.status != DRAFT:
        raise QuoteNotDraft(quote.status)
    client = None
    if "client_id" in changes:
        client = await _client(session, auth, changes["client_id"])
        quote.client_id = client.id
    for field in ("title", "description", "currency_code", "valid_until", "notes"):
        if field in changes:
            setattr(quote, field, changes[field])
    if "tax_rate" in changes:
        quote.tax_rate_bp = to_basis_points(changes["tax_rate"])
    items_repository = QuoteItemRepository(session)
    if data.items is not None and "items" in changes:
        for old in (await items_repository.of_quotes(auth.org_id, [quote.id]))[quote.id]:
            await session.delete(old)
        await session.flush()
        items = _new_items(quote, data.items)
        session.add_all(items)
    else:
        items = (await items_repository.of_quotes(auth.org_id, [quote.id]))[quote.id]
    _apply_totals(quote, items)
    await session.flush()
    return await _document(session, auth, quote, client)


async def delete_quote(session: AsyncSession, auth: AuthContext, quote_id: int) -> None:
    """Drafts, rejected and expired quotes go (their number is not reused)."""
    quote = await _locked(session, auth, quote_id)
    status = _status(auth, quote)
    if status not in DELETABLE:
        raise QuoteNotDeletable(status)
    await session.delete(quote)
    await session.flush()


async def send_quote(session: AsyncSession, auth: AuthContext, quote_id: int) -> QuoteDocument:
    quote = await _locked(session, auth, quote_id)
    if quote.status != DRAFT:
        raise QuoteInvalidTransition(quote.status, "sent")
    _check_valid(auth, quote)
    items = (await QuoteItemRepository(session).of_quotes(auth.org_id, [quote.id]))[quote.id]
    if not items:
        raise QuoteEmpty()
    quote.status = SENT
    quote.sent_at = utcnow()
    await session.flush()
    return await _document(session, auth, quote)


async def reject_quote(session: AsyncSession, auth: AuthContext, quote_id: int) -> QuoteDocument:
    """The client declined a sent quote (expired or not)."""
    quote = await _locked(session, auth, quote_id)
    if quote.status != SENT:
        raise QuoteInvalidTransition(quote.status, "rejected")
    quote.status = REJECTED
    quote.rejected_at = utcnow()
    await session.flush()
    return await _document(session, auth, quote)


async def accept_quote(
    session: AsyncSession, auth: AuthContext, quote_id: int, *, into: str
) -> QuoteDocument:
    quote = await _locked(session, auth, quote_id)
    if quote.status != SENT:
        action = "accepted (send it first)" if quote.status == DRAFT else "accepted"
        raise QuoteInvalidTransition(quote.status, action)
    _check_valid(auth, quote)
    client = await _client(session, auth, quote.client_id)
    if into == "project":
        quote.project_id = await _project_from(session, auth, quote)
    else:
        items = (await QuoteItemRepository(session).of_quotes(auth.org_id, [quote.id]))[quote.id]
        drafted = await invoice_service.create_invoice_from_lines(
            session,
            auth,
            client=client,
            specs=[_spec(item) for item in items],
            currency=quote.currency_code,
            tax_rate_bp=quote.tax_rate_bp,
            notes=quote.notes,
            grouping="quote",
        )
        quote.invoice_id = drafted.invoice.id
    quote.status = ACCEPTED
    quote.accepted_at = utcnow()
    await session.flush()
    return await _document(session, auth, quote, client)


async def quote_pdf(session: AsyncSession, auth: AuthContext, quote_id: int) -> DocumentFile:
    found = await get_quote(session, auth, quote_id)
    quote = found.quote
    head = await letterhead(session, auth.org_id)
    facts = [
        ("Status", found.status.capitalize()),
        ("Date", quote.created_at.astimezone(ZoneInfo(auth.user.timezone)).date().isoformat()),
    ]
    if quote.valid_until is not None:
        facts.append(("Valid until", quote.valid_until.isoformat()))
    document = PrintedDocument(
        kind="Quote",
        number=quote.number,
        seller=head.seller,
        buyer=addressee(found.client),
        currency=quote.currency_code,
        subtotal=from_cents_exact(quote.subtotal_cents),
        tax_rate=from_basis_points(quote.tax_rate_bp),
        tax=from_cents_exact(quote.tax_cents),
        total=from_cents_exact(quote.total_cents),
        lines=[
            PrintedLine(
                description=item.description,
                quantity=from_milli(item.quantity_milli),
                unit=item.unit,
                unit_price=from_cents_exact(item.unit_price_cents),
                amount=from_cents_exact(item.amount_cents),
            )
            for item in found.items
        ],
        facts=facts,
        title=quote.title,
        description=quote.description,
        notes=quote.notes,
        logo=head.logo,
    )
    return await pdf_file(document, f"quote-{quote.number or quote.id}")


# --- helpers -----------------------------------------------------------------------------


async def _project_from(session: AsyncSession, auth: AuthContext, quote: Quote) -> int:
    """A project named after the quote (or, when that name is taken for the client,
    after the quote and its number), with the subtotal as money budget."""
    budget_cents = quote.subtotal_cents
    if budget_cents > (to_cents(MAX_AMOUNT) or 0):
        raise ValidationFailed.field(
            "into", f"A project budget is at most {MAX_AMOUNT:,.2f}; this quote's subtotal is more"
        )
    budget = {"budget_type": "money", "budget_amount": from_cents_exact(budget_cents)}
    fields = {
        "client_id": quote.client_id,
        "description": quote.description,
        **(budget if budget_cents > 0 else {}),
    }
    try:
        created = await project_service.create_project(
            session, auth, ProjectCreate.model_validate({"name": quote.title, **fields})
        )
    except ProjectNameTaken:
        suffix = f" ({quote.number})"
        name = quote.title[: PROJECT_NAME_MAX - len(suffix)] + suffix
        created = await project_service.create_project(
            session, auth, ProjectCreate.model_validate({"name": name, **fields})
        )
    return created.project.id


def _new_items(quote: Quote, lines: list[LineCreate]) -> list[QuoteItem]:
    items = []
    for position, line in enumerate(lines, start=1):
        spec = line_spec(line)
        items.append(
            QuoteItem(
                organization_id=quote.organization_id,
                quote_id=quote.id,
                position=position,
                description=spec.description,
                quantity_milli=spec.quantity_milli,
                unit=spec.unit,
                unit_price_cents=spec.unit_price_cents,
                amount_cents=line_amount_cents(spec.quantity_milli, spec.unit_price_cents),
            )
        )
    return items


def _spec(item: QuoteItem) -> LineSpec:
    return LineSpec(
        description=item.description,
        quantity_milli=item.quantity_milli,
        unit=item.unit,
        unit_price_cents=item.unit_price_cents,
    )


def _apply_totals(quote: Quote, items: list[QuoteItem]) -> None:
    totals = totals_of((item.amount_cents for item in items), quote.tax_rate_bp)
    quote.subtotal_cents = totals.subtotal_cents
    quote.tax_cents = totals.tax_cents
    quote.total_cents = totals.total_cents


def _status(auth: AuthContext, quote: Quote) -> str:
    return effective_status(quote, invoice_service.local_today(auth))


def _check_valid(auth: AuthContext, quote: Quote) -> None:
    if _status(auth, quote) == EXPIRED:
        assert quote.valid_until is not None
        raise QuoteExpired(quote.valid_until.isoformat())


async def _client(session: AsyncSession, auth: AuthContext, client_id: int) -> Client:
    """Ids from a payload resolve inside the caller's organisation only."""
    client = await ClientRepository(session).get_visible(auth.org_id, auth.client_id, client_id)
    if client is None:
        raise InvalidReference("client_id", "Client not found")
    return client


async def _locked(session: AsyncSession, auth: AuthContext, quote_id: int) -> Quote:
    quote = await QuoteRepository(session).locked(auth.org_id, auth.client_id, quote_id)
    if quote is None:
        raise QuoteNotFound()
    return quote


async def _document(
    session: AsyncSession, auth: AuthContext, quote: Quote, client: Client | None = None
) -> QuoteDocument:
    if client is None or client.id != quote.client_id:
        client = await _client(session, auth, quote.client_id)
    items = (await QuoteItemRepository(session).of_quotes(auth.org_id, [quote.id]))[quote.id]
    return QuoteDocument(quote, client, items, _status(auth, quote))
