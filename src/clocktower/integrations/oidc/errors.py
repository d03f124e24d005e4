"""Single sign-on errors."""

from __future__ import annotations

from clocktower.errors import AppError, BadRequest, Forbidden, NotFound


class SsoProviderNotFound(NotFound):
    error_code = "sso_provider_not_found"
    title = "SSO provider not found"

    def __init__(self, key: str) -> None:
        super().__init__("SSO provider", f"No single sign-on provider is configured as {key!r}")


class SsoStateInvalid(BadRequest):
    error_code = "sso_state_invalid"
    title = "Invalid sign-in state"

    def __init__(self) -> None:
        super().__init__(
            "This sign-in link is unknown, already used or expired; start the sign-in again"
        )


class SsoSignInDenied(BadRequest):
    """The provider came back with an error instead of a code (the user cancelled...)."""

    error_code = "sso_sign_in_denied"
    title = "Sign-in denied"
    keeps_changes = True

    def __init__(self, provider_name: str, reason: str | None) -> None:
        detail = f" ({reason[:60]})" if reason else ""
        super().__init__(f"{provider_name} did not complete the sign-in{detail}; try again")


class SsoUserNotAllowed(Forbidden):
    """The provider vouched for someone this installation does not let in.

    The sign-in state stays spent: it was single use whatever the outcome.
    """

    error_code = "sso_user_not_allowed"
    title = "Sign-in not allowed"
    keeps_changes = True


class SsoProviderError(AppError):
    """The provider could not be reached or answered something unusable (never a 500).

    The sign-in state stays spent: the authorisation code is gone either way.
    """

    status_code = 502
    error_code = "sso_provider_error"
    title = "Identity provider error"
    keeps_changes = True
