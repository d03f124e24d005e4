"""Queue an email: one outbox row and its sending job, in the caller's transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.config import Settings
from clocktower.kit.crypto import decode_master_key, decrypt, derive_key, encrypt
from clocktower.kit.time import utcnow
from clocktower.models import OutboundEmail
from clocktower.worker import enqueue_job

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
