"""Role use cases and the permission catalogue (seed 004).

Built-in roles take their permissions from code (auth.permissions.BUILTIN_ROLES), so they
are read-only here. Nobody can grant a node they do not hold themselves: a role is a way
to hand out rights, so creating or widening one must never exceed the caller's own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import role_grants
from clocktower.auth.permissions import (
    PermissionCategory,
    PermissionNode,
    all_categories,
    node_is_known,
)
from clocktower.errors import ValidationFailed
from clocktower.kit.pagination import Page, PageParams
from clocktower.models import Membership, Role
from clocktower.role.errors import (
    PermissionCategoryNotFound,
    PermissionEscalation,
    RoleBuiltin,
    RoleMonikerTaken,
    RoleNotFound,
)
from clocktower.role.repository import RoleRepository
from clocktower.role.schemas import RoleCreate, RoleUpdate

# The (organization_id, moniker) unique constraint as each backend names it in errors.
_MONIKER_CONSTRAINT = ("uq_roles_organization_id_moniker", "roles.organization_id, roles.moniker")
_HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete"})


@dataclass(frozen=True)
class RoleView:
    """A role with what its answer needs beyond the row."""

    role: Role
    permissions: list[str]
    users_count: int


def _view(role: Role, users_count: int) -> RoleView:
    return RoleView(role=role, permissions=list(role_grants(role)), users_count=users_count)


# --- roles ---------------------------------------------------------------------------------


async def list_roles(
    session: AsyncSession, auth: AuthContext, params: PageParams
) -> tuple[list[RoleView], Page[Role]]:
    repository = RoleRepository(session)
    page = await repository.paginate(repository.listing(auth.org_id), params)
    counts = await repository.users_counts(auth.org_id, [role.id for role in page.items])
    return [_view(role, counts.get(role.id, 0)) for role in page.items], page


async def get_role(session: AsyncSession, auth: AuthContext, identifier: str) -> RoleView:
    repository = RoleRepository(session)
    role = await _find(repository, auth, identifier)
    return await _counted(repository, auth, role)


async def create_role(session: AsyncSession, auth: AuthContext, data: RoleCreate) -> RoleView:
    permissions = _deduplicated(data.permissions)
    _check_nodes(auth, permissions, already=())
    role = Role(
        organization_id=auth.org_id,
        title=data.title,
        moniker=data.moniker,
        description=data.description,
        permissions=permissions,
        is_builtin=False,
    )
    session.add(role)
    await _flush_or_conflict(session, data.moniker)
    return _view(role, 0)


async def update_role(
    session: AsyncSession, auth: AuthContext, identifier: str, data: RoleUpdate
) -> RoleView:
    repository = RoleRepository(session)
    role = _modifiable(await _find(repository, auth, identifier))
    changes = data.model_dump(exclude_unset=True)
    if "permissions" in changes:
        permissions = _deduplicated(changes.pop("permissions"))
        _check_nodes(auth, permissions, already=role.permissions)
        role.permissions = permissions
    for field, value in changes.items():
        setattr(role, field, value)
    await _flush_or_conflict(session, role.moniker)
    return await _counted(repository, auth, role)


async def delete_role(session: AsyncSession, auth: AuthContext, identifier: str) -> Role:
    """Delete a custom role; members lose it through the membership_roles cascade."""
    role = _modifiable(await _find(RoleRepository(session), auth, identifier))
    await session.delete(role)
    await session.flush()
    return role


async def add_role_permissions(
    session: AsyncSession, auth: AuthContext, identifier: str, nodes: Sequence[str]
) -> RoleView:
    """Merge nodes into the role's list: existing order kept, no duplicates."""
    repository = RoleRepository(session)
    role = _modifiable(await _find(repository, auth, identifier))
    _check_nodes(auth, _deduplicated(nodes), already=role.permissions)
    role.permissions = _deduplicated([*role.permissions, *nodes])
    await session.flush()
    return await _counted(repository, auth, role)


async def remove_role_permissions(
    session: AsyncSession, auth: AuthContext, identifier: str, nodes: Sequence[str]
) -> RoleView:
    """Take nodes away; unknown ones are allowed so stale grants can always be cleaned up."""
    repository = RoleRepository(session)
    role = _modifiable(await _find(repository, auth, identifier))
    removed = set(nodes)
    role.permissions = [node for node in role.permissions if node not in removed]
    await session.flush()
    return await _counted(repository, auth, role)


async def list_role_users(
    session: AsyncSession, auth: AuthContext, identifier: str, params: PageParams
) -> Page[Membership]:
    repository = RoleRepository(session)
    role = await _find(repository, auth, identifier)
    return await repository.members_holding(auth.org_id, role.id, params)


async def _find(repository: RoleRepository, auth: AuthContext, identifier: str) -> Role:
    role = await repository.by_identifier(auth.org_id, identifier)
    if role is None:
        raise RoleNotFound()
    return role


async def _counted(repository: RoleRepository, auth: AuthContext, role: Role) -> RoleView:
    counts = await repository.users_counts(auth.org_id, [role.id])
    return _view(role, counts.get(role.id, 0))


def _modifiable(role: Role) -> Role:
    if role.is_builtin:
        raise RoleBuiltin(role.moniker)
    return role


def _deduplicated(nodes: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(nodes))


def _check_nodes(auth: AuthContext, nodes: Sequence[str], *, already: Sequence[str]) -> None:
    """Every node must exist; every node being added must be held by the caller."""
    unknown = [node for node in nodes if not node_is_known(node)]
    if unknown:
        raise ValidationFailed(
            {"permissions": [f"Unknown permission node: {node}" for node in unknown]},
            message=f"Unknown permission nodes: {', '.join(unknown)}",
        )
    kept = set(already)
    escalating = [node for node in nodes if node not in kept and not auth.may_grant(node)]
    if escalating:
        raise PermissionEscalation(escalating)


async def _flush_or_conflict(session: AsyncSession, moniker: str) -> None:
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as error:
        if any(name in str(error.orig) for name in _MONIKER_CONSTRAINT):
            raise RoleMonikerTaken(moniker) from error
        raise


# --- the permission catalogue ----------------------------------------------------------------


@dataclass(frozen=True)
class NodeView:
    node: PermissionNode
    used_in: list[str]


@dataclass(frozen=True)
class CategoryView:
    category: PermissionCategory
    nodes: list[NodeView]


def routes_by_permission(openapi: Mapping[str, Any]) -> dict[str, list[str]]:
    """`"METHOD /path"` of every operation, per node it declares in `x-permissions`."""
    usage: dict[str, list[str]] = {}
    for path, operations in (openapi.get("paths") or {}).items():
        for method, operation in operations.items():
            if method not in _HTTP_METHODS or not isinstance(operation, dict):
                continue
            for node in operation.get("x-permissions") or ():
                usage.setdefault(node, []).append(f"{method.upper()} {path}")
    return {node: sorted(routes) for node, routes in usage.items()}


def permission_categories(usage: Mapping[str, list[str]]) -> list[CategoryView]:
    return [_category_view(category, usage) for category in all_categories()]


def permission_category(key: str, usage: Mapping[str, list[str]]) -> CategoryView:
    for category in all_categories():
        if category.key == key:
            return _category_view(category, usage)
    raise PermissionCategoryNotFound(key)


def permission_nodes(usage: Mapping[str, list[str]]) -> list[NodeView]:
    return [view for category in permission_categories(usage) for view in category.nodes]


def _category_view(category: PermissionCategory, usage: Mapping[str, list[str]]) -> CategoryView:
    return CategoryView(
        category=category,
        nodes=[NodeView(node, list(usage.get(node.node, ()))) for node in category.nodes],
    )
