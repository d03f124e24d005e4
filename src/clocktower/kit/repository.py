"""Repository base: every tenant query starts from one organisation-scoped statement."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.kit.pagination import Page, PageParams

M = TypeVar("M")


class Repository(Generic[M]):
    """Queries of one model. Subclasses of TenantRepository cannot forget the tenant."""

    model: ClassVar[type[Any]]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def one_or_none(self, statement: Select[M]) -> M | None:
        result = await self.session.execute(statement)
        return result.scalars().unique().one_or_none()

    async def all(self, statement: Select[M]) -> Sequence[M]:
        result = await self.session.execute(statement)
        return result.scalars().unique().all()

    async def count(self, statement: Select[Any]) -> int:
        count_statement = select(func.count()).select_from(
            statement.order_by(None).options().subquery()
        )
        return int((await self.session.execute(count_statement)).scalar_one())

    async def paginate(self, statement: Select[M], params: PageParams) -> Page[M]:
        """Two statements whatever the page size: the count and the page."""
        total = await self.count(statement)
        items = await self.all(statement.limit(params.per_page).offset(params.offset))
        return Page(items=list(items), total=total, params=params)


class TenantRepository(Repository[M]):
    def in_organization(self, organization_id: int) -> Select[M]:
        """Every read starts here, so no query can forget the tenant."""
        return select(self.model).where(self.model.organization_id == organization_id)

    async def get(self, organization_id: int, object_id: int) -> M | None:
        return await self.one_or_none(
            self.in_organization(organization_id).where(self.model.id == object_id)
        )
