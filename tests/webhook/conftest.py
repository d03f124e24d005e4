"""Webhook fixtures: a local receiver, an organisation that allows private targets, and
helpers that drive the job queue through time without sleeping."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from clocktower.kit.time import utcnow
from clocktower.models import Job, WebhookDelivery
from clocktower.webhook.delivery import DELIVER_JOB
from clocktower.worker.runner import JobRunner
from tests.support import Api, Factory, Member
from tests.webhook.receiver import Receiver

WEBHOOKS = "/api/v1/webhooks"


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver()
    await found.start()
    yield found
    await found.stop()


async def allow_private(api: Api, owner: Member, allowed: bool = True) -> None:
    response = await api.as_(owner).put(
        "/api/v1/settings", json={"webhooks_allow_private_targets": allowed}
    )
    assert response.status_code == 200, response.text


@pytest.fixture
async def private_ok(api: Api, owner: Member) -> None:
    """The owner's organisation may send webhooks to 127.0.0.1 (the test receiver)."""
    await allow_private(api, owner)


async def create_webhook(api: Api, who: Member, url: str, **fields: Any) -> dict[str, Any]:
    response = await api.as_(who).post(WEBHOOKS, json={"url": url, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def make_due(factory: Factory) -> None:
    """Every queued delivery attempt is due now: time moves on without a sleep."""
    await factory.session.execute(
        update(Job)
        .where(Job.kind == DELIVER_JOB, Job.status == "queued")
        .values(run_at=utcnow() - timedelta(seconds=1))
    )
    await factory.session.commit()


async def run_jobs(runner: JobRunner, factory: Factory) -> None:
    await runner.run_until_idle()


async def deliveries(factory: Factory, endpoint_id: int) -> list[WebhookDelivery]:
    result = await factory.session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint_id)
        .order_by(WebhookDelivery.id)
        .execution_options(populate_existing=True)
    )
    return list(result.all())


def verify_signature(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """An independent Standard Webhooks verifier (not the code under test)."""
    key = base64.b64decode(secret.split("_", 1)[1])
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    versions = headers["webhook-signature"].split(" ")
    return any(hmac.compare_digest(f"v1,{expected}", candidate) for candidate in versions)
