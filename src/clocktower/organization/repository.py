"""Queries of organisations, memberships and roles."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from clocktower.kit.repository import Repository, TenantRepository
from clocktower.models import Membership, Organization, Role


class OrganizationRepository(Repository[Organization]):
    model = Organization

    async def get(self, organization_id: int) -> Organization | None:
        return await self.session.get(Organization, organization_id)

    async def slug_taken(self, slug: str) -> bool:
        found = await self.session.execute(select(Organization.id).where(Organization.slug == slug))
        return found.first() is not None

    def of_user(self, user_id: int) -> Select[Organization]:
        return (
            select(Organization)
            .join(Membership, Membership.organization_id == Organization.id)
            .where(Membership.user_id == user_id)
            .order_by(Organization.name, Organization.id)
        )


class MembershipRepository(TenantRepository[Membership]):
    model = Membership

    def with_roles(self, organization_id: int) -> Select[Membership]:
        return self.in_organization(organization_id).options(
            selectinload(Membership.roles), selectinload(Membership.user)
        )

    async def of_user(self, organization_id: int, user_id: int) -> Membership | None:
        return await self.one_or_none(
            self.with_roles(organization_id).where(Membership.user_id == user_id)
        )

    async def memberships_of_user(self, user_id: int) -> Sequence[Membership]:
        return await self.all(
            select(Membership)
            .where(Membership.user_id == user_id)
            .options(selectinload(Membership.roles))
        )


class RoleRepository(TenantRepository[Role]):
    model = Role

    async def by_moniker(self, organization_id: int, moniker: str) -> Role | None:
        return await self.one_or_none(
            self.in_organization(organization_id).where(Role.moniker == moniker)
        )

    async def by_identifier(self, organization_id: int, identifier: str) -> Role | None:
        """Seed 004 names roles by id or by moniker."""
        if identifier.isdigit():
            found = await self.get(organization_id, int(identifier))
            if found is not None:
                return found
        return await self.by_moniker(organization_id, identifier)
