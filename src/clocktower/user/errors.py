"""User (organisation member) errors."""

from __future__ import annotations

from clocktower.errors import Forbidden, NotFound


class UserNotFound(NotFound):
    """Not a member of the caller's organisation (whether or not the user exists elsewhere)."""

    def __init__(self, user_id: int) -> None:
        super().__init__("User", f"User with identifier '{user_id}' was not found")


class UserChangeForbidden(Forbidden):
    """A conditional permission of PATCH /users/{id} (seed 004) is missing."""

    title = "Insufficient permissions"

    def __init__(self, permission: str, message: str) -> None:
        super().__init__(message, required_permission=permission)


class PermissionEscalation(Forbidden):
    error_code = "permission_escalation"
    title = "Permission escalation"

    def __init__(self, grants: list[str]) -> None:
        super().__init__(
            "You cannot grant permissions you do not hold yourself: " + ", ".join(grants),
            permissions=grants,
        )
