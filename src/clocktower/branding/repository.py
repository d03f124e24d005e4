"""The organisation's logo row (one per organisation, keyed by it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.models import OrganizationLogo


class LogoRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, organization_id: int) -> OrganizationLogo | None:
        result = await self.session.execute(
            select(OrganizationLogo).where(OrganizationLogo.organization_id == organization_id)
        )
        return result.scalar_one_or_none()

    async def put(
        self, organization_id: int, *, content_type: str, data: bytes, updated_at: datetime
    ) -> None:
        """Insert or replace in one statement, so two uploads at once cannot collide."""
        dialect = self.session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        values = {"content_type": content_type, "data": data, "updated_at": updated_at}
        statement = insert(OrganizationLogo).values(organization_id=organization_id, **values)
        await self.session.execute(
            statement.on_conflict_do_update(index_elements=["organization_id"], set_=values)
        )

    async def remove(self, organization_id: int) -> bool:
        result = await self.session.execute(
            delete(OrganizationLogo).where(OrganizationLogo.organization_id == organization_id)
        )
        return bool(getattr(result, "rowcount", 0))
