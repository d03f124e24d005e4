"""Queries of invitations (members: organization.repository.MembershipRepository)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import aliased, selectinload

from clocktower.kit.repository import TenantRepository
from clocktower.models import Invitation, Organization, User


@dataclass(frozen=True)
class InvitationByToken:
    invitation: Invitation
    organization: Organization
    invited_by: str | None


class InvitationRepository(TenantRepository[Invitation]):
    model = Invitation

    def with_role(self, organization_id: int) -> Select[Invitation]:
        return self.in_organization(organization_id).options(selectinload(Invitation.role))

    async def get_with_role(self, organization_id: int, invitation_id: int) -> Invitation | None:
        return await self.one_or_none(
            self.with_role(organization_id).where(Invitation.id == invitation_id)
        )

    def _live(self, organization_id: int, now: datetime) -> Select[Invitation]:
        return self.with_role(organization_id).where(
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )

    async def pending(self, organization_id: int, now: datetime) -> Sequence[Invitation]:
        return await self.all(
            self._live(organization_id, now).order_by(Invitation.created_at, Invitation.id)
        )

    async def live_for_email(
        self, organization_id: int, email: str, now: datetime
    ) -> Invitation | None:
        found = await self.all(
            self._live(organization_id, now).where(func.lower(Invitation.email) == email.lower())
        )
        return found[0] if found else None

    async def by_token_hash(self, token_hash: str) -> InvitationByToken | None:
        """The token is the only key a stranger has: this lookup is not tenant-scoped.

        The hash is unique and 40 random characters long, so it names one invitation of
        one organisation, and only whoever received the email holds it.
        """
        inviter = aliased(User)
        row = (
            await self.session.execute(
                select(Invitation, Organization, inviter.name)
                .join(Organization, Organization.id == Invitation.organization_id)
                .outerjoin(inviter, inviter.id == Invitation.invited_by_id)
                .where(Invitation.token_hash == token_hash)
                .options(selectinload(Invitation.role))
            )
        ).one_or_none()
        if row is None:
            return None
        invitation, organization, invited_by = row
        return InvitationByToken(invitation, organization, invited_by)

    async def mark_accepted(self, invitation_id: int, now: datetime) -> bool:
        """One conditional UPDATE, so of concurrent acceptances exactly one wins."""
        result = await self.session.execute(
            update(Invitation)
            .where(
                Invitation.id == invitation_id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .values(accepted_at=now)
            .execution_options(synchronize_session="evaluate")
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
