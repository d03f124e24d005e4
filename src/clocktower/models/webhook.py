"""Outgoing webhooks (S6.5): subscriptions (endpoints) and the delivery log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from clocktower.models.base import Base, BigId, IdMixin, TenantMixin, TimestampMixin


class WebhookEndpoint(IdMixin, TimestampMixin, TenantMixin, Base):
    """A subscriber: where events go, which events, and the signing secret (encrypted
    with a key derived from the master key; shown once, at creation)."""

    __tablename__ = "webhook_endpoints"
    __secret_columns__ = frozenset({"secret_encrypted"})

    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(String(500))
    # Event names of webhook.events.EVENTS; an empty list means every event.
    event_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    secret_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Set when deliveries kept failing and the endpoint was switched off automatically.
    disabled_at: Mapped[datetime | None] = mapped_column()
    disabled_reason: Mapped[str | None] = mapped_column(String(500))
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )


class WebhookDelivery(IdMixin, TenantMixin, Base):
    """One event to one endpoint: every attempt updates it; `message_id` is the
    Standard Webhooks `webhook-id`, the same on every retry and redelivery."""

    __tablename__ = "webhook_deliveries"
    __audited__ = False
    __table_args__ = (
        Index("ix_webhook_deliveries_endpoint_created", "endpoint_id", "created_at"),
        Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),
    )

    endpoint_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    event: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(64), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # pending | succeeded | failed (will retry) | dead (gave up)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    last_attempt_at: Mapped[datetime | None] = mapped_column()
    response_status: Mapped[int | None] = mapped_column()
    response_ms: Mapped[int | None] = mapped_column()
    response_excerpt: Mapped[str | None] = mapped_column(String(1000))
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column()
