"""Team and invitation errors (members themselves: organization.errors)."""

from __future__ import annotations

from clocktower.errors import AppError, Conflict, Forbidden, NotFound


class InvitationNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Invitation")


class InvitationExpired(AppError):
    status_code = 410
    error_code = "invitation_expired"
    title = "Invitation expired"


class InvitationPending(Conflict):
    error_code = "invitation_pending"
    title = "Invitation pending"


class InvitationAccepted(Conflict):
    error_code = "invitation_accepted"
    title = "Invitation already accepted"


class InvitationRevoked(Conflict):
    error_code = "invitation_revoked"
    title = "Invitation revoked"


class AlreadyMember(Conflict):
    error_code = "already_member"
    title = "Already a member"


class InvitationEmailMismatch(Forbidden):
    error_code = "invitation_email_mismatch"
    title = "Invitation for another email"


class SignInRequired(Forbidden):
    """Invitations are accepted by a person (signed in, or creating an account), not a token."""

    error_code = "sign_in_required"
    title = "Sign-in required"
