"""Users of an organisation (seed 004): requests and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from pydantic import BaseModel, Field, field_validator

from clocktower.account.schemas import StrictModel, UserRead, http_url
from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import role_grants
from clocktower.auth.gating import GatedModel
from clocktower.kit.ids import MAX_ID
from clocktower.kit.pagination import PaginationRead
from clocktower.kit.validation import non_nullable
from clocktower.models import Membership, Role, User

PERMISSION_NODE_MAX = 100


def current_user_read(user: User, auth: AuthContext) -> UserRead:
    """The caller's own user, with their roles in the organisation this request acts in.

    Field gating follows the caller's roles there (seed 004 gates `@me` too); a user who
    belongs to no organisation has no roles to gate by and sees their whole record.
    """
    return UserRead.of(
        user,
        auth if auth.organization_id is not None else None,
        roles=list(auth.roles),
        current_organization_id=auth.organization_id,
    )


class MemberRead(GatedModel):
    """A user as a member of the caller's organisation: their roles and grants there."""

    object_type = "user"

    id: int
    name: str
    email: str
    username: str | None
    image_url: str | None
    timezone: str
    locale: str
    github_username: str | None
    cw_identifier: str | None
    is_active: bool
    roles: list[str] = Field(description="Role monikers in this organisation")
    permissions: list[str] = Field(description="Direct permission nodes on top of the roles")
    client_id: int | None = Field(description="Customer members: the client they belong to")
    joined_at: datetime
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of_member(cls, membership: Membership, auth: AuthContext) -> Self:
        """`membership.user` and `membership.roles` must be loaded."""
        return cls.of(
            membership.user,
            auth,
            roles=[role.moniker for role in sorted(membership.roles, key=lambda r: r.id)],
            permissions=list(membership.permissions),
            client_id=membership.client_id,
            joined_at=membership.joined_at,
        )


class AssignedRoleRead(GatedModel):
    """A role as a member holds it (the role list's RoleRead adds counts and dates)."""

    object_type = "role"

    id: int
    title: str
    moniker: str
    description: str | None
    permissions: list[str]
    is_builtin: bool

    @classmethod
    def of_role(cls, role: Role, auth: AuthContext) -> Self:
        # Built-in roles take their grants from code: show what actually applies.
        return cls.of(role, auth, permissions=list(role_grants(role)))


class MemberUpdate(StrictModel):
    """PATCH /users/{id}: profile fields, and (with their own permissions) roles and grants."""

    name: str | None = Field(None, min_length=1, max_length=200)
    image_url: str | None = Field(None, max_length=2048)
    roles: (
        list[
            Annotated[int, Field(ge=1, le=MAX_ID)]
            | Annotated[str, Field(min_length=1, max_length=64)]
        ]
        | None
    ) = Field(None, min_length=1, max_length=50, description="Role ids or monikers; replaces all")
    permissions: list[str] | None = Field(
        None, max_length=200, description="Direct permission nodes; replaces all"
    )

    _not_null = non_nullable("name", "roles", "permissions")

    @field_validator("image_url")
    @classmethod
    def _image_url(cls, value: str | None) -> str | None:
        return http_url(value)

    @field_validator("permissions")
    @classmethod
    def _node_length(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and any(not 1 <= len(node) <= PERMISSION_NODE_MAX for node in value):
            raise ValueError(f"each node is 1 to {PERMISSION_NODE_MAX} characters")
        return value


class PermissionCheck(StrictModel):
    permissions: list[str] = Field(min_length=1, max_length=100)

    @field_validator("permissions")
    @classmethod
    def _node_length(cls, value: list[str]) -> list[str]:
        if any(not 1 <= len(node) <= PERMISSION_NODE_MAX for node in value):
            raise ValueError(f"each node is 1 to {PERMISSION_NODE_MAX} characters")
        return value


class PermissionResult(BaseModel):
    permission: str
    has_permission: bool


class PermissionCheckAnswer(BaseModel):
    results: list[PermissionResult]


class CurrentUserAnswer(BaseModel):
    user: UserRead


class CurrentUserUpdated(BaseModel):
    message: str
    user: UserRead


class MemberAnswer(BaseModel):
    user: MemberRead


class MemberUpdated(BaseModel):
    message: str
    user: MemberRead


class MemberList(BaseModel):
    users: list[MemberRead]
    pagination: PaginationRead


class AssignedRoleList(BaseModel):
    roles: list[AssignedRoleRead]
