"""Project errors."""

from __future__ import annotations

from clocktower.errors import Conflict, NotFound


class ProjectNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Project")


class ProjectNameTaken(Conflict):
    error_code = "project_name_taken"
    title = "Project name taken"

    def __init__(self, name: str) -> None:
        super().__init__(
            f"A project named {name!r} already exists for this client",
            errors={"name": ["A project with this name already exists for this client"]},
        )


class ProjectInUse(Conflict):
    """A permanent delete of a project that other records still point at."""

    error_code = "project_in_use"
    title = "Project in use"

    def __init__(self, usages: dict[str, int]) -> None:
        named = ", ".join(f"{count} {what}" for what, count in usages.items())
        super().__init__(
            f"The project is still referenced by {named}; archive it instead",
            usages=usages,
        )
