"""Organisation use cases."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.permissions import BUILTIN_ROLES
from clocktower.kit.random import short_suffix
from clocktower.kit.slug import slugify
from clocktower.kit.time import utcnow
from clocktower.models import Membership, Organization, Role, User
from clocktower.organization.repository import OrganizationRepository


async def unique_slug(session: AsyncSession, name: str) -> str:
    repository = OrganizationRepository(session)
    base = slugify(name)
    slug = base
    while await repository.slug_taken(slug):
        slug = f"{base[:52]}-{short_suffix()}"
    return slug


async def create_organization_for(
    session: AsyncSession,
    user: User,
    *,
    name: str,
    timezone: str = "UTC",
    currency: str = "EUR",
) -> Organization:
    """A new organisation with its built-in roles, owned by `user`, who switches to it."""
    organization = Organization(
        name=name,
        slug=await unique_slug(session, name),
        timezone=timezone,
        currency=currency,
        owner_id=user.id,
        settings={},
    )
    session.add(organization)
    await session.flush()
    roles = {
        moniker: Role(
            organization_id=organization.id,
            title=title,
            moniker=moniker,
            description=description,
            permissions=list(permissions),
            is_builtin=True,
        )
        for moniker, (title, description, permissions) in BUILTIN_ROLES.items()
    }
    session.add_all(roles.values())
    await session.flush()
    await add_member(session, organization, user, roles["owner"])
    user.current_organization_id = organization.id
    await session.flush()
    return organization


async def add_member(
    session: AsyncSession,
    organization: Organization,
    user: User,
    role: Role,
    *,
    client_id: int | None = None,
) -> Membership:
    membership = Membership(
        organization_id=organization.id,
        user_id=user.id,
        client_id=client_id,
        permissions=[],
        joined_at=utcnow(),
    )
    membership.roles = [role]
    session.add(membership)
    await session.flush()
    return membership
