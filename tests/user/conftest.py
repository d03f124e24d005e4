"""User test helpers: custom roles, direct grants and API tokens, straight into the database."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from clocktower.kit.time import utcnow
from clocktower.kit.tokens import random_token, sha256_hex
from clocktower.models import ApiToken, Membership, Organization, Role
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


async def membership_of(factory: Factory, who: Member) -> Membership:
    """The member's membership as stored now, roles loaded."""
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
