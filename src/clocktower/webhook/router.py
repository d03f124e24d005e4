"""Outgoing webhook subscriptions and their deliveries over HTTP (S6.5)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import authorized
from clocktower.config import Settings
from clocktower.db import DbSession
from clocktower.errors import error_responses
from clocktower.kit.ids import IdPath
from clocktower.kit.pagination import Pagination, PaginationRead
from clocktower.routing import AppRoute
from clocktower.webhook import service as webhook_service
from clocktower.webhook.errors import (
    WebhookDeliveryNotFound,
    WebhookNotFound,
    WebhookTargetRefused,
)
from clocktower.webhook.events import EVENTS
from clocktower.webhook.schemas import (
    DeliveryStatus,
    EventTypeList,
    EventTypeRead,
    WebhookAnswer,
    WebhookCreate,
    WebhookCreated,
    WebhookDeleted,
    WebhookDeliveryAnswer,
    WebhookDeliveryDetail,
    WebhookDeliveryList,
    WebhookDeliveryQueued,
    WebhookDeliveryRead,
    WebhookList,
    WebhookRead,
    WebhookSecretRotated,
    WebhookUpdate,
)

router = APIRouter(prefix="/webhooks", tags=["webhooks"], route_class=AppRoute)

WebhooksList = Annotated[AuthContext, authorized("webhook.fetch.many")]
WebhooksFetch = Annotated[AuthContext, authorized("webhook.fetch")]
WebhooksCreate = Annotated[AuthContext, authorized("webhook.create")]
WebhooksUpdate = Annotated[AuthContext, authorized("webhook.update")]
WebhooksDelete = Annotated[AuthContext, authorized("webhook.delete")]
WebhooksDeliver = Annotated[AuthContext, authorized("webhook.deliver")]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.get("")
async def list_webhooks(
    auth: WebhooksList, session: DbSession, pagination: Pagination
) -> WebhookList:
    """The organisation's webhook endpoints, oldest first; secrets are never listed."""
    page = await webhook_service.list_webhooks(session, auth, pagination)
    return WebhookList(
        webhooks=[WebhookRead.of(endpoint, auth) for endpoint in page.items],
        pagination=PaginationRead.of(page),
    )


@router.get("/event-types")
async def list_event_types(auth: WebhooksList) -> EventTypeList:
    """The events an endpoint can subscribe to (`event_types`), with what each means."""
    return EventTypeList(
        event_types=[EventTypeRead(name=name, description=text) for name, text in EVENTS.items()]
    )


@router.post("", status_code=201, responses=error_responses(WebhookTargetRefused))
async def create_webhook(
    data: WebhookCreate, auth: WebhooksCreate, session: DbSession, request: Request
) -> WebhookCreated:
    """Subscribe a URL to events. The answer holds the signing secret, shown this once.
    The URL must be https (outside development) and reach a public address, unless the
    organisation allows private targets."""
    created = await webhook_service.create_webhook(session, auth, _settings(request), data)
    return WebhookCreated(
        message="Webhook created",
        webhook=WebhookRead.of(created.endpoint, auth),
        secret=created.secret,
    )


@router.get("/{webhook_id}", responses=error_responses(WebhookNotFound))
async def get_webhook(webhook_id: IdPath, auth: WebhooksFetch, session: DbSession) -> WebhookAnswer:
    """One endpoint, without its secret."""
    endpoint = await webhook_service.get_webhook(session, auth, webhook_id)
    return WebhookAnswer(webhook=WebhookRead.of(endpoint, auth))


_UPDATE_ERRORS = error_responses(WebhookNotFound, WebhookTargetRefused)


async def _update(
    webhook_id: int, data: WebhookUpdate, auth: AuthContext, session: DbSession, request: Request
) -> WebhookAnswer:
    endpoint = await webhook_service.update_webhook(
        session, auth, _settings(request), webhook_id, data
    )
    return WebhookAnswer(webhook=WebhookRead.of(endpoint, auth))


@router.put("/{webhook_id}", responses=_UPDATE_ERRORS)
async def update_webhook(
    webhook_id: IdPath,
    data: WebhookUpdate,
    auth: WebhooksUpdate,
    session: DbSession,
    request: Request,
) -> WebhookAnswer:
    """Change the fields sent. Switching a disabled endpoint back on (`is_active: true`)
    clears its disabled mark and failure count."""
    return await _update(webhook_id, data, auth, session, request)


@router.patch("/{webhook_id}", responses=_UPDATE_ERRORS)
async def patch_webhook(
    webhook_id: IdPath,
    data: WebhookUpdate,
    auth: WebhooksUpdate,
    session: DbSession,
    request: Request,
) -> WebhookAnswer:
    """The same partial update as PUT."""
    return await _update(webhook_id, data, auth, session, request)


@router.delete("/{webhook_id}", responses=error_responses(WebhookNotFound))
async def delete_webhook(
    webhook_id: IdPath, auth: WebhooksDelete, session: DbSession
) -> WebhookDeleted:
    """Delete the endpoint and its delivery log; queued attempts are dropped."""
    await webhook_service.delete_webhook(session, auth, webhook_id)
    return WebhookDeleted(message="Webhook deleted")


@router.post("/{webhook_id}/rotate-secret", responses=error_responses(WebhookNotFound))
async def rotate_secret(
    webhook_id: IdPath, auth: WebhooksUpdate, session: DbSession, request: Request
) -> WebhookSecretRotated:
    """A new signing secret, shown this once; the old one stops signing immediately."""
    secret = await webhook_service.rotate_secret(session, auth, _settings(request), webhook_id)
    return WebhookSecretRotated(message="Signing secret rotated", secret=secret)


@router.post("/{webhook_id}/test", status_code=202, responses=error_responses(WebhookNotFound))
async def send_test(
    webhook_id: IdPath, auth: WebhooksDeliver, session: DbSession
) -> WebhookDeliveryQueued:
    """Queue a `webhook.test` ping to this endpoint (even a disabled one); follow it in
    the delivery log."""
    delivery = await webhook_service.send_test(session, auth, webhook_id)
    return WebhookDeliveryQueued(
        message="Test ping queued", delivery=WebhookDeliveryDetail.of(delivery, auth)
    )


@router.get("/{webhook_id}/deliveries", responses=error_responses(WebhookNotFound))
async def list_deliveries(
    webhook_id: IdPath,
    auth: WebhooksFetch,
    session: DbSession,
    pagination: Pagination,
    status: Annotated[
        DeliveryStatus | None, Query(description="Only deliveries in this status")
    ] = None,
) -> WebhookDeliveryList:
    """The endpoint's delivery log, newest first: status, attempts, the last answer's
    status code, duration and body excerpt, the next retry."""
    page = await webhook_service.list_deliveries(
        session, auth, webhook_id, pagination, status=status
    )
    return WebhookDeliveryList(
        deliveries=[WebhookDeliveryRead.of(delivery, auth) for delivery in page.items],
        pagination=PaginationRead.of(page),
    )


@router.get(
    "/{webhook_id}/deliveries/{delivery_id}",
    responses=error_responses(WebhookNotFound, WebhookDeliveryNotFound),
)
async def get_delivery(
    webhook_id: IdPath, delivery_id: IdPath, auth: WebhooksFetch, session: DbSession
) -> WebhookDeliveryAnswer:
    """One delivery with the JSON body it sends."""
    delivery = await webhook_service.get_delivery(session, auth, webhook_id, delivery_id)
    return WebhookDeliveryAnswer(delivery=WebhookDeliveryDetail.of(delivery, auth))


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    status_code=202,
    responses=error_responses(WebhookDeliveryNotFound),
)
async def redeliver(
    webhook_id: IdPath, delivery_id: IdPath, auth: WebhooksDeliver, session: DbSession
) -> WebhookDeliveryQueued:
    """Send the delivery again now, with the same `webhook-id` so receivers can dedupe."""
    delivery = await webhook_service.redeliver(session, auth, webhook_id, delivery_id)
    return WebhookDeliveryQueued(
        message="Redelivery queued", delivery=WebhookDeliveryDetail.of(delivery, auth)
    )
