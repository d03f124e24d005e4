"""Role and permission-catalogue errors."""

from __future__ import annotations

from collections.abc import Sequence

from clocktower.errors import Conflict, Forbidden, NotFound


class RoleNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Role")


class RoleBuiltin(Conflict):
    error_code = "role_builtin"
    title = "Built-in role"

    def __init__(self, moniker: str) -> None:
        super().__init__(f"The built-in role {moniker!r} cannot be changed or deleted")


class RoleMonikerTaken(Conflict):
    error_code = "role_moniker_taken"
    title = "Role moniker taken"

    def __init__(self, moniker: str) -> None:
        super().__init__(f"A role with the moniker {moniker!r} already exists")


class PermissionEscalation(Forbidden):
    """Granting a node the caller does not hold would let them exceed their own rights."""

    error_code = "permission_escalation"
    title = "Permission escalation"

    def __init__(self, nodes: Sequence[str]) -> None:
        listed = ", ".join(nodes)
        super().__init__(
            f"You cannot grant permissions you do not hold yourself: {listed}",
            errors={"permissions": [f"Not held by you: {node}" for node in nodes]},
        )


class PermissionCategoryNotFound(NotFound):
    def __init__(self, key: str) -> None:
        super().__init__("Permission category", f'Permission category "{key}" not found')
