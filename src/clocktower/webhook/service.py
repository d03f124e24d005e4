"""Webhook use cases: subscriptions (CRUD, secret rotation), their delivery log,
redelivery and the test ping."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.config import Settings
from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.time import utcnow
from clocktower.models import Organization, WebhookDelivery, WebhookEndpoint
from clocktower.webhook.delivery import event_body, new_message_id, queue_attempt
from clocktower.webhook.errors import (
    WebhookDeliveryNotFound,
    WebhookNotFound,
    WebhookTargetRefused,
)
from clocktower.webhook.events import TEST_EVENT
from clocktower.webhook.repository import WebhookDeliveryRepository, WebhookEndpointRepository
from clocktower.webhook.schemas import WebhookCreate, WebhookUpdate
from clocktower.webhook.signing import encrypt_secret, generate_secret
from clocktower.webhook.targets import TargetPolicy, TargetRefused, resolve_target


@dataclass(frozen=True)
class CreatedWebhook:
    endpoint: WebhookEndpoint
    secret: str


async def list_webhooks(
    session: AsyncSession, auth: AuthContext, params: PageParams
) -> Page[WebhookEndpoint]:
    repository = WebhookEndpointRepository(session)
    return await repository.paginate(repository.listing(auth.org_id), params)


async def get_webhook(session: AsyncSession, auth: AuthContext, webhook_id: int) -> WebhookEndpoint:
    endpoint = await WebhookEndpointRepository(session).get(auth.org_id, webhook_id)
    if endpoint is None:
        raise WebhookNotFound()
    return endpoint


async def create_webhook(
    session: AsyncSession, auth: AuthContext, settings: Settings, data: WebhookCreate
) -> CreatedWebhook:
    await _check_target(session, auth, settings, data.url)
    secret = generate_secret()
    endpoint = WebhookEndpoint(
        organization_id=auth.org_id,
        url=data.url,
        description=data.description,
        event_types=data.event_types,
        is_active=data.is_active,
        consecutive_failures=0,
        secret_encrypted=encrypt_secret(settings, auth.org_id, secret),
        created_by_id=auth.user_id,
    )
    session.add(endpoint)
    await session.flush()
    return CreatedWebhook(endpoint, secret)


async def update_webhook(
    session: AsyncSession,
    auth: AuthContext,
    settings: Settings,
    webhook_id: int,
    data: WebhookUpdate,
) -> WebhookEndpoint:
    endpoint = await get_webhook(session, auth, webhook_id)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    if "url" in changes:
        await _check_target(session, auth, settings, changes["url"])
    if changes.get("is_active") and not endpoint.is_active:
        # Switched back on: a fresh start, whatever switched it off.
        endpoint.disabled_at = None
        endpoint.disabled_reason = None
        endpoint.consecutive_failures = 0
    for field, value in changes.items():
        setattr(endpoint, field, value)
    await session.flush()
    return endpoint


async def delete_webhook(session: AsyncSession, auth: AuthContext, webhook_id: int) -> None:
    """The endpoint and its delivery log; attempts still queued find nothing and stop."""
    endpoint = await get_webhook(session, auth, webhook_id)
    await session.delete(endpoint)
    await session.flush()


async def rotate_secret(
    session: AsyncSession, auth: AuthContext, settings: Settings, webhook_id: int
) -> str:
    """A new signing secret, effective for every attempt from now on."""
    endpoint = await get_webhook(session, auth, webhook_id)
    secret = generate_secret()
    endpoint.secret_encrypted = encrypt_secret(settings, auth.org_id, secret)
    await session.flush()
    return secret


async def list_deliveries(
    session: AsyncSession,
    auth: AuthContext,
    webhook_id: int,
    params: PageParams,
    *,
    status: str | None = None,
) -> Page[WebhookDelivery]:
    endpoint = await get_webhook(session, auth, webhook_id)
    repository = WebhookDeliveryRepository(session)
    return await repository.paginate(
        repository.listing(auth.org_id, endpoint.id, status=status), params
    )


async def get_delivery(
    session: AsyncSession, auth: AuthContext, webhook_id: int, delivery_id: int
) -> WebhookDelivery:
    delivery = await WebhookDeliveryRepository(session).of_endpoint(
        auth.org_id, webhook_id, delivery_id
    )
    if delivery is None:
        raise WebhookDeliveryNotFound()
    return delivery


async def redeliver(
    session: AsyncSession, auth: AuthContext, webhook_id: int, delivery_id: int
) -> WebhookDelivery:
    """A new attempt now, with the same message id (receivers dedupe on it); a disabled
    endpoint gets it too: the request is explicit."""
    delivery = await get_delivery(session, auth, webhook_id, delivery_id)
    now = utcnow()
    delivery.status = "pending"
    delivery.next_attempt_at = now
    await queue_attempt(session, delivery, run_at=now, manual=True)
    await session.flush()
    return delivery


async def send_test(session: AsyncSession, auth: AuthContext, webhook_id: int) -> WebhookDelivery:
    """A `webhook.test` ping to this endpoint, delivered (and retried) like any event."""
    endpoint = await get_webhook(session, auth, webhook_id)
    now = utcnow()
    delivery = WebhookDelivery(
        organization_id=auth.org_id,
        endpoint_id=endpoint.id,
        event=TEST_EVENT,
        message_id=new_message_id(),
        payload=event_body(
            TEST_EVENT,
            now.isoformat(),
            {"webhook_id": endpoint.id, "message": "Test ping from Clocktower"},
        ),
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(delivery)
    await session.flush()
    await queue_attempt(session, delivery, run_at=now, manual=True)
    return delivery


async def _check_target(
    session: AsyncSession, auth: AuthContext, settings: Settings, url: str
) -> None:
    organization = await session.get(Organization, auth.org_id)
    assert organization is not None  # the caller's own, resolved by authentication
    try:
        await resolve_target(url, TargetPolicy.of(settings, organization))
    except TargetRefused as refused:
        raise WebhookTargetRefused(str(refused)) from refused
