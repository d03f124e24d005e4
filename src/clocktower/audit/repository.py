"""Queries of the audit log; each starts from the organisation-scoped statement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select

from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.repository import TenantRepository
from clocktower.models import AuditLog, User


@dataclass(frozen=True)
class AuditFilters:
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    actor_user_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AuditEntry:
    """An audit row and its actor's name, read in one statement."""

    row: AuditLog
    actor_name: str | None


# Statements are typed Select[Any]: SQLAlchemy 2.1 types Select by its columns, which the
# kit base (Select[tuple[M]]) does not match yet.
class AuditLogRepository(TenantRepository[AuditLog]):
    model = AuditLog

    def listing(self, organization_id: int, filters: AuditFilters) -> Select[Any]:
        statement = self.in_organization(organization_id)
        if filters.action is not None:
            statement = statement.where(AuditLog.action == filters.action)
        if filters.object_type is not None:
            statement = statement.where(AuditLog.object_type == filters.object_type)
        if filters.object_id is not None:
            statement = statement.where(AuditLog.object_id == filters.object_id)
        if filters.actor_user_id is not None:
            statement = statement.where(AuditLog.actor_user_id == filters.actor_user_id)
        if filters.since is not None:
            statement = statement.where(AuditLog.created_at >= filters.since)
        if filters.until is not None:
            statement = statement.where(AuditLog.created_at < filters.until)
        return statement

    async def page(
        self, organization_id: int, filters: AuditFilters, params: PageParams
    ) -> Page[AuditEntry]:
        """Two statements whatever the page size: the count, and the rows with actor names."""
        statement = self.listing(organization_id, filters)
        total = await self.count(statement)
        rows = await self.session.execute(
            statement.add_columns(User.name)
            .outerjoin(User, User.id == AuditLog.actor_user_id)
            .order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
            .limit(params.per_page)
            .offset(params.offset)
        )
        items = [AuditEntry(row=row, actor_name=name) for row, name in rows.all()]
        return Page(items=items, total=total, params=params)
