"""Delivering events: fan-out to subscriptions, one signed POST per attempt, retries.

- Fan-out (`webhook.fan_out`) writes one delivery per active matching endpoint (one
  SELECT, one INSERT) and one `webhook.deliver` job per delivery (one INSERT). Every
  delivery of one event shares its `message_id` (`msg_<uuid>`), the Standard Webhooks
  `webhook-id`, which never changes across retries and redeliveries: receivers dedupe
  on it, since delivery is at least once.
- An attempt is a job. A 2xx answer succeeds; anything else (another status, a
  redirect, a timeout, a refused target) fails the attempt, and the next one is queued
  as a new job after RETRY_DELAYS: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (eight
  attempts over about 27 h), after which the delivery is `dead`.
- Each job carries the attempt count it expects; a stale job (a redelivery already ran
  that attempt) does nothing. An attempt reads what to send in one short transaction,
  POSTs with no transaction open (a slow receiver never holds a database lock, SQLite's
  single writer lock above all), and records the answer in another, under the delivery
  row's lock: if two jobs raced for the same attempt, only the first answer is recorded
  (the receiver may see the message twice and dedupes on `webhook-id`).
- `consecutive_failures` counts the endpoint's failed attempts since its last success.
  When a delivery dies with that count at DISABLE_AFTER_FAILURES or more (the endpoint
  kept failing for a whole schedule), the endpoint is disabled and its organisation's
  owners and admins are emailed (`webhook.notify_disabled`).
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.config import Settings
from clocktower.db import Database
from clocktower.kit.crypto import DecryptionFailed
from clocktower.kit.http import http_client
from clocktower.kit.time import utcnow
from clocktower.models import Organization, WebhookDelivery, WebhookEndpoint
from clocktower.webhook.events import queue_jobs
from clocktower.webhook.repository import WebhookDeliveryRepository, WebhookEndpointRepository
from clocktower.webhook.signing import decrypt_secret, sign
from clocktower.webhook.targets import TargetPolicy, TargetRefused, resolve_target
from clocktower.worker import enqueue_job

log = structlog.get_logger("clocktower.webhook")

DELIVER_JOB = "webhook.deliver"
NOTIFY_DISABLED_JOB = "webhook.notify_disabled"
RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
DISABLE_AFTER_FAILURES = MAX_ATTEMPTS
EXCERPT_CHARS = 1000
# Read at most this much of an answer: the log keeps an excerpt, not the whole body.
_READ_BYTES = 4 * EXCERPT_CHARS
_ERROR_CHARS = 500


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def event_body(event: str, occurred_at: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": event, "timestamp": occurred_at, "data": data}


async def fan_out(
    session: AsyncSession, organization_id: int, event: str, occurred_at: str, data: dict[str, Any]
) -> int:
    """A delivery and its first attempt's job per subscriber; returns how many."""
    endpoint_ids = await WebhookEndpointRepository(session).subscribers(organization_id, event)
    if not endpoint_ids:
        return 0
    now = utcnow()
    message_id = new_message_id()
    payload = event_body(event, occurred_at, data)
    delivery_ids = await WebhookDeliveryRepository(session).add_many(
        [
            {
                "organization_id": organization_id,
                "endpoint_id": endpoint_id,
                "event": event,
                "message_id": message_id,
                "payload": payload,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for endpoint_id in endpoint_ids
        ]
    )
    await queue_jobs(
        session,
        DELIVER_JOB,
        organization_id,
        [{"delivery_id": id_, "attempts": 0} for id_ in delivery_ids],
        run_at=now,
    )
    return len(delivery_ids)


async def queue_attempt(
    session: AsyncSession, delivery: WebhookDelivery, *, run_at: datetime, manual: bool = False
) -> None:
    """The job of the delivery's next attempt; `manual` attempts reach disabled endpoints."""
    await enqueue_job(
        session,
        DELIVER_JOB,
        organization_id=delivery.organization_id,
        run_at=run_at,
        delivery_id=delivery.id,
        attempts=delivery.attempts,
        manual=manual,
    )


@dataclass(frozen=True)
class Outcome:
    status_code: int | None = None
    duration_ms: int | None = None
    excerpt: str | None = None
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass(frozen=True)
class Attempt:
    """What one attempt sends, read in a short transaction before the network call."""

    url: str
    policy: TargetPolicy
    message_id: str
    body: bytes
    secret: str | None


async def attempt_delivery(
    database: Database,
    settings: Settings,
    organization_id: int,
    delivery_id: int,
    *,
    expected_attempts: int,
    manual: bool = False,
) -> Outcome | None:
    """Run one attempt and record it; None when there was nothing (left) to do. No
    transaction is open during the HTTP call: it is read in one and recorded in another,
    so a slow receiver never holds a database lock (SQLite's writer lock above all)."""
    async with database.transaction() as session:
        attempt = await _prepare(session, settings, organization_id, delivery_id, manual=manual)
        if attempt is None or attempt[1] != expected_attempts:
            return None  # deleted with its endpoint, or a stale job: that attempt already ran
    now = utcnow()
    outcome = await _send(attempt[0], now)
    async with database.transaction() as session:
        return await _record(session, organization_id, delivery_id, expected_attempts, outcome, now)


async def _prepare(
    session: AsyncSession,
    settings: Settings,
    organization_id: int,
    delivery_id: int,
    *,
    manual: bool,
) -> tuple[Attempt, int] | None:
    delivery = await WebhookDeliveryRepository(session).locked(organization_id, delivery_id)
    if delivery is None:
        return None
    endpoint = await WebhookEndpointRepository(session).get(organization_id, delivery.endpoint_id)
    organization = await session.get(Organization, organization_id)
    if endpoint is None or organization is None:
        return None
    if not endpoint.is_active and not manual:
        delivery.status = "dead"
        delivery.next_attempt_at = None
        delivery.last_error = "The endpoint is disabled"
        await session.flush()
        return None
    try:
        secret: str | None = decrypt_secret(
            settings, endpoint.organization_id, endpoint.secret_encrypted
        )
    except DecryptionFailed:
        secret = None
    attempt = Attempt(
        url=endpoint.url,
        policy=TargetPolicy.of(settings, organization),
        message_id=delivery.message_id,
        body=json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode(),
        secret=secret,
    )
    return attempt, delivery.attempts


async def _record(
    session: AsyncSession,
    organization_id: int,
    delivery_id: int,
    expected_attempts: int,
    outcome: Outcome,
    now: datetime,
) -> Outcome | None:
    delivery = await WebhookDeliveryRepository(session).locked(organization_id, delivery_id)
    if delivery is None or delivery.attempts != expected_attempts:
        return None  # deleted meanwhile, or another runner recorded this attempt
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.response_status = outcome.status_code
    delivery.response_ms = outcome.duration_ms
    delivery.response_excerpt = outcome.excerpt
    delivery.last_error = outcome.error
    endpoint = await WebhookEndpointRepository(session).locked(
        organization_id, delivery.endpoint_id
    )
    assert endpoint is not None  # its delivery row, locked above, cascades from it
    if outcome.succeeded:
        delivery.status = "succeeded"
        delivery.next_attempt_at = None
        endpoint.consecutive_failures = 0
    else:
        endpoint.consecutive_failures += 1
        await _failed(session, endpoint, delivery, now)
    await session.flush()
    log.info(
        "webhook attempt",
        delivery_id=delivery.id,
        endpoint_id=endpoint.id,
        message_id=delivery.message_id,
        attempt=delivery.attempts,
        status=delivery.status,
        response_status=outcome.status_code,
    )
    return outcome


async def _failed(
    session: AsyncSession, endpoint: WebhookEndpoint, delivery: WebhookDelivery, now: datetime
) -> None:
    if delivery.attempts < MAX_ATTEMPTS:
        delivery.status = "failed"
        delivery.next_attempt_at = now + RETRY_DELAYS[delivery.attempts - 1]
        await queue_attempt(session, delivery, run_at=delivery.next_attempt_at)
        return
    delivery.status = "dead"
    delivery.next_attempt_at = None
    if endpoint.is_active and endpoint.consecutive_failures >= DISABLE_AFTER_FAILURES:
        endpoint.is_active = False
        endpoint.disabled_at = now
        endpoint.disabled_reason = (
            f"Disabled automatically after {endpoint.consecutive_failures} failed attempts in a row"
        )
        await enqueue_job(
            session,
            NOTIFY_DISABLED_JOB,
            organization_id=endpoint.organization_id,
            endpoint_id=endpoint.id,
        )


async def _send(attempt: Attempt, now: datetime) -> Outcome:
    if attempt.secret is None:
        return Outcome(error="The signing secret no longer decrypts; rotate it")
    try:
        target = await resolve_target(attempt.url, attempt.policy)
    except TargetRefused as refused:
        return Outcome(error=f"Target refused: {refused}"[:_ERROR_CHARS])
    body = attempt.body
    timestamp = int(now.timestamp())
    arguments = target.request_arguments()
    headers = {
        **arguments.pop("headers"),
        "Content-Type": "application/json",
        "webhook-id": attempt.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(attempt.secret, attempt.message_id, timestamp, body),
    }
    started = time.perf_counter()
    try:
        async with (
            http_client(follow_redirects=False) as client,
            client.stream("POST", content=body, headers=headers, **arguments) as response,
        ):
            raw = await _read_some(response)
    except httpx.TimeoutException:
        return Outcome(duration_ms=_elapsed_ms(started), error="Timed out")
    except httpx.HTTPError as error:
        detail = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        return Outcome(duration_ms=_elapsed_ms(started), error=detail[:_ERROR_CHARS])
    excerpt = raw.decode("utf-8", errors="replace")[:EXCERPT_CHARS] or None
    failure = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
    return Outcome(
        status_code=response.status_code,
        duration_ms=_elapsed_ms(started),
        excerpt=excerpt,
        error=failure,
    )


async def _read_some(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= _READ_BYTES:
            break
    return b"".join(chunks)[:_READ_BYTES]


def _elapsed_ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
