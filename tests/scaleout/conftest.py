"""Scale-out fixtures: a PostgreSQL database and a Redis database of the module's own for
real `serve` and `worker` processes, a webhook receiver, and accounts made over HTTP.

Without PostgreSQL or Redis each module skips itself, one line each (`missing_backends`);
on CI (CI=true) tests/conftest.py fails the run instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
import redis.asyncio as redis

from clocktower.db import Database
from tests.conftest import Templates, availability
from tests.scaleout.processes import HoldingReceiver

PASSWORD = "scale-out-password-1"


@dataclass(frozen=True)
class Backends:
    database: Database
    redis_url: str


def _redis_url_of_this_worker(url: str) -> str:
    """The Redis database of this xdist worker, numbered as the `redis_url` fixture of
    tests/conftest.py numbers them (15, 14, …), so no other worker's test shares it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    base, _, database = url.rpartition("/")
    if database.isdigit() and worker.startswith("gw"):
        return f"{base}/{int(database) - int(worker[2:]) % 8}"
    return url


def missing_backends() -> str | None:
    """Why these tests cannot run here (a skip reason), or None when they can."""
    found = availability()
    if found.postgres_url is None or found.redis_url is None:
        return (
            "scale-out tests need PostgreSQL and Redis: "
            f"postgres={found.postgres_problem or 'ok'}, redis={found.redis_problem or 'ok'}"
        )
    return None


@pytest.fixture(scope="module")
async def backends(templates: Templates) -> AsyncIterator[Backends]:
    """A migrated PostgreSQL database of this module's own and an empty Redis database."""
    if (missing := missing_backends()) is not None:
        pytest.skip(missing)
    redis_url = _redis_url_of_this_worker(str(availability().redis_url))
    database = Database(await templates.copy("postgresql", "scaleout"))
    client = redis.from_url(redis_url)
    try:
        # Rate-limit counters of earlier tests here could share a key with ours (sign-in
        # ids restart in every database): every budget starts full.
        await client.flushdb()
        yield Backends(database, redis_url)
        await client.flushdb()
    finally:
        await client.aclose()
        await database.dispose()


@pytest.fixture
async def receiver() -> AsyncIterator[HoldingReceiver]:
    found = HoldingReceiver()
    await found.start()
    yield found
    await found.stop()


@dataclass(frozen=True)
class Account:
    """A new user and organisation, signed in (one sign-in: one rate-limit budget)."""

    token: str
    user_id: int
    organization_id: int

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def sign_up(http: httpx.AsyncClient, base_url: str, label: str) -> Account:
    """Registers over HTTP (`base_url` "" for a client bound to one app); the account's
    organisation is its own."""
    response = await http.post(
        f"{base_url}/api/v1/auth/register",
        json={
            "name": "Sam Scale",
            "email": f"{label}-{uuid.uuid4().hex[:8]}@example.com",
            "password": PASSWORD,
            "password_confirmation": PASSWORD,
            "organization_name": f"Scale-out {label}",
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return Account(body["token"], body["user"]["id"], body["organization"]["id"])


async def create_project(http: httpx.AsyncClient, base_url: str, account: Account) -> int:
    response = await http.post(
        f"{base_url}/api/v1/projects", json={"name": "Scale-out"}, headers=account.headers
    )
    assert response.status_code == 201, response.text
    project_id: int = response.json()["project"]["id"]
    return project_id


async def allow_private_targets(http: httpx.AsyncClient, base_url: str, account: Account) -> None:
    """The organisation may send webhooks to 127.0.0.1, where the test receiver listens."""
    response = await http.put(
        f"{base_url}/api/v1/settings",
        json={"webhooks_allow_private_targets": True},
        headers=account.headers,
    )
    assert response.status_code == 200, response.text


async def subscribe_webhook(
    http: httpx.AsyncClient, base_url: str, account: Account, url: str, event: str
) -> dict[str, object]:
    """A webhook subscription to one event type: its answer, secret included."""
    response = await http.post(
        f"{base_url}/api/v1/webhooks",
        json={"url": url, "event_types": [event]},
        headers=account.headers,
    )
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body
