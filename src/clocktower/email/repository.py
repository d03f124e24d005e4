"""Queries of the outbox; each starts from the organisation-scoped statement.

Messages of no organisation (password resets, organisation_id NULL) never match it, so no
organisation's admin ever sees another person's reset link.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func

from clocktower.kit.repository import TenantRepository
from clocktower.models import OutboundEmail


# Statements are typed Select[Any]: SQLAlchemy 2.1 types Select by its columns, which the
# kit base (Select[tuple[M]]) does not match yet.
class OutboundEmailRepository(TenantRepository[OutboundEmail]):
    model = OutboundEmail

    def listing(self, organization_id: int, *, status: str | None, to: str | None) -> Select[Any]:
        statement = self.in_organization(organization_id)
        if status is not None:
            statement = statement.where(OutboundEmail.status == status)
        if to is not None:
            statement = statement.where(func.lower(OutboundEmail.to_address) == to.lower())
        return statement.order_by(OutboundEmail.created_at.desc(), OutboundEmail.id.desc())
