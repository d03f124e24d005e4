"""Queries of leads and lead forms."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select

from clocktower.kit.repository import TenantRepository
from clocktower.models import Lead, LeadForm


class LeadRepository(TenantRepository[Lead]):
    model = Lead

    def listing(self, organization_id: int, status: str | None) -> Select[Lead]:
        """Newest first."""
        statement = self.in_organization(organization_id)
        if status is not None:
            statement = statement.where(Lead.status == status)
        return statement.order_by(Lead.created_at.desc(), Lead.id.desc())

    async def get_for_update(self, organization_id: int, lead_id: int) -> Lead | None:
        """Locked (PostgreSQL) so two concurrent conversions cannot both create a client."""
        return await self.one_or_none(
            self.in_organization(organization_id).where(Lead.id == lead_id).with_for_update()
        )


class LeadFormRepository(TenantRepository[LeadForm]):
    model = LeadForm

    async def of_organization(self, organization_id: int) -> Sequence[LeadForm]:
        return await self.all(
            self.in_organization(organization_id).order_by(LeadForm.name, LeadForm.id)
        )

    async def active_by_key(self, public_key: str) -> LeadForm | None:
        """The public key names the organisation: the one lookup not scoped by a caller."""
        return await self.one_or_none(
            select(LeadForm).where(LeadForm.public_key == public_key, LeadForm.is_active.is_(True))
        )
