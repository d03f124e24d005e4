"""Queries of API tokens; each starts from the organisation-scoped statement."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, not_, or_
from sqlalchemy.orm import selectinload

from clocktower.kit.repository import TenantRepository
from clocktower.models import ApiToken


# Statements are typed Select[Any]: SQLAlchemy 2.1 types Select by its columns, which the
# kit base (Select[tuple[M]]) does not match yet.
class ApiTokenRepository(TenantRepository[ApiToken]):
    model = ApiToken

    def with_user(self, organization_id: int) -> Select[Any]:
        # One extra statement for the users of a whole page, not one per token.
        return self.in_organization(organization_id).options(selectinload(ApiToken.user))

    def listing(
        self,
        organization_id: int,
        *,
        user_id: int | None,
        active: bool | None,
        now: datetime,
    ) -> Select[Any]:
        statement = self.with_user(organization_id)
        if user_id is not None:
            statement = statement.where(ApiToken.user_id == user_id)
        if active is not None:
            usable = and_(
                ApiToken.revoked_at.is_(None),
                or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
            )
            statement = statement.where(usable if active else not_(usable))
        return statement.order_by(ApiToken.created_at.desc(), ApiToken.id.desc())

    async def get_with_user(self, organization_id: int, token_id: int) -> ApiToken | None:
        return await self.one_or_none(
            self.with_user(organization_id).where(ApiToken.id == token_id)
        )
