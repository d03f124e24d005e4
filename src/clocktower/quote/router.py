"""Quotes (S4.4, seed 002) over HTTP: parse, authorise, call one service function."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import authorized
from clocktower.db import DbSession
from clocktower.errors import InvalidReference, ValidationFailed, error_responses
from clocktower.idempotency import Idempotent
from clocktower.kit.ids import IdPath, IdQuery
from clocktower.kit.pagination import Pagination, PaginationRead
from clocktower.project.errors import ProjectNameTaken
from clocktower.quote import service as quote_service
from clocktower.quote.errors import (
    QuoteEmpty,
    QuoteExpired,
    QuoteInvalidTransition,
    QuoteNotDeletable,
    QuoteNotDraft,
    QuoteNotFound,
)
from clocktower.quote.schemas import (
    QuoteAccept,
    QuoteAccepted,
    QuoteAnswer,
    QuoteChanged,
    QuoteCreate,
    QuoteCreated,
    QuoteDeleted,
    QuoteFilters,
    QuoteList,
    QuoteRead,
    QuoteStatus,
    QuoteUpdate,
)
from clocktower.quote.service import QuoteDocument
from clocktower.routing import AppRoute

router = APIRouter(prefix="/quotes", tags=["quotes"], route_class=AppRoute)

QuotesList = Annotated[AuthContext, authorized("quote.fetch.many")]
QuotesFetch = Annotated[AuthContext, authorized("quote.fetch")]
QuotesCreate = Annotated[AuthContext, authorized("quote.create")]
QuotesUpdate = Annotated[AuthContext, authorized("quote.update")]
QuotesDelete = Annotated[AuthContext, authorized("quote.delete")]
QuotesAccept = Annotated[AuthContext, authorized("quote.accept")]

# What accepting into each makes, and the permission making it needs.
ACCEPT_NEEDS = {"project": "project.create", "invoice": "invoice.create"}


def _read(found: QuoteDocument, auth: AuthContext) -> QuoteRead:
    return QuoteRead.of_quote(found.quote, found.client, found.items, auth, status=found.status)


@router.get("")
async def list_quotes(
    auth: QuotesList,
    session: DbSession,
    pagination: Pagination,
    status: Annotated[QuoteStatus | None, Query(description="Only quotes in this status")] = None,
    client_id: IdQuery = None,
) -> QuoteList:
    """Seed 002: the organisation's quotes, newest first, with their items. Customer
    members see their client's quotes that are not drafts."""
    page = await quote_service.list_quotes(
        session, auth, pagination, QuoteFilters(status=status, client_id=client_id)
    )
    return QuoteList(
        quotes=[_read(found, auth) for found in page.items], pagination=PaginationRead.of(page)
    )


@router.get("/{quote_id}", responses=error_responses(QuoteNotFound))
async def get_quote(quote_id: IdPath, auth: QuotesFetch, session: DbSession) -> QuoteAnswer:
    """Seed 002: one quote with its items."""
    return QuoteAnswer(quote=_read(await quote_service.get_quote(session, auth, quote_id), auth))


@router.post("", status_code=201, responses=error_responses(InvalidReference))
async def create_quote(
    data: QuoteCreate, auth: QuotesCreate, session: DbSession, _claim: Idempotent
) -> QuoteCreated:
    """Seed 002: a draft quote for a client (`tax_rate` in percent, `currency_code`
    default the client's, else yours), with `items` [{description, quantity, unit_price,
    unit}]; numbered `Q-{YYYY}-{SEQ:4}` at once. Amounts: each item's quantity x unit
    price rounded half-up to the cent; tax on the subtotal, rounded once."""
    found = await quote_service.create_quote(session, auth, data)
    return QuoteCreated(message="Quote created", quote=_read(found, auth))


@router.put(
    "/{quote_id}", responses=error_responses(QuoteNotFound, QuoteNotDraft, InvalidReference)
)
async def update_quote(
    quote_id: IdPath, data: QuoteUpdate, auth: QuotesUpdate, session: DbSession
) -> QuoteAnswer:
    """Seed 002: change the fields sent (`items` replaces them all). A draft changes
    freely; a sent quote only its `valid_until` and `notes`; others: 409
    `quote_not_draft`."""
    found = await quote_service.update_quote(session, auth, quote_id, data)
    return QuoteAnswer(quote=_read(found, auth))


@router.delete("/{quote_id}", responses=error_responses(QuoteNotFound, QuoteNotDeletable))
async def delete_quote(quote_id: IdPath, auth: QuotesDelete, session: DbSession) -> QuoteDeleted:
    """Seed 002: delete a draft, rejected or expired quote; sent and accepted quotes stay
    (409 `quote_not_deletable`)."""
    await quote_service.delete_quote(session, auth, quote_id)
    return QuoteDeleted(message="Quote deleted")


@router.post(
    "/{quote_id}/send",
    responses=error_responses(QuoteNotFound, QuoteInvalidTransition, QuoteExpired, QuoteEmpty),
)
async def send_quote(quote_id: IdPath, auth: QuotesUpdate, session: DbSession) -> QuoteChanged:
    """A draft with items becomes `sent` (not once past its valid_until)."""
    found = await quote_service.send_quote(session, auth, quote_id)
    return QuoteChanged(message="Quote sent", quote=_read(found, auth))


@router.post(
    "/{quote_id}/accept",
    responses=error_responses(
        QuoteNotFound, QuoteInvalidTransition, QuoteExpired, ProjectNameTaken, ValidationFailed
    ),
)
async def accept_quote(
    quote_id: IdPath, data: QuoteAccept, auth: QuotesAccept, session: DbSession
) -> QuoteAccepted:
    """Accept a sent quote that has not expired, `into` a project for its client named
    after it with the subtotal as money budget (needs `project.create`) or a draft
    invoice with its items (needs `invoice.create`)."""
    auth.require(ACCEPT_NEEDS[data.into])
    found = await quote_service.accept_quote(session, auth, quote_id, into=data.into)
    return QuoteAccepted(
        message="Quote accepted",
        quote=_read(found, auth),
        project_id=found.quote.project_id,
        invoice_id=found.quote.invoice_id,
    )


@router.post("/{quote_id}/reject", responses=error_responses(QuoteNotFound, QuoteInvalidTransition))
async def reject_quote(quote_id: IdPath, auth: QuotesUpdate, session: DbSession) -> QuoteChanged:
    """The client declined: a sent quote becomes `rejected`."""
    found = await quote_service.reject_quote(session, auth, quote_id)
    return QuoteChanged(message="Quote rejected", quote=_read(found, auth))


@router.get(
    "/{quote_id}/pdf",
    response_class=Response,
    responses={
        200: {
            "description": "The quote as a PDF",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        },
        **error_responses(QuoteNotFound),
    },
)
async def get_quote_pdf(quote_id: IdPath, auth: QuotesFetch, session: DbSession) -> Response:
    """The quote printed: your logo, name and address, the client's, its number, title,
    items, subtotal, tax and total."""
    file = await quote_service.quote_pdf(session, auth, quote_id)
    return Response(content=file.content, media_type=file.media_type, headers=file.headers)
