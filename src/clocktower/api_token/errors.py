"""API token errors."""

from __future__ import annotations

from clocktower.errors import BadRequest, Forbidden, NotFound


class ApiTokenNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("API token")


class UnknownScopes(BadRequest):
    error_code = "unknown_scopes"
    title = "Unknown scopes"

    def __init__(self, unknown: list[str]) -> None:
        message = "Unknown scopes: " + ", ".join(unknown)
        super().__init__(message, errors={"scopes": [message]}, unknown_scopes=unknown)


class ApiTokenUserOutranksCaller(Forbidden):
    """Whoever holds a token acts as its user: a token for a stronger member is an escalation."""

    error_code = "api_token_user_outranks_caller"
    title = "Token user has more permissions than you"
