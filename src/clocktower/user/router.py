"""Users over HTTP: parse, authorise, call one service function.

`/users/me` is the caller's own account (seed 002, account-level: no organisation needed);
`/users/{user_id}` are the members of the caller's organisation (seed 004). The literal
routes come first so `me` and `@me` never reach the `{user_id}` ones.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from clocktower.account import passwords
from clocktower.account import service as account_service
from clocktower.account.errors import CurrentPasswordIncorrect, EmailTaken, UsernameTaken
from clocktower.account.schemas import Message, PasswordChange, UserUpdate
from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import CurrentUser, CurrentUserWrite, authorized
from clocktower.db import DbSession
from clocktower.errors import InvalidReference, error_responses
from clocktower.kit.pagination import Pagination, PaginationRead
from clocktower.organization.errors import LastOwner, OwnerOnly
from clocktower.routing import AppRoute
from clocktower.user import service as user_service
from clocktower.user.errors import PermissionEscalation, UserChangeForbidden, UserNotFound
from clocktower.user.schemas import (
    MAX_ID,
    AssignedRoleList,
    AssignedRoleRead,
    CurrentUserAnswer,
    CurrentUserUpdated,
    MemberAnswer,
    MemberList,
    MemberRead,
    MemberUpdate,
    MemberUpdated,
    PermissionCheck,
    PermissionCheckAnswer,
    PermissionResult,
    current_user_read,
)

router = APIRouter(prefix="/users", tags=["users"], route_class=AppRoute)

UsersList = Annotated[AuthContext, authorized("user.read.other", "user.list.other")]
UserFetch = Annotated[AuthContext, authorized("user.read.other")]
UserWrite = Annotated[AuthContext, authorized("user.write.other")]
UserDelete = Annotated[AuthContext, authorized("user.delete.other")]
UserRolesRead = Annotated[AuthContext, authorized("user.read.other", "role.read")]
UserId = Annotated[int, Path(ge=1, le=MAX_ID, description="The user's id")]


def _results(results: list[tuple[str, bool]]) -> PermissionCheckAnswer:
    return PermissionCheckAnswer(
        results=[PermissionResult(permission=node, has_permission=ok) for node, ok in results]
    )


# --- the caller's own account -----------------------------------------------------------------


@router.get("/me")
async def get_current_user(auth: CurrentUser) -> CurrentUserAnswer:
    """The signed-in user, with their roles in the current organisation."""
    return CurrentUserAnswer(user=current_user_read(auth.user, auth))


@router.patch("/me", responses=error_responses(EmailTaken, UsernameTaken, CurrentPasswordIncorrect))
async def update_profile(
    data: UserUpdate, request: Request, auth: CurrentUserWrite, session: DbSession
) -> CurrentUserUpdated:
    """Change your profile; changing the email needs `current_password`."""
    user = await account_service.update_profile(session, request.app.state.settings, auth, data)
    return CurrentUserUpdated(message="Profile updated", user=current_user_read(user, auth))


@router.post("/me/password", responses=error_responses(CurrentPasswordIncorrect))
async def change_password(
    data: PasswordChange, request: Request, auth: CurrentUserWrite, session: DbSession
) -> Message:
    """Change your password; your other sign-ins end, this one stays."""
    await passwords.change_password(session, request.app.state.settings, auth, data)
    return Message(message="Password changed")


@router.post("/@me/check-permission")
async def check_my_permissions(data: PermissionCheck, auth: CurrentUser) -> PermissionCheckAnswer:
    """Which of these permission nodes the caller holds (for an API token: within its scopes)."""
    return _results(user_service.check_my_permissions(auth, data.permissions))


# --- the organisation's users -----------------------------------------------------------------


@router.get("")
async def list_members(
    auth: UsersList,
    session: DbSession,
    pagination: Pagination,
    q: Annotated[
        str | None, Query(max_length=200, description="Name or email contains (any case)")
    ] = None,
    role: Annotated[str | None, Query(max_length=64, description="Role moniker")] = None,
) -> MemberList:
    """The users of the current organisation."""
    page = await user_service.list_members(session, auth, pagination, q=q, role=role)
    return MemberList(
        users=[MemberRead.of_member(membership, auth) for membership in page.items],
        pagination=PaginationRead.of(page),
    )


@router.get("/{user_id}", responses=error_responses(UserNotFound))
async def get_member(user_id: UserId, auth: UserFetch, session: DbSession) -> MemberAnswer:
    membership = await user_service.get_member(session, auth, user_id)
    return MemberAnswer(user=MemberRead.of_member(membership, auth))


@router.patch(
    "/{user_id}",
    responses=error_responses(
        UserNotFound,
        UserChangeForbidden,
        PermissionEscalation,
        OwnerOnly,
        LastOwner,
        InvalidReference,
    ),
)
async def update_member(
    user_id: UserId, data: MemberUpdate, auth: UserWrite, session: DbSession
) -> MemberUpdated:
    """Change a user's name or image; `roles` needs `user.roles.other`, `permissions` needs
    `user.permissions.other`. Nobody grants what they do not hold."""
    membership = await user_service.update_member(session, auth, user_id, data)
    return MemberUpdated(message="User updated", user=MemberRead.of_member(membership, auth))


@router.delete("/{user_id}", responses=error_responses(UserNotFound, OwnerOnly, LastOwner))
async def remove_member(user_id: UserId, auth: UserDelete, session: DbSession) -> Message:
    """Remove a user from this organisation (their account and other memberships stay)."""
    await user_service.remove_member(session, auth, user_id)
    return Message(message="User removed from the organisation")


@router.get("/{user_id}/roles", responses=error_responses(UserNotFound))
async def member_roles(
    user_id: UserId, auth: UserRolesRead, session: DbSession
) -> AssignedRoleList:
    roles = await user_service.member_roles(session, auth, user_id)
    return AssignedRoleList(roles=[AssignedRoleRead.of_role(role, auth) for role in roles])


@router.post("/{user_id}/check-permission", responses=error_responses(UserNotFound))
async def check_member_permissions(
    user_id: UserId, data: PermissionCheck, auth: UserFetch, session: DbSession
) -> PermissionCheckAnswer:
    """Which of these permission nodes a user of this organisation holds."""
    results = await user_service.check_member_permissions(session, auth, user_id, data.permissions)
    return _results(results)
