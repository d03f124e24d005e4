"""Role test helpers: custom roles given to members, direct grants, API tokens."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from clocktower.kit.time import utcnow
from clocktower.kit.tokens import random_token, sha256_hex
from clocktower.models import ApiToken, Membership, Organization, Role
from tests.support import Factory, Member


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
    membership = await _membership(factory, who)
    membership.roles = [role] if only else [*membership.roles, role]
    await factory.session.commit()
    return role


async def grant_directly(factory: Factory, who: Member, permissions: Sequence[str]) -> None:
    """Direct permission nodes on the membership, on top of its roles."""
    membership = await _membership(factory, who)
    membership.permissions = list(permissions)
    await factory.session.commit()


async def _membership(factory: Factory, who: Member) -> Membership:
    result = await factory.session.execute(
        select(Membership)
        .where(Membership.id == who.membership.id)
        .options(selectinload(Membership.roles))
        .execution_options(populate_existing=True)
    )
    return result.scalar_one()


async def api_token(factory: Factory, who: Member, scopes: Sequence[str]) -> str:
    """A `tt_` API token of the member with these scopes; returns the raw token."""
    raw = "tt_" + random_token(32)
    factory.session.add(
        ApiToken(
            organization_id=who.organization.id,
            user_id=who.user.id,
            created_by_id=who.user.id,
            name="Test token",
            token_prefix=raw[:8],
            token_hash=sha256_hex(raw),
            scopes=list(scopes),
            created_at=utcnow(),
        )
    )
    await factory.session.commit()
    return raw
