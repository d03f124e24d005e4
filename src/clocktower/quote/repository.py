"""Queries of quotes and their items; each starts from the organisation-scoped statement.

A quote's `expired` status is not stored: a draft or sent quote whose `valid_until` is
before the reader's today is expired. `effective_status` is that rule as SQL, so the
status filter and the answers agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_

from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.repository import TenantRepository
from clocktower.models import Client, Quote, QuoteItem
from clocktower.quote.schemas import QuoteFilters

DRAFT = "draft"
EXPIRABLE = ("draft", "sent")
EXPIRED = "expired"


@dataclass(frozen=True)
class QuoteWithClient:
    quote: Quote
    client: Client


def is_expired(today: date) -> ColumnElement[bool]:
    return and_(
        Quote.status.in_(EXPIRABLE), Quote.valid_until.is_not(None), Quote.valid_until < today
    )


class QuoteRepository(TenantRepository[Quote]):
    model = Quote

    def visible(self, organization_id: int, customer_client_id: int | None) -> Select[Any]:
        """The organisation's quotes; a customer member's are their client's, never drafts."""
        statement = self.in_organization(organization_id)
        if customer_client_id is not None:
            statement = statement.where(
                Quote.client_id == customer_client_id, Quote.status != DRAFT
            )
        return statement

    def listing(
        self,
        organization_id: int,
        customer_client_id: int | None,
        filters: QuoteFilters,
        today: date,
    ) -> Select[Any]:
        statement = self.visible(organization_id, customer_client_id)
        if filters.status == EXPIRED:
            statement = statement.where(is_expired(today))
        elif filters.status in EXPIRABLE:
            statement = statement.where(
                Quote.status == filters.status,
                or_(Quote.valid_until.is_(None), Quote.valid_until >= today),
            )
        elif filters.status is not None:
            statement = statement.where(Quote.status == filters.status)
        if filters.client_id is not None:
            statement = statement.where(Quote.client_id == filters.client_id)
        return statement.order_by(Quote.id.desc())

    async def page_with_clients(
        self, statement: Select[Any], params: PageParams
    ) -> Page[QuoteWithClient]:
        """Two statements whatever the page size: the count and the page (with clients)."""
        total = await self.count(statement)
        rows = await self._with_clients(statement.limit(params.per_page).offset(params.offset))
        return Page(items=rows, total=total, params=params)

    async def get_with_client(
        self, organization_id: int, customer_client_id: int | None, quote_id: int
    ) -> QuoteWithClient | None:
        found = await self._with_clients(
            self.visible(organization_id, customer_client_id).where(Quote.id == quote_id)
        )
        return found[0] if found else None

    async def _with_clients(self, statement: Select[Any]) -> list[QuoteWithClient]:
        result = await self.session.execute(
            statement.add_columns(Client).join(Client, Client.id == Quote.client_id)
        )
        return [QuoteWithClient(quote, client) for quote, client in result.all()]

    async def locked(
        self, organization_id: int, customer_client_id: int | None, quote_id: int
    ) -> Quote | None:
        """The quote, its row locked until the transaction ends (PostgreSQL; SQLite has a
        single writer), fresh from the database: two transitions of one quote queue."""
        result = await self.session.execute(
            self.visible(organization_id, customer_client_id)
            .where(Quote.id == quote_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return result.scalar_one_or_none()


def effective_status(quote: Quote, today: date) -> str:
    if quote.status in EXPIRABLE and quote.valid_until is not None and quote.valid_until < today:
        return EXPIRED
    return quote.status


class QuoteItemRepository(TenantRepository[QuoteItem]):
    model = QuoteItem

    async def of_quotes(
        self, organization_id: int, quote_ids: Sequence[int]
    ) -> dict[int, list[QuoteItem]]:
        """The items of many quotes in one statement, by quote."""
        found: dict[int, list[QuoteItem]] = {quote_id: [] for quote_id in quote_ids}
        if not quote_ids:
            return found
        items = await self.all(
            self.in_organization(organization_id)
            .where(QuoteItem.quote_id.in_(list(quote_ids)))
            .order_by(QuoteItem.quote_id, QuoteItem.position, QuoteItem.id)
        )
        for item in items:
            found[item.quote_id].append(item)
        return found
