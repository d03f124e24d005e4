"""Webhook errors."""

from __future__ import annotations

from clocktower.errors import NotFound, ValidationFailed


class WebhookNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Webhook")


class WebhookDeliveryNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Webhook delivery")


class WebhookTargetRefused(ValidationFailed):
    """A URL that is not https (outside development) or reaches a non-public address."""

    error_code = "webhook_target_refused"
    title = "Webhook target refused"

    def __init__(self, reason: str) -> None:
        super().__init__({"url": [reason]}, message=reason)
