"""Role test helpers: custom roles given to members, direct grants, API tokens."""

from __future__ import annotations

from collections.abc import Sequence

from clocktower.models import Organization, Role
from tests.support import Factory, Member, membership_of


async def make_role(
    factory: Factory,
    organization: Organization,
    permissions: Sequence[str],
    *,
    moniker: str | None = None,
    title: str | None = None,
) -> Role:
    """A custom role in the organisation, straight into the database."""
    number = factory._next()
    role = Role(
        organization_id=organization.id,
        title=title or f"Custom {number}",
        moniker=moniker or f"custom_{number}",
        description=None,
        permissions=list(permissions),
        is_builtin=False,
    )
    factory.session.add(role)
    await factory.session.commit()
    return role


async def give_role(
    factory: Factory,
    who: Member,
    permissions: Sequence[str] = (),
    *,
    role: Role | None = None,
    only: bool = False,
) -> Role:
    """Give a member a custom role (made from `permissions` unless given); `only` replaces
    their other roles."""
    role = role or await make_role(factory, who.organization, permissions)
    membership = await membership_of(factory, who)
    membership.roles = [role] if only else [*membership.roles, role]
    await factory.session.commit()
    return role


async def grant_directly(factory: Factory, who: Member, permissions: Sequence[str]) -> None:
    """Direct permission nodes on the membership, on top of its roles."""
    membership = await membership_of(factory, who)
    membership.permissions = list(permissions)
    await factory.session.commit()
