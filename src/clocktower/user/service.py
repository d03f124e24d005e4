"""Users of an organisation (seed 004): list, read, update, remove, roles, permission checks.

A "user" here is a member of the caller's organisation. The user row itself is global
(one person may belong to several organisations), so removing a user only ends their
membership here, and another organisation's users are simply not found.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import role_grants
from clocktower.auth.permissions import PermissionSet, is_self_service, node_is_known
from clocktower.errors import ValidationFailed
from clocktower.kit.pagination import Page, PageParams
from clocktower.models import Membership, Role
from clocktower.organization.membership import (
    OWNER,
    remove_membership,
    resolve_roles,
    set_roles,
)
from clocktower.user.errors import PermissionEscalation, UserChangeForbidden, UserNotFound
from clocktower.user.repository import MemberRepository
from clocktower.user.schemas import MemberUpdate

ROLES_NODE = "user.roles.other"
PERMISSIONS_NODE = "user.permissions.other"


async def list_members(
    session: AsyncSession,
    auth: AuthContext,
    params: PageParams,
    *,
    q: str | None = None,
    role: str | None = None,
) -> Page[Membership]:
    repository = MemberRepository(session)
    return await repository.paginate(repository.search(auth.org_id, q=q, role=role), params)


async def get_member(session: AsyncSession, auth: AuthContext, user_id: int) -> Membership:
    """The membership (user and roles loaded) of a user of the caller's organisation."""
    membership = await MemberRepository(session).of_user(auth.org_id, user_id)
    if membership is None:
        raise UserNotFound(user_id)
    return membership


async def update_member(
    session: AsyncSession, auth: AuthContext, user_id: int, data: MemberUpdate
) -> Membership:
    """Profile fields, roles (replaced) and direct permissions (replaced) of a member."""
    sent = data.model_fields_set
    # Seed 004's conditional permissions, checked before anything is looked up.
    if "roles" in sent:
        _require(auth, ROLES_NODE, "You do not have permission to modify roles on another user.")
    if "permissions" in sent:
        _require(
            auth,
            PERMISSIONS_NODE,
            "You do not have permission to modify permissions on another user.",
        )
    membership = await get_member(session, auth, user_id)
    permissions = _known_nodes(data.permissions) if data.permissions is not None else None
    if permissions is not None:
        _refuse_escalation(auth, [p for p in permissions if p not in membership.permissions])
    if data.roles is not None:
        roles = await resolve_roles(session, auth.org_id, data.roles)
        _refuse_escalation(auth, _grants_of_new_roles(membership, roles))
        await set_roles(session, auth, membership, roles)
    if permissions is not None:
        membership.permissions = permissions
    user = membership.user
    if data.name is not None:
        user.name = data.name
    if "image_url" in sent:
        user.image_url = data.image_url
    await session.flush()
    return membership


def _require(auth: AuthContext, node: str, message: str) -> None:
    if not auth.scope_allows(node):
        auth.require(node)  # the scope error, with required_scope / available_scopes
    if not auth.allows(node):
        raise UserChangeForbidden(node, message)


def _known_nodes(nodes: Iterable[str]) -> list[str]:
    unknown = [node for node in nodes if not node_is_known(node)]
    if unknown:
        raise ValidationFailed(
            {"permissions": [f"Unknown permission node {node!r}" for node in unknown]},
            message="Unknown permission node: " + ", ".join(unknown),
        )
    return list(dict.fromkeys(nodes))


def _grants_of_new_roles(membership: Membership, roles: Sequence[Role]) -> list[str]:
    held = {role.id for role in membership.roles}
    grants: list[str] = []
    for role in roles:
        # Granting the owner role has its own rule (only owners may), in set_roles.
        if role.id in held or (role.is_builtin and role.moniker == OWNER):
            continue
        grants.extend(role_grants(role))
    return list(dict.fromkeys(grants))


def _refuse_escalation(auth: AuthContext, grants: Iterable[str]) -> None:
    """Nobody hands out what they do not hold: every grant (or wildcard) must be covered."""
    beyond = [grant for grant in grants if not auth.may_grant(grant)]
    if beyond:
        raise PermissionEscalation(beyond)


async def remove_member(session: AsyncSession, auth: AuthContext, user_id: int) -> None:
    """Ends the membership in this organisation; the user and their other memberships stay."""
    membership = await get_member(session, auth, user_id)
    await remove_membership(session, auth, membership)


async def member_roles(session: AsyncSession, auth: AuthContext, user_id: int) -> list[Role]:
    membership = await get_member(session, auth, user_id)
    return sorted(membership.roles, key=lambda role: role.id)


def check_my_permissions(auth: AuthContext, nodes: Sequence[str]) -> list[tuple[str, bool]]:
    """What the caller may do: their roles, and for an API token its scopes too."""
    return [(node, auth.allows(node)) for node in nodes]


async def check_member_permissions(
    session: AsyncSession, auth: AuthContext, user_id: int, nodes: Sequence[str]
) -> list[tuple[str, bool]]:
    """What a member may do here: their roles' grants and direct permissions."""
    membership = await get_member(session, auth, user_id)
    grants = PermissionSet(
        [grant for role in membership.roles for grant in role_grants(role)]
        + list(membership.permissions)
    )
    return [(node, is_self_service(node) or grants.allows(node)) for node in nodes]
