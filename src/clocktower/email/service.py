"""Queue an email: one outbox row and its sending job, in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.audit.recorder import record_event
from clocktower.auth.context import AuthContext
from clocktower.config import Settings
from clocktower.email.repository import OutboundEmailRepository
from clocktower.kit.crypto import (
    DecryptionFailed,
    decode_master_key,
    decrypt,
    derive_key,
    encrypt,
)
from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.time import utcnow
from clocktower.models import OutboundEmail
from clocktower.worker import enqueue_job

log = structlog.get_logger("clocktower.email")

_PURPOSE = "outbound-email-body"
_ASSOCIATED = b"outbound_emails.body"


def _key(settings: Settings) -> bytes:
    return derive_key(decode_master_key(settings.master_key.get_secret_value()), _PURPOSE)


def encrypt_body(settings: Settings, body: str) -> bytes:
    return encrypt(_key(settings), body.encode(), _ASSOCIATED)


def decrypt_body(settings: Settings, email: OutboundEmail) -> str:
    return decrypt(_key(settings), email.body_encrypted, _ASSOCIATED).decode()


async def queue_email(
    session: AsyncSession,
    settings: Settings,
    *,
    organization_id: int | None,
    to: str,
    subject: str,
    template: str,
    body: str,
) -> OutboundEmail:
    email = OutboundEmail(
        organization_id=organization_id,
        to_address=to,
        subject=subject,
        template=template,
        body_encrypted=encrypt_body(settings, body),
        status="queued",
        created_at=utcnow(),
    )
    session.add(email)
    await session.flush()
    await enqueue_job(session, "email.send", organization_id=organization_id, email_id=email.id)
    return email


@dataclass(frozen=True)
class OutboxEntry:
    email: OutboundEmail
    # None when the body no longer decrypts (a master key that was replaced, not rotated).
    body: str | None


async def list_emails(
    session: AsyncSession,
    auth: AuthContext,
    settings: Settings,
    params: PageParams,
    *,
    status: str | None = None,
    to: str | None = None,
) -> Page[OutboxEntry]:
    """The organisation's outbox, newest first, bodies decrypted; the read is audited."""
    repository = OutboundEmailRepository(session)
    page = await repository.paginate(repository.listing(auth.org_id, status=status, to=to), params)
    entries = [OutboxEntry(email, _readable_body(settings, email)) for email in page.items]
    if entries:
        # Bodies carry one-time links (invitations): showing them is a read of a secret.
        await record_event(
            session,
            "email.read",
            organization_id=auth.org_id,
            object_type="outbound_email",
            details={"email_ids": [entry.email.id for entry in entries]},
        )
    return Page(items=entries, total=page.total, params=page.params)


def _readable_body(settings: Settings, email: OutboundEmail) -> str | None:
    try:
        return decrypt_body(settings, email)
    except DecryptionFailed:
        log.warning("outbox body does not decrypt", email_id=email.id)
        return None
