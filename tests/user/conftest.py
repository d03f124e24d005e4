"""User test helpers: custom roles, direct grants and API tokens, straight into the database."""

from __future__ import annotations

from collections.abc import Sequence

from clocktower.models import Organization, Role
from tests.support import Factory, Member


async def custom_role(
    factory: Factory, organization: Organization, moniker: str, permissions: Sequence[str]
) -> Role:
    role = Role(
        organization_id=organization.id,
        title=moniker.title(),
        moniker=moniker,
        description=f"The {moniker} role",
        permissions=list(permissions),
        is_builtin=False,
    )
    factory.session.add(role)
    await factory.session.commit()
    return role


async def member_with(
    factory: Factory, organization: Organization, permissions: Sequence[str], **fields: object
) -> Member:
    """A member whose only role is a custom role holding `permissions`."""
    moniker = f"custom_{factory._next()}"
    await custom_role(factory, organization, moniker, permissions)
    return await factory.member(organization, moniker, **fields)
