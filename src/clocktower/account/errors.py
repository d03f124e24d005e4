"""Account errors."""

from __future__ import annotations

from clocktower.errors import BadRequest, Conflict, Forbidden, Unauthorized


class EmailTaken(Conflict):
    error_code = "email_taken"
    title = "Email already registered"


class UsernameTaken(Conflict):
    error_code = "username_taken"
    title = "Username taken"


class InvalidCredentials(Unauthorized):
    error_code = "invalid_credentials"
    title = "Invalid credentials"


class RefreshTokenInvalid(Unauthorized):
    error_code = "invalid_refresh_token"
    title = "Invalid refresh token"


class RefreshTokenReused(Unauthorized):
    """A spent refresh token came back: the whole sign-in is revoked, and that sticks."""

    error_code = "refresh_token_reused"
    title = "Refresh token reused"
    keeps_changes = True


class RegistrationClosed(Forbidden):
    error_code = "registration_closed"
    title = "Registration closed"


class ResetTokenInvalid(BadRequest):
    error_code = "invalid_reset_token"
    title = "Invalid reset token"


class CurrentPasswordIncorrect(BadRequest):
    """A wrong current password is a 400, not a 401: the caller's sign-in is still valid."""

    error_code = "current_password_incorrect"
    title = "Current password incorrect"

    def __init__(self, message: str = "The current password is incorrect") -> None:
        super().__init__(message, errors={"current_password": [message]})
