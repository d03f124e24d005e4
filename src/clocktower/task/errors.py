"""Task errors."""

from __future__ import annotations

from clocktower.errors import Conflict, Forbidden, NotFound


class TaskNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Task")


class TaskExternalRefTaken(Conflict):
    error_code = "task_external_ref_taken"
    title = "External reference taken"

    def __init__(self, external_ref: str) -> None:
        message = f"Another task of this organisation already has external_ref {external_ref!r}"
        super().__init__(message, errors={"external_ref": [message]})


class TaskInUse(Conflict):
    """Rows that keep a task (time entries, later) must go first: history is not lost."""

    error_code = "task_in_use"
    title = "Task in use"

    def __init__(self, dependents: list[str]) -> None:
        super().__init__(
            "The task still has " + ", ".join(dependents) + " and cannot be deleted",
            dependents=dependents,
        )


class TaskInternalOnly(Forbidden):
    """Customer (client-portal) members read their client's tasks and nothing more."""

    error_code = "task_internal_only"
    title = "Internal members only"

    def __init__(self) -> None:
        super().__init__("Only internal members of the organisation can do this")
