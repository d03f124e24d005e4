"""Every ORM model, one module per table family."""

from clocktower.models.api_token import ApiToken
from clocktower.models.audit import AuditLog
from clocktower.models.base import Base
from clocktower.models.billing import (
    AccountingPush,
    DocumentSequence,
    Invoice,
    InvoiceLine,
    ProjectUserRate,
    Quote,
    QuoteItem,
    TimeBill,
)
from clocktower.models.client import Client, ClientContact, Lead, LeadForm
from clocktower.models.email import OutboundEmail
from clocktower.models.focus import ClientFocus
from clocktower.models.idempotency import IdempotencyKey
from clocktower.models.inventory import StockItem, StockLevel, StockMovement, Warehouse
from clocktower.models.job import Job
from clocktower.models.organization import (
    Invitation,
    Membership,
    MembershipRole,
    Organization,
    OrganizationLogo,
    Role,
)
from clocktower.models.project import Project, Task
from clocktower.models.sso import SsoIdentity, SsoLoginState
from clocktower.models.sync import SyncChange, SyncCounter, SyncPush
from clocktower.models.time_entry import FocusSession, TimeEntry, TimeEntrySyncState
from clocktower.models.user import AuthSession, PasswordResetToken, RefreshToken, User
from clocktower.models.webhook import WebhookDelivery, WebhookEndpoint

__all__ = [
    "AccountingPush",
    "ApiToken",
    "AuditLog",
    "AuthSession",
    "Base",
    "Client",
    "ClientContact",
    "ClientFocus",
    "DocumentSequence",
    "FocusSession",
    "IdempotencyKey",
    "Invitation",
    "Invoice",
    "InvoiceLine",
    "Job",
    "Lead",
    "LeadForm",
    "Membership",
    "MembershipRole",
    "Organization",
    "OrganizationLogo",
    "OutboundEmail",
    "PasswordResetToken",
    "Project",
    "ProjectUserRate",
    "Quote",
    "QuoteItem",
    "RefreshToken",
    "Role",
    "SsoIdentity",
    "SsoLoginState",
    "StockItem",
    "StockLevel",
    "StockMovement",
    "SyncChange",
    "SyncCounter",
    "SyncPush",
    "Task",
    "TimeBill",
    "TimeEntry",
    "TimeEntrySyncState",
    "User",
    "Warehouse",
    "WebhookDelivery",
    "WebhookEndpoint",
]
