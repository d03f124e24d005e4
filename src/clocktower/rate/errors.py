"""Rate errors."""

from __future__ import annotations

from clocktower.errors import NotFound


class ProjectUserRateNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Project rate", "This person has no rate of their own on this project")
