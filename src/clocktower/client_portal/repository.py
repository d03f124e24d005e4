"""Queries of a client's customer members and their pending invitations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select

from clocktower.models import Invitation, Membership, Role
from clocktower.organization.repository import MembershipRepository
from clocktower.team.repository import InvitationRepository

CUSTOMER = "customer"


def _is_customer() -> ColumnElement[bool]:
    return Membership.roles.any((Role.moniker == CUSTOMER) & Role.is_builtin.is_(True))


class CustomerRepository(MembershipRepository):
    def of_client(self, organization_id: int, client_id: int) -> Select[Membership]:
        """The client's customer members, oldest first, users and roles loaded."""
        return (
            self.with_roles(organization_id)
            .where(Membership.client_id == client_id, _is_customer())
            .order_by(Membership.joined_at, Membership.id)
        )

    async def customer_of_client(
        self, organization_id: int, client_id: int, user_id: int
    ) -> Membership | None:
        return await self.one_or_none(
            self.of_client(organization_id, client_id).where(Membership.user_id == user_id)
        )


class ClientInvitationRepository(InvitationRepository):
    async def pending_of_client(
        self, organization_id: int, client_id: int, now: datetime
    ) -> Sequence[Invitation]:
        return await self.all(
            self._live(organization_id, now)
            .where(Invitation.client_id == client_id)
            .order_by(Invitation.created_at, Invitation.id)
        )
