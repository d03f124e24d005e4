"""Membership rules shared by the team and user routes: roles, removal, the last owner.

An organisation always keeps at least one owner: demoting or removing the last one is a
409 `last_owner`. Only an owner may grant or take away the owner role.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.errors import InvalidReference
from clocktower.kit.time import utcnow
from clocktower.live.publish import queue_focus_changed
from clocktower.models import ApiToken, ClientFocus, Membership, MembershipRole, Role, User
from clocktower.organization.errors import LastOwner, OwnerOnly
from clocktower.organization.repository import RoleRepository

OWNER = "owner"


async def owner_count(session: AsyncSession, organization_id: int) -> int:
    statement = (
        select(func.count())
        .select_from(MembershipRole)
        .join(Role, Role.id == MembershipRole.role_id)
        .where(
            Role.organization_id == organization_id,
            Role.moniker == OWNER,
            Role.is_builtin.is_(True),
        )
    )
    return int((await session.execute(statement)).scalar_one())


def holds_owner(membership: Membership) -> bool:
    return any(role.moniker == OWNER and role.is_builtin for role in membership.roles)


async def resolve_roles(
    session: AsyncSession,
    organization_id: int,
    identifiers: Sequence[str | int],
    *,
    field: str = "roles",
) -> list[Role]:
    """Role ids or monikers (seed 004) inside the organisation; unknown ones are a 422."""
    repository = RoleRepository(session)
    roles: list[Role] = []
    for identifier in identifiers:
        role = await repository.by_identifier(organization_id, str(identifier))
        if role is None:
            raise InvalidReference(field, f"Role {identifier!r} not found")
        if role not in roles:
            roles.append(role)
    return roles


async def set_roles(
    session: AsyncSession, auth: AuthContext, membership: Membership, roles: list[Role]
) -> None:
    """Replace a member's roles (membership.roles must be loaded)."""
    had_owner = holds_owner(membership)
    gets_owner = any(role.moniker == OWNER and role.is_builtin for role in roles)
    if had_owner != gets_owner and OWNER not in auth.roles:
        raise OwnerOnly("Only an owner can grant or remove the owner role")
    if had_owner and not gets_owner and await owner_count(session, membership.organization_id) <= 1:
        raise LastOwner("The organisation must keep at least one owner")
    membership.roles = roles
    await session.flush()


async def remove_membership(
    session: AsyncSession, auth: AuthContext, membership: Membership
) -> None:
    """Remove a member: their roles, their API tokens here, their customer focus and
    their current context."""
    if holds_owner(membership):
        if OWNER not in auth.roles:
            raise OwnerOnly("Only an owner can remove an owner")
        if await owner_count(session, membership.organization_id) <= 1:
            raise LastOwner("The organisation must keep at least one owner")
    organization_id = membership.organization_id
    user_id = membership.user_id
    await session.execute(
        update(ApiToken)
        .where(
            ApiToken.organization_id == organization_id,
            ApiToken.user_id == user_id,
            ApiToken.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    # Their customer focus goes with them: deleted through the ORM, so colleagues' sync
    # gets the tombstone and their live streams the change.
    focus = await session.scalars(
        select(ClientFocus).where(
            ClientFocus.organization_id == organization_id, ClientFocus.user_id == user_id
        )
    )
    for row in focus.all():
        await session.delete(row)
        queue_focus_changed(session, organization_id, user_id, row.client_id, None)
    await session.delete(membership)
    await session.flush()
    user = await session.get(User, user_id)
    if user is not None and user.current_organization_id == organization_id:
        other = await session.execute(
            select(Membership.organization_id).where(Membership.user_id == user_id).limit(1)
        )
        user.current_organization_id = other.scalar_one_or_none()
        await session.flush()
