"""The email to owners and admins when an endpoint was disabled after repeated failures.

This module sits above the rest of the package: it uses the email outbox and the
project domain's owner-and-admin recipients, which live in layers above `webhook`
(whose events every domain emits). pyproject's import contract lists these two imports
as its only exceptions; nothing else in the package imports a domain.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.config import Settings
from clocktower.email.service import queue_email
from clocktower.project.repository import ProjectRepository
from clocktower.webhook.repository import WebhookEndpointRepository

TEMPLATE = "webhook_disabled"


async def notify_disabled(
    session: AsyncSession, settings: Settings, organization_id: int, endpoint_id: int
) -> int:
    """Queue one email per active internal owner and admin; returns how many."""
    endpoint = await WebhookEndpointRepository(session).get(organization_id, endpoint_id)
    if endpoint is None or endpoint.is_active:
        return 0  # deleted or switched back on since: nothing to announce
    recipients = await ProjectRepository(session).budget_recipients(organization_id)
    subject = f"Webhook disabled: {endpoint.url}"
    for recipient in recipients:
        body = (
            f"Hello {recipient.name},\n\n"
            f"The webhook endpoint {endpoint.url} (id {endpoint.id}) was disabled: "
            f"{endpoint.disabled_reason or 'its deliveries kept failing'}.\n\n"
            "No events are sent to it until it is switched back on "
            f"(PATCH /api/v1/webhooks/{endpoint.id} with is_active true). Its delivery log "
            "shows each attempt's answer; failed deliveries can be sent again with "
            "redeliver.\n\n"
            f"— {settings.app_name}\n"
        )
        await queue_email(
            session,
            settings,
            organization_id=organization_id,
            to=recipient.email,
            subject=subject,
            template=TEMPLATE,
            body=body,
        )
    return len(recipients)
