"""A worker killed mid-batch (SIGKILL) loses no webhook: another worker takes its claimed
jobs over once their locks expire, and the receiver sees every event, at least once,
each under one `webhook-id`.

The receiver holds its answer to one request, so the first worker dies at a known point:
that message was sent but its answer never recorded, and the same message (same
`webhook-id`) is sent again. That is the at-least-once contract receivers dedupe on.
"""

from __future__ import annotations

import asyncio
import json
import signal
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from clocktower.db import Database
from clocktower.main import create_app
from clocktower.models import Job, WebhookDelivery
from clocktower.webhook.delivery import DELIVER_JOB
from tests.conftest import test_settings as settings_for
from tests.scaleout.conftest import (
    Backends,
    allow_private_targets,
    create_project,
    missing_backends,
    sign_up,
    subscribe_webhook,
)
from tests.scaleout.processes import (
    STARTUP_SECONDS,
    HoldingReceiver,
    Node,
    environment,
    start_worker,
    wait_until,
    wait_until_working,
)
from tests.webhook.conftest import verify_signature

pytestmark = [pytest.mark.committing, pytest.mark.slow]

if (missing := missing_backends()) is not None:
    pytest.skip(missing, allow_module_level=True)

EVENTS = 40
# The receiver holds its answer to this request: the first worker is killed waiting on it.
HELD = 12
# The smallest the settings allow: how long the killed worker's claims keep others away.
LOCK_TIMEOUT_SECONDS = 10
# Start-up, the lock timeout and the rest of the batch, on a slow shared machine.
RECOVERY_SECONDS = STARTUP_SECONDS + LOCK_TIMEOUT_SECONDS + 30


@pytest.fixture
async def http(backends: Backends) -> AsyncIterator[httpx.AsyncClient]:
    """The real app in this process, on the module's database with real commits: the
    setup's requests. Only the worker processes run jobs."""
    url = backends.database.url
    app = create_app(settings_for(url), Database(url))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://setup") as client:
            yield client


async def create_entries(
    http: httpx.AsyncClient, headers: dict[str, str], project_id: int
) -> set[int]:
    """EVENTS time entries, one `time_entry.created` event each; their ids."""
    first = datetime(2026, 3, 2, 8, tzinfo=UTC)
    created = await asyncio.gather(
        *(
            http.post(
                "/api/v1/time-entries",
                json={
                    "project_id": project_id,
                    "start_time": (first + timedelta(hours=n)).isoformat(),
                    "end_time": (first + timedelta(hours=n, minutes=30)).isoformat(),
                },
                headers=headers,
            )
            for n in range(EVENTS)
        )
    )
    assert {c.status_code for c in created} == {201}, [c.text for c in created]
    return {c.json()["time_entry"]["id"] for c in created}


async def job_statuses(database: Database) -> dict[str, int]:
    async with database.transaction(write=False) as session:
        rows = await session.execute(select(Job.status, func.count()).group_by(Job.status))
        return {status: int(count) for status, count in rows.all()}


async def test_killed_worker_loses_no_delivery(
    backends: Backends, http: httpx.AsyncClient, receiver: HoldingReceiver, tmp_path: Path
) -> None:
    database = backends.database
    receiver.hold_from = HELD
    env = environment(
        database.url, backends.redis_url, job_lock_timeout_seconds=str(LOCK_TIMEOUT_SECONDS)
    )
    # It starts up while the events are made, and delivers them as they come.
    first = await start_worker(env, tmp_path / "worker-first.log")
    second: Node | None = None
    try:
        account = await sign_up(http, "", "crash")
        await allow_private_targets(http, "", account)
        subscription = await subscribe_webhook(
            http, "", account, receiver.url, "time_entry.created"
        )
        project_id = await create_project(http, "", account)
        entry_ids = await create_entries(http, account.headers, project_id)

        async def held() -> bool:
            return len(receiver.requests) >= HELD

        assert await wait_until(held, STARTUP_SECONDS), first.log_tail()
        first.process.kill()
        assert await first.process.wait() == -signal.SIGKILL
        seen_by_then = len(receiver.requests)
        receiver.release()

        second = await start_worker(env, tmp_path / "worker-second.log")
        await wait_until_working(second)

        async def all_done() -> bool:
            return set(await job_statuses(database)) == {"done"}

        assert await wait_until(all_done, RECOVERY_SECONDS, interval=0.2), (
            f"{await job_statuses(database)}\n{first.log_tail()}\n{second.log_tail()}"
        )
    finally:
        receiver.release()
        if first.process.returncode is None:
            first.process.kill()
            await first.process.wait()
        second_code = await second.stop() if second is not None else None
    assert second_code == 0, second.log_tail() if second else None

    # The first worker died with the batch half done: the receiver had seen some, not all.
    assert seen_by_then == HELD < EVENTS

    # Deduplicated by webhook-id, every event arrived exactly once.
    by_message: dict[str, list[bytes]] = defaultdict(list)
    for request in receiver.requests:
        assert verify_signature(str(subscription["secret"]), request.headers, request.body)
        by_message[request.headers["webhook-id"]].append(request.body)
    assert len(by_message) == EVENTS
    assert {json.loads(bodies[0])["data"]["id"] for bodies in by_message.values()} == entry_ids
    assert all(len(set(bodies)) == 1 for bodies in by_message.values())
    held_message = receiver.requests[HELD - 1].headers["webhook-id"]
    # The message in flight when the worker died was sent again, under the same id.
    assert len(by_message[held_message]) == 2

    async with database.transaction(write=False) as session:
        deliveries = (
            await session.execute(
                select(
                    WebhookDelivery.id,
                    WebhookDelivery.message_id,
                    WebhookDelivery.status,
                    WebhookDelivery.attempts,
                )
            )
        ).all()
        claims = {
            payload["delivery_id"]: attempts
            for payload, attempts in await session.execute(
                select(Job.payload, Job.attempts).where(Job.kind == DELIVER_JOB)
            )
        }
    # Each recorded once, as one successful attempt: the killed one was never recorded.
    assert sorted((d.status, d.attempts) for d in deliveries) == [("succeeded", 1)] * EVENTS
    assert {d.message_id for d in deliveries} == set(by_message)
    # The second worker took the killed worker's claims over once their locks expired
    # (a second claim), the held delivery's among them; every job ended done.
    [held_delivery] = [d.id for d in deliveries if d.message_id == held_message]
    assert claims[held_delivery] == 2
    assert set(claims.values()) <= {1, 2}
    assert set(await job_statuses(database)) == {"done"}
