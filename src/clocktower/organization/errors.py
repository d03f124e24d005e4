"""Organisation and membership errors."""

from __future__ import annotations

from clocktower.errors import Conflict, Forbidden, NotFound


class OrganizationNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Organization")


class MemberNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Member")


class LastOwner(Conflict):
    error_code = "last_owner"
    title = "Last owner"


class OwnerOnly(Forbidden):
    error_code = "owner_only"
    title = "Owner only"
