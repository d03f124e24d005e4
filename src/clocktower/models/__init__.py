"""Every ORM model, one module per table family."""

from clocktower.models.api_token import ApiToken
from clocktower.models.audit import AuditLog
from clocktower.models.base import Base
from clocktower.models.email import OutboundEmail
from clocktower.models.idempotency import IdempotencyKey
from clocktower.models.job import Job
from clocktower.models.organization import (
    Invitation,
    Membership,
    MembershipRole,
    Organization,
    Role,
)
from clocktower.models.sso import SsoIdentity, SsoLoginState
from clocktower.models.user import AuthSession, PasswordResetToken, RefreshToken, User

__all__ = [
    "ApiToken",
    "AuditLog",
    "AuthSession",
    "Base",
    "IdempotencyKey",
    "Invitation",
    "Job",
    "Membership",
    "MembershipRole",
    "Organization",
    "OutboundEmail",
    "PasswordResetToken",
    "RefreshToken",
    "Role",
    "SsoIdentity",
    "SsoLoginState",
    "User",
]
