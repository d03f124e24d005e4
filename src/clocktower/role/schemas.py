"""Role and permission-catalogue requests and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from clocktower.account.schemas import StrictModel
from clocktower.auth.gating import GatedModel
from clocktower.kit.pagination import PaginationRead
from clocktower.kit.validation import non_nullable

MONIKER_PATTERN = r"^[a-z][a-z0-9_]{1,63}$"
MAX_NODES = 500

# One permission node or wildcard pattern; whether it is known is the service's check.
NodeStr = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class RoleCreate(StrictModel):
    title: str = Field(min_length=1, max_length=100)
    moniker: str = Field(pattern=MONIKER_PATTERN, description="Lowercase, a-z 0-9 _")
    description: str | None = Field(None, max_length=500)
    permissions: list[NodeStr] = Field(default_factory=list, max_length=MAX_NODES)


class RoleUpdate(StrictModel):
    """PATCH: only the fields sent change; `permissions` replaces the whole list."""

    title: str | None = Field(None, min_length=1, max_length=100)
    moniker: str | None = Field(None, pattern=MONIKER_PATTERN)
    description: str | None = Field(None, max_length=500)
    permissions: list[NodeStr] | None = Field(None, max_length=MAX_NODES)

    _not_null = non_nullable("title", "moniker", "permissions")


class RolePermissionsChange(StrictModel):
    """POST (merge) or DELETE (remove) /roles/{identifier}/permissions."""

    permissions: list[NodeStr] = Field(min_length=1, max_length=MAX_NODES)


class RoleRead(GatedModel):
    object_type = "role"

    id: int
    title: str
    moniker: str
    description: str | None
    # Effective nodes: a built-in role's come from code, not from its row.
    permissions: list[str]
    is_builtin: bool
    users_count: int
    created_at: datetime
    updated_at: datetime


class RoleSummary(GatedModel):
    object_type = "role"

    id: int
    title: str
    moniker: str


class RoleAnswer(BaseModel):
    role: RoleRead


class RoleChanged(BaseModel):
    message: str
    role: RoleRead


class RoleDeleted(BaseModel):
    message: str
    role: RoleSummary


class RoleList(BaseModel):
    roles: list[RoleRead]
    pagination: PaginationRead


class RoleMemberRead(GatedModel):
    """A user holding a role (the fields of account.schemas.UserRead a role list needs)."""

    object_type = "user"

    id: int
    name: str
    email: str
    username: str | None
    is_active: bool
    roles: list[str]
    created_at: datetime
    updated_at: datetime


class RoleMemberList(BaseModel):
    users: list[RoleMemberRead]
    pagination: PaginationRead


class PermissionNodeRead(BaseModel):
    node: str
    description: str
    scope: str | None
    dependencies: list[str]
    used_in: list[str] = Field(description='Routes that require the node: "METHOD /api/v1/path"')


class PermissionCategoryRead(BaseModel):
    name: str
    description: str
    permissions: list[PermissionNodeRead]


class PermissionCategories(BaseModel):
    categories: dict[str, PermissionCategoryRead]


class PermissionCategoryAnswer(BaseModel):
    category: PermissionCategoryRead


class PermissionNodeList(BaseModel):
    permissions: list[PermissionNodeRead]
