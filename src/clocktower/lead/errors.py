"""Lead and lead-form errors."""

from __future__ import annotations

from clocktower.errors import Conflict, NotFound


class LeadNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Lead")


class LeadFormNotFound(NotFound):
    error_code = "lead_form_not_found"

    def __init__(self) -> None:
        super().__init__("Lead form")


class LeadAlreadyConverted(Conflict):
    error_code = "lead_already_converted"
    title = "Lead already converted"

    def __init__(self) -> None:
        super().__init__("This lead was already converted to a client")
