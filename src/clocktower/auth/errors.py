"""Errors of authentication and organisation context."""

from __future__ import annotations

from clocktower.errors import Forbidden


class NotAMember(Forbidden):
    error_code = "not_a_member"
    title = "Not a member"


class NoOrganization(Forbidden):
    error_code = "no_organization"
    title = "No organisation"
