"""Several machines (issue 5): two `clocktower serve` processes and one `clocktower worker`
on one PostgreSQL database and one Redis, driven over HTTP only.

What no single process can show: one rate-limit budget across servers, one running timer
whichever server starts it, an event committed through one server streamed by the other,
a webhook delivered once by the worker, an Idempotency-Key that holds across servers, and
a server that stops promptly on SIGTERM with a stream open while a request in flight
still gets its answer.
"""

from __future__ import annotations

import asyncio
import json
import signal
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select

from clocktower.db import Database
from clocktower.models import Job, TimeEntry, WebhookDelivery
from clocktower.webhook.delivery import DELIVER_JOB
from clocktower.webhook.events import FAN_OUT_JOB
from tests.scaleout.conftest import (
    Backends,
    allow_private_targets,
    create_project,
    missing_backends,
    sign_up,
    subscribe_webhook,
)
from tests.scaleout.processes import (
    EventStream,
    HoldingReceiver,
    Node,
    environment,
    start_server,
    start_worker,
    wait_until,
    wait_until_serving,
    wait_until_working,
)
from tests.webhook.conftest import verify_signature

pytestmark = [pytest.mark.committing, pytest.mark.slow]

if (missing := missing_backends()) is not None:
    pytest.skip(missing, allow_module_level=True)

# Requests per minute per sign-in, on every server: small enough to exhaust in a test,
# large enough for the other tests' few requests per sign-in.
RATE_LIMIT = 30
START = "/api/v1/timer/start"
ME = "/api/v1/users/me"


@dataclass
class Cluster:
    backends: Backends
    servers: list[Node]
    worker: Node
    # A third server, for the test that stops one: the other tests keep `servers`.
    spare: Node
    http: httpx.AsyncClient

    @property
    def database(self) -> Database:
        return self.backends.database

    @property
    def a(self) -> str:
        return self.servers[0].base_url

    @property
    def b(self) -> str:
        return self.servers[1].base_url

    def logs(self) -> str:
        return "\n".join(node.log_tail() for node in (*self.servers, self.worker))


@pytest.fixture(scope="module")
async def cluster(
    backends: Backends, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Cluster]:
    """Two servers, a worker and the spare server, started together once for the module."""
    logs = tmp_path_factory.mktemp("scaleout")
    env = environment(
        backends.database.url,
        backends.redis_url,
        rate_limit_per_minute=str(RATE_LIMIT),
        rate_limit_per_hour="100000",
        # Every sign-up comes from 127.0.0.1: the per-address limit is not under test here.
        public_rate_limit_per_minute="100000",
    )
    servers = [await start_server(env, logs / f"server-{name}.log") for name in ("a", "b")]
    spare = await start_server(env, logs / "server-spare.log")
    worker = await start_worker(env, logs / "worker.log")
    try:
        async with httpx.AsyncClient(timeout=30) as http:
            await wait_until_serving(http, [*servers, spare])
            await wait_until_working(worker)
            yield Cluster(backends, servers, worker, spare, http)
    finally:
        codes = await asyncio.gather(*(node.stop() for node in (*servers, spare, worker)))
    assert -signal.SIGKILL not in codes, "a process ignored SIGTERM"


class TestRateLimit:
    async def test_servers_share_one_budget(self, cluster: Cluster) -> None:
        account = await sign_up(cluster.http, cluster.a, "rate")

        # Both servers at once: each alone would allow RATE_LIMIT of these.
        answers = await asyncio.gather(
            *(
                cluster.http.get(f"{base}{ME}", headers=account.headers)
                for _ in range(RATE_LIMIT)
                for base in (cluster.a, cluster.b)
            )
        )

        statuses = Counter(a.status_code for a in answers)
        assert statuses == {200: RATE_LIMIT, 429: RATE_LIMIT}, statuses
        # Whichever server counted a request, the next one on either is refused.
        for base in (cluster.a, cluster.b):
            refused = await cluster.http.get(f"{base}{ME}", headers=account.headers)
            assert refused.status_code == 429
            assert refused.json() == {
                "error": "Too many requests",
                "message": "Rate limit exceeded; retry after the reset time",
                "error_code": "rate_limited",
            }
            assert 1 <= int(refused.headers["Retry-After"]) <= 60
            assert refused.headers["X-RateLimit-Limit"] == str(RATE_LIMIT)
            assert refused.headers["X-RateLimit-Remaining"] == "0"


class TestOneRunningTimer:
    async def test_concurrent_starts_on_both_servers_leave_one_timer(
        self, cluster: Cluster
    ) -> None:
        account = await sign_up(cluster.http, cluster.a, "timer")
        project_id = await create_project(cluster.http, cluster.b, account)

        starts = await asyncio.gather(
            *(
                cluster.http.post(
                    f"{base}{START}", json={"project_id": project_id}, headers=account.headers
                )
                for _ in range(8)
                for base in (cluster.a, cluster.b)
            )
        )

        assert Counter(s.status_code for s in starts) == {201: 1, 409: 15}, [
            s.text for s in starts if s.status_code >= 500
        ]
        assert {s.json()["error_code"] for s in starts if s.status_code == 409} == {
            "timer_already_running"
        }
        [winner] = [s.json()["timer"]["id"] for s in starts if s.status_code == 201]
        for base in (cluster.a, cluster.b):
            status = await cluster.http.get(f"{base}/api/v1/timer/status", headers=account.headers)
            assert status.json()["timer"]["id"] == winner
        async with cluster.database.transaction(write=False) as session:
            running = await session.execute(
                select(func.count())
                .select_from(TimeEntry)
                .where(TimeEntry.user_id == account.user_id, TimeEntry.end_at.is_(None))
            )
        assert running.scalar_one() == 1


class TestEventsAcrossServers:
    async def test_stream_on_one_server_receives_a_start_on_the_other(
        self, cluster: Cluster
    ) -> None:
        account = await sign_up(cluster.http, cluster.a, "live")
        project_id = await create_project(cluster.http, cluster.b, account)

        async with EventStream(cluster.http, cluster.a, account.token) as stream:
            snapshot = await stream.next_event("snapshot")
            assert snapshot.data["timer"] is None
            started = await cluster.http.post(
                f"{cluster.b}{START}", json={"project_id": project_id}, headers=account.headers
            )
            assert started.status_code == 201, started.text
            event = await stream.next_event("timer.started")

        assert event.data["id"] == started.json()["timer"]["id"]
        assert event.data["project_id"] == project_id


class TestWebhookFromTheWorker:
    async def test_delivered_once_and_signed(
        self, cluster: Cluster, receiver: HoldingReceiver
    ) -> None:
        account = await sign_up(cluster.http, cluster.a, "webhook")
        await allow_private_targets(cluster.http, cluster.a, account)
        created = await subscribe_webhook(
            cluster.http, cluster.b, account, receiver.url, "timer.started"
        )
        project_id = await create_project(cluster.http, cluster.a, account)

        started = await cluster.http.post(
            f"{cluster.a}{START}", json={"project_id": project_id}, headers=account.headers
        )
        assert started.status_code == 201, started.text

        async def settled() -> bool:
            """Delivered and recorded, with no job of the organisation left to run."""
            async with cluster.database.transaction(write=False) as session:
                deliveries = (
                    await session.scalars(
                        select(WebhookDelivery).where(
                            WebhookDelivery.organization_id == account.organization_id
                        )
                    )
                ).all()
                pending = await session.scalar(
                    select(func.count())
                    .select_from(Job)
                    .where(
                        Job.organization_id == account.organization_id,
                        Job.status.in_(("queued", "running")),
                    )
                )
            return [d.status for d in deliveries] == ["succeeded"] and pending == 0

        assert await wait_until(settled, within=30), cluster.logs()

        # Nothing is left that could send it again: what arrived is all that ever will.
        [request] = receiver.requests
        assert verify_signature(str(created["secret"]), request.headers, request.body)
        body = json.loads(request.body)
        assert body["type"] == "timer.started"
        assert body["data"]["id"] == started.json()["timer"]["id"]
        async with cluster.database.transaction(write=False) as session:
            delivery = await session.scalar(
                select(WebhookDelivery).where(
                    WebhookDelivery.organization_id == account.organization_id
                )
            )
            jobs = (
                await session.execute(
                    select(Job.kind, Job.status, Job.attempts).where(
                        Job.organization_id == account.organization_id
                    )
                )
            ).all()
        assert delivery is not None
        assert (delivery.attempts, delivery.response_status) == (1, 200)
        assert request.headers["webhook-id"] == delivery.message_id
        assert {(status, attempts) for _, status, attempts in jobs} == {("done", 1)}
        assert Counter(kind for kind, _, _ in jobs)[DELIVER_JOB] == 1
        assert FAN_OUT_JOB in {kind for kind, _, _ in jobs}
        # The servers run no jobs (CLOCKTOWER_RUN_JOBS_IN_PROCESS=false): the worker sent it.
        assert any(
            e.get("event") == "webhook attempt" and e.get("message_id") == delivery.message_id
            for e in cluster.worker.log_events()
        ), cluster.worker.log_tail()


class TestIdempotencyAcrossServers:
    async def test_same_key_on_both_servers_creates_one_entry(self, cluster: Cluster) -> None:
        account = await sign_up(cluster.http, cluster.a, "idempotency")
        project_id = await create_project(cluster.http, cluster.a, account)
        start = datetime(2026, 3, 2, 9, tzinfo=UTC)
        entry = {
            "project_id": project_id,
            "start_time": start.isoformat(),
            "end_time": (start + timedelta(hours=1)).isoformat(),
        }
        headers = {**account.headers, "Idempotency-Key": uuid.uuid4().hex}

        answers = await asyncio.gather(
            *(
                cluster.http.post(f"{base}/api/v1/time-entries", json=entry, headers=headers)
                for base in (cluster.a, cluster.b)
            )
        )
        again = await cluster.http.post(
            f"{cluster.b}/api/v1/time-entries", json=entry, headers=headers
        )

        assert [a.status_code for a in (*answers, again)] == [201, 201, 201], [
            a.text for a in answers
        ]
        assert len({a.json()["time_entry"]["id"] for a in (*answers, again)}) == 1
        # The first to claim the key ran; the other two answered with its stored response.
        replayed = sorted(str(a.headers.get("Idempotent-Replayed")) for a in (*answers, again))
        assert replayed == ["None", "true", "true"]
        listed = await cluster.http.get(f"{cluster.a}/api/v1/time-entries", headers=headers)
        assert len(listed.json()["time_entries"]) == 1


class TestGracefulShutdown:
    async def test_sigterm_ends_streams_at_once_and_lets_a_request_finish(
        self, cluster: Cluster
    ) -> None:
        server = cluster.spare
        try:
            account = await sign_up(cluster.http, server.base_url, "shutdown")
            body_started, finish_body = asyncio.Event(), asyncio.Event()

            async def slow_body() -> AsyncIterator[bytes]:
                yield b'{"name": "Sent before'
                body_started.set()  # the headers and the first chunk are on the wire
                await finish_body.wait()
                yield b' the stop"}'

            async with EventStream(cluster.http, server.base_url, account.token) as stream:
                await stream.next_event("snapshot")
                in_flight = asyncio.create_task(
                    cluster.http.post(
                        f"{server.base_url}/api/v1/projects",
                        content=slow_body(),
                        headers={**account.headers, "Content-Type": "application/json"},
                    )
                )
                await asyncio.wait_for(body_started.wait(), 10)
                signalled = asyncio.get_running_loop().time()
                server.process.send_signal(signal.SIGTERM)

                await stream.until_ended(within=5)

            # The stream is over; the request in flight still holds the server.
            assert server.process.returncode is None
            finish_body.set()
            created = await asyncio.wait_for(in_flight, 10)
            code = await asyncio.wait_for(server.process.wait(), 10)
            stopped_after = asyncio.get_running_loop().time() - signalled
        finally:
            await server.stop()

        assert created.status_code == 201, created.text
        assert created.json()["project"]["name"] == "Sent before the stop"
        assert stopped_after < 10
        # It stopped on its own with 0, after its lifespan shutdown, not killed after a
        # timeout (`serve` turns the SIGTERM uvicorn re-raises at itself into exit 0).
        assert code == 0, server.log_tail()
        log = server.log_path.read_text()
        assert "Application shutdown complete" in log, server.log_tail()
        assert "timeout graceful shutdown exceeded" not in log
