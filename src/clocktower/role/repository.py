"""Queries of the role routes, on top of the shared role lookups (id or moniker)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, func, select

from clocktower.kit.pagination import Page, PageParams
from clocktower.models import Membership, MembershipRole, Role
from clocktower.organization.repository import MembershipRepository
from clocktower.organization.repository import RoleRepository as OrganizationRoleRepository


class RoleRepository(OrganizationRoleRepository):
    def listing(self, organization_id: int) -> Select[Role]:
        return self.in_organization(organization_id).order_by(Role.id)

    async def users_counts(self, organization_id: int, role_ids: Sequence[int]) -> dict[int, int]:
        """Members per role for a whole page in one statement (no query per row)."""
        if not role_ids:
            return {}
        in_organization = (
            self.in_organization(organization_id)
            .where(Role.id.in_(role_ids))
            .with_only_columns(Role.id)
        )
        statement = (
            select(MembershipRole.role_id, func.count())
            .where(MembershipRole.role_id.in_(in_organization))
            .group_by(MembershipRole.role_id)
        )
        rows = await self.session.execute(statement)
        return {role_id: int(count) for role_id, count in rows}

    async def members_holding(
        self, organization_id: int, role_id: int, params: PageParams
    ) -> Page[Membership]:
        """The organisation's members holding the role, with their users and roles."""
        memberships = MembershipRepository(self.session)
        statement = (
            memberships.with_roles(organization_id)
            .join(MembershipRole, MembershipRole.membership_id == Membership.id)
            .where(MembershipRole.role_id == role_id)
            .order_by(Membership.id)
        )
        return await memberships.paginate(statement, params)
