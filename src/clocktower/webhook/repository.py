"""Queries of webhook endpoints and deliveries; each starts from the organisation-scoped
statement."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, insert

from clocktower.kit.repository import TenantRepository
from clocktower.models import WebhookDelivery, WebhookEndpoint


class WebhookEndpointRepository(TenantRepository[WebhookEndpoint]):
    model = WebhookEndpoint

    def listing(self, organization_id: int) -> Select[Any]:
        return self.in_organization(organization_id).order_by(WebhookEndpoint.id)

    async def subscribers(self, organization_id: int, event: str) -> list[int]:
        """Ids of the active endpoints that receive `event` (an empty list means all).

        Event lists are a handful of names in a JSON column whose containment operators
        differ between backends; one statement reads (id, event_types) of the active
        endpoints and the match is made here."""
        result = await self.session.execute(
            self.in_organization(organization_id)
            .where(WebhookEndpoint.is_active.is_(True))
            .with_only_columns(WebhookEndpoint.id, WebhookEndpoint.event_types)
            .order_by(WebhookEndpoint.id)
        )
        return [id_ for id_, types in result.all() if not types or event in types]

    async def locked(self, organization_id: int, endpoint_id: int) -> WebhookEndpoint | None:
        """Fresh from the database, its row locked until the transaction ends (PostgreSQL;
        SQLite has a single writer)."""
        result = await self.session.execute(
            self.in_organization(organization_id)
            .where(WebhookEndpoint.id == endpoint_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return result.scalar_one_or_none()


class WebhookDeliveryRepository(TenantRepository[WebhookDelivery]):
    model = WebhookDelivery

    def listing(
        self, organization_id: int, endpoint_id: int, *, status: str | None = None
    ) -> Select[Any]:
        statement = self.in_organization(organization_id).where(
            WebhookDelivery.endpoint_id == endpoint_id
        )
        if status is not None:
            statement = statement.where(WebhookDelivery.status == status)
        return statement.order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())

    async def of_endpoint(
        self, organization_id: int, endpoint_id: int, delivery_id: int
    ) -> WebhookDelivery | None:
        return await self.one_or_none(
            self.in_organization(organization_id).where(
                WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.id == delivery_id
            )
        )

    async def locked(self, organization_id: int, delivery_id: int) -> WebhookDelivery | None:
        """Fresh and locked: concurrent attempts of one delivery run one after the other."""
        result = await self.session.execute(
            self.in_organization(organization_id)
            .where(WebhookDelivery.id == delivery_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return result.scalar_one_or_none()

    async def add_many(self, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Insert the deliveries with one statement; their ids in the order of `rows`."""
        result = await self.session.scalars(
            insert(WebhookDelivery).returning(WebhookDelivery.id, sort_by_parameter_order=True),
            list(rows),
        )
        return list(result.all())
