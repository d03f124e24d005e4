"""Organisation settings use cases: read them, change some of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.kit.money import to_cents
from clocktower.kit.time import is_valid_timezone
from clocktower.models import Organization
from clocktower.organization.errors import OrganizationNotFound
from clocktower.organization.repository import MembershipRepository, OrganizationRepository
from clocktower.setting.errors import UnknownTimezone
from clocktower.setting.schemas import OrganizationSettings, SettingsUpdate

# Fields of SettingsUpdate that are columns of Organization; the rest live in its JSON.
ORGANIZATION_COLUMNS = ("name", "timezone", "currency", "billing_email", "address")


@dataclass(frozen=True)
class SettingsView:
    organization: Organization
    team_count: int


async def get_organization_settings(session: AsyncSession, auth: AuthContext) -> SettingsView:
    organization = await _organization(session, auth)
    return SettingsView(organization, await _team_count(session, auth.org_id))


async def update_organization_settings(
    session: AsyncSession, auth: AuthContext, data: SettingsUpdate
) -> SettingsView:
    changes = data.model_dump(exclude_unset=True)
    if "timezone" in changes and not is_valid_timezone(changes["timezone"]):
        raise UnknownTimezone(changes["timezone"])
    organization = await _organization(session, auth)
    for column in ORGANIZATION_COLUMNS:
        if column in changes:
            setattr(organization, column, changes.pop(column))
    if "default_hourly_rate" in changes:
        changes["default_hourly_rate_cents"] = to_cents(changes.pop("default_hourly_rate"))
    if changes:
        organization.settings = _merged_settings(organization, changes)
    await session.flush()
    return SettingsView(organization, await _team_count(session, auth.org_id))


def _merged_settings(organization: Organization, changes: dict[str, Any]) -> dict[str, Any]:
    current = OrganizationSettings.of(organization)
    merged = OrganizationSettings.model_validate({**current.model_dump(), **changes})
    # A new dict (not an in-place change) so the ORM and the audit log see the change;
    # keys a newer version wrote are kept.
    return {**(organization.settings or {}), **merged.model_dump(mode="json")}


async def _organization(session: AsyncSession, auth: AuthContext) -> Organization:
    organization = await OrganizationRepository(session).get(auth.org_id)
    if organization is None:  # deleted while the request was in flight
        raise OrganizationNotFound()
    return organization


async def _team_count(session: AsyncSession, organization_id: int) -> int:
    repository = MembershipRepository(session)
    return await repository.count(repository.in_organization(organization_id))


async def organization_settings(
    session: AsyncSession, organization_id: int
) -> OrganizationSettings:
    """The typed settings of one organisation, for other domains' rules (timers, limits)."""
    organization = await session.get(Organization, organization_id)
    if organization is None:
        raise OrganizationNotFound()
    return OrganizationSettings.of(organization)
