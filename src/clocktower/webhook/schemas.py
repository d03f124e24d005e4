"""Webhook requests and answers: subscriptions (endpoints) and their delivery log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from clocktower.auth.gating import GatedModel
from clocktower.kit.pagination import PaginationRead
from clocktower.kit.validation import non_nullable
from clocktower.webhook.events import EVENTS
from clocktower.webhook.targets import TargetRefused, parse_url

DeliveryStatus = Literal["pending", "succeeded", "failed", "dead"]
Url = Annotated[str, Field(min_length=1, max_length=2000, examples=["https://example.com/hooks"])]
Description = Annotated[str, Field(max_length=500)]
EventTypes = Annotated[
    list[str],
    Field(
        max_length=len(EVENTS),
        description="Event names to receive (see the guide); an empty list means every event",
    ),
]


class _Request(BaseModel):
    # Requests refuse unknown fields: a typo is an error, not a silent no-op.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("url", check_fields=False)
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                parse_url(value)
            except TargetRefused as error:
                raise ValueError(str(error)) from error
        return value

    @field_validator("event_types", check_fields=False)
    @classmethod
    def _event_types(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        unknown = [event for event in value if event not in EVENTS]
        if unknown:
            raise ValueError(f"unknown event {unknown[0]!r}; known: {', '.join(EVENTS)}")
        return list(dict.fromkeys(value))


class WebhookCreate(_Request):
    url: Url
    description: Description | None = None
    event_types: EventTypes = Field(default_factory=list)
    is_active: bool = True


class WebhookUpdate(_Request):
    """PUT and PATCH alike: only the fields sent change; null clears the description."""

    url: Url | None = None
    description: Description | None = None
    event_types: EventTypes | None = None
    is_active: bool | None = None

    _not_null = non_nullable("url", "event_types", "is_active")


class WebhookRead(GatedModel):
    object_type = "webhook"

    id: int
    url: str
    description: str | None
    event_types: list[str]
    is_active: bool
    disabled_at: datetime | None
    disabled_reason: str | None
    consecutive_failures: int
    created_at: datetime
    updated_at: datetime


class WebhookAnswer(BaseModel):
    webhook: WebhookRead


class WebhookList(BaseModel):
    webhooks: list[WebhookRead]
    pagination: PaginationRead


class WebhookCreated(BaseModel):
    message: str
    webhook: WebhookRead
    secret: str = Field(
        description="The signing secret (`whsec_…`); shown in this answer only",
        examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    )


class WebhookSecretRotated(BaseModel):
    message: str
    secret: str = Field(description="The new signing secret; the old one stops working now")


class WebhookDeleted(BaseModel):
    message: str


class EventTypeRead(BaseModel):
    name: str
    description: str


class EventTypeList(BaseModel):
    event_types: list[EventTypeRead]


class WebhookDeliveryRead(GatedModel):
    object_type = "webhook_delivery"

    id: int
    endpoint_id: int
    event: str
    message_id: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    response_status: int | None
    response_ms: int | None
    response_excerpt: str | None
    last_error: str | None
    created_at: datetime


class WebhookDeliveryDetail(WebhookDeliveryRead):
    payload: dict[str, Any] = Field(description="The JSON body sent: type, timestamp and data")


class WebhookDeliveryList(BaseModel):
    deliveries: list[WebhookDeliveryRead]
    pagination: PaginationRead


class WebhookDeliveryAnswer(BaseModel):
    delivery: WebhookDeliveryDetail


class WebhookDeliveryQueued(BaseModel):
    message: str
    delivery: WebhookDeliveryDetail
