"""Queries of an organisation's users (its memberships, with the global user rows)."""

from __future__ import annotations

from sqlalchemy import Select, exists, func, select

from clocktower.models import Membership, MembershipRole, Role, User
from clocktower.organization.repository import MembershipRepository


class MemberRepository(MembershipRepository):
    def search(
        self, organization_id: int, *, q: str | None = None, role: str | None = None
    ) -> Select[Membership]:
        """Members by name, roles and users loaded in one statement each (never per row)."""
        statement = self.with_roles(organization_id).join(User, User.id == Membership.user_id)
        if q:
            needle = q.lower()
            statement = statement.where(
                func.lower(User.name).contains(needle, autoescape=True)
                | func.lower(User.email).contains(needle, autoescape=True)
            )
        if role:
            statement = statement.where(
                exists(
                    select(MembershipRole.membership_id)
                    .join(Role, Role.id == MembershipRole.role_id)
                    .where(
                        MembershipRole.membership_id == Membership.id,
                        Role.organization_id == organization_id,
                        Role.moniker == role,
                    )
                )
            )
        return statement.order_by(func.lower(User.name), User.id)
