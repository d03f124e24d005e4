"""email.send: SMTP when configured, otherwise the message stays in the outbox (logged)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Any

import structlog
from starlette.concurrency import run_in_threadpool

from clocktower.config import Settings
from clocktower.email.service import decrypt_body
from clocktower.kit.time import utcnow
from clocktower.models import OutboundEmail
from clocktower.worker import JobContext, job

log = structlog.get_logger("clocktower.email")


def _send_smtp(settings: Settings, message: EmailMessage) -> None:
    assert settings.smtp_host
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username and settings.smtp_password:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        smtp.send_message(message)


@job("email.send", max_attempts=6)
async def send_email(context: JobContext, payload: dict[str, Any]) -> None:
    email = await context.session.get(OutboundEmail, int(payload["email_id"]))
    if email is None or email.status in ("sent", "logged"):
        return  # already handled: delivery is at least once
    settings = context.settings
    if not settings.smtp_host:
        # No SMTP: the outbox row is the delivery. The body holds one-time links, so
        # the log names the message but never prints it.
        log.info(
            "email kept in outbox (no SMTP configured)",
            email_id=email.id,
            to=email.to_address,
            subject=email.subject,
        )
        email.status = "logged"
        email.sent_at = utcnow()
        return
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message.set_content(decrypt_body(settings, email))
    await run_in_threadpool(_send_smtp, settings, message)
    email.status = "sent"
    email.sent_at = utcnow()
    log.info("email sent", email_id=email.id, to=email.to_address)
