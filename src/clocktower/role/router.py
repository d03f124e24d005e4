"""Roles and the permission catalogue over HTTP: parse, authorise, call one service function."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import authorized
from clocktower.db import DbSession
from clocktower.errors import error_responses
from clocktower.kit.pagination import Pagination, PaginationRead
from clocktower.role import service as role_service
from clocktower.role.errors import (
    PermissionCategoryNotFound,
    PermissionEscalation,
    RoleBuiltin,
    RoleMonikerTaken,
    RoleNotFound,
)
from clocktower.role.schemas import (
    PermissionCategories,
    PermissionCategoryAnswer,
    PermissionCategoryRead,
    PermissionNodeList,
    PermissionNodeRead,
    RoleAnswer,
    RoleChanged,
    RoleCreate,
    RoleDeleted,
    RoleList,
    RoleMemberList,
    RoleMemberRead,
    RolePermissionsChange,
    RoleRead,
    RoleSummary,
    RoleUpdate,
)
from clocktower.routing import AppRoute

router = APIRouter(prefix="/roles", tags=["roles"], route_class=AppRoute)
permission_router = APIRouter(prefix="/permissions", tags=["permissions"], route_class=AppRoute)

RolesList = Annotated[AuthContext, authorized("role.read", "role.list")]
RoleReader = Annotated[AuthContext, authorized("role.read")]
RoleCreator = Annotated[AuthContext, authorized("role.create")]
RoleModifier = Annotated[AuthContext, authorized("role.modify")]
RoleDeleter = Annotated[AuthContext, authorized("role.delete")]
RoleUsersRead = Annotated[AuthContext, authorized("role.read", "user.read.other")]
Identifier = Annotated[str, Path(min_length=1, max_length=64, description="Role id or moniker")]


def _read(view: role_service.RoleView, auth: AuthContext) -> RoleRead:
    return RoleRead.of(view.role, auth, permissions=view.permissions, users_count=view.users_count)


@router.get("")
async def list_roles(auth: RolesList, session: DbSession, page: Pagination) -> RoleList:
    """The organisation's roles, built-in and custom, with their member counts."""
    views, found = await role_service.list_roles(session, auth, page)
    return RoleList(
        roles=[_read(view, auth) for view in views], pagination=PaginationRead.of(found)
    )


@router.post(
    "",
    status_code=201,
    responses=error_responses(RoleMonikerTaken, PermissionEscalation),
)
async def create_role(data: RoleCreate, auth: RoleCreator, session: DbSession) -> RoleChanged:
    """A custom role; it may only hold nodes the caller holds."""
    view = await role_service.create_role(session, auth, data)
    return RoleChanged(message="Role created", role=_read(view, auth))


@router.get("/{identifier}", responses=error_responses(RoleNotFound))
async def get_role(identifier: Identifier, auth: RoleReader, session: DbSession) -> RoleAnswer:
    """One role by id or moniker."""
    view = await role_service.get_role(session, auth, identifier)
    return RoleAnswer(role=_read(view, auth))


@router.patch(
    "/{identifier}",
    responses=error_responses(RoleNotFound, RoleBuiltin, RoleMonikerTaken, PermissionEscalation),
)
async def update_role(
    identifier: Identifier, data: RoleUpdate, auth: RoleModifier, session: DbSession
) -> RoleChanged:
    """Change a custom role; `permissions` replaces its list."""
    view = await role_service.update_role(session, auth, identifier, data)
    return RoleChanged(message="Role updated", role=_read(view, auth))


@router.delete("/{identifier}", responses=error_responses(RoleNotFound, RoleBuiltin))
async def delete_role(identifier: Identifier, auth: RoleDeleter, session: DbSession) -> RoleDeleted:
    """Delete a custom role; every member holding it loses it."""
    role = await role_service.delete_role(session, auth, identifier)
    return RoleDeleted(message="Role deleted", role=RoleSummary.of(role, auth))


@router.post(
    "/{identifier}/permissions",
    responses=error_responses(RoleNotFound, RoleBuiltin, PermissionEscalation),
)
async def add_role_permissions(
    identifier: Identifier, data: RolePermissionsChange, auth: RoleModifier, session: DbSession
) -> RoleChanged:
    """Merge nodes into a custom role (order kept, no duplicates)."""
    view = await role_service.add_role_permissions(session, auth, identifier, data.permissions)
    return RoleChanged(message="Permissions added", role=_read(view, auth))


@router.delete(
    "/{identifier}/permissions",
    responses=error_responses(RoleNotFound, RoleBuiltin),
)
async def remove_role_permissions(
    identifier: Identifier, data: RolePermissionsChange, auth: RoleModifier, session: DbSession
) -> RoleChanged:
    """Take nodes away from a custom role (a JSON body on DELETE, as seed 004 does)."""
    view = await role_service.remove_role_permissions(session, auth, identifier, data.permissions)
    return RoleChanged(message="Permissions removed", role=_read(view, auth))


@router.get("/{identifier}/users", responses=error_responses(RoleNotFound))
async def list_role_users(
    identifier: Identifier, auth: RoleUsersRead, session: DbSession, page: Pagination
) -> RoleMemberList:
    """The members holding a role."""
    found = await role_service.list_role_users(session, auth, identifier, page)
    return RoleMemberList(
        users=[
            RoleMemberRead.of(
                membership.user, auth, roles=[role.moniker for role in membership.roles]
            )
            for membership in found.items
        ],
        pagination=PaginationRead.of(found),
    )


# --- the permission catalogue ----------------------------------------------------------------


def _permission_usage(request: Request) -> dict[str, list[str]]:
    """Which routes need each node, from the app's own OpenAPI document; computed once."""
    usage: dict[str, list[str]] | None = getattr(request.app.state, "permission_usage", None)
    if usage is None:
        usage = role_service.routes_by_permission(request.app.openapi())
        request.app.state.permission_usage = usage
    return usage


PermissionUsage = Annotated[dict[str, list[str]], Depends(_permission_usage)]


def _node_read(view: role_service.NodeView) -> PermissionNodeRead:
    return PermissionNodeRead(
        node=view.node.node,
        description=view.node.description,
        scope=view.node.scope,
        dependencies=list(view.node.dependencies),
        used_in=view.used_in,
    )


def _category_read(view: role_service.CategoryView) -> PermissionCategoryRead:
    return PermissionCategoryRead(
        name=view.category.name,
        description=view.category.description,
        permissions=[_node_read(node) for node in view.nodes],
    )


@permission_router.get("")
async def list_permission_categories(
    auth: RoleReader, usage: PermissionUsage
) -> PermissionCategories:
    """Every permission node, by category."""
    views = role_service.permission_categories(usage)
    return PermissionCategories(
        categories={view.category.key: _category_read(view) for view in views}
    )


@permission_router.get("/nodes")
async def list_permission_nodes(auth: RoleReader, usage: PermissionUsage) -> PermissionNodeList:
    """Every permission node, as one flat list."""
    return PermissionNodeList(
        permissions=[_node_read(view) for view in role_service.permission_nodes(usage)]
    )


@permission_router.get("/{category}", responses=error_responses(PermissionCategoryNotFound))
async def get_permission_category(
    category: Annotated[str, Path(max_length=64)], auth: RoleReader, usage: PermissionUsage
) -> PermissionCategoryAnswer:
    """The nodes of one category."""
    view = role_service.permission_category(category, usage)
    return PermissionCategoryAnswer(category=_category_read(view))
