"""One running timer per user under concurrency: many requests in one process (both
backends), and several server processes on one PostgreSQL database.

The rule is the database's: the unique (organization_id, user_id, running_slot) constraint
admits one running entry per user while single_active_timer is on, whichever request or
process gets there first.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import ColumnElement, func, select

from clocktower.db import Database
from clocktower.main import create_app
from clocktower.models import Job, TimeEntry
from clocktower.webhook.events import FAN_OUT_JOB
from tests.concurrency.conftest import register
from tests.conftest import Templates, availability
from tests.conftest import test_settings as settings_for
from tests.timer.conftest import START, STOP, active_timer

pytestmark = pytest.mark.committing

ROOT = Path(__file__).resolve().parents[2]
PARALLEL = 50
SERVERS = 3
# A bound for slow, shared machines; on an idle one the servers answer within a few seconds.
STARTUP_SECONDS = 60


@pytest.fixture
async def live_client(committing_database: Database) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on an app whose requests commit for real (no shared transaction)."""
    url = committing_database.url
    app = create_app(settings_for(url), Database(url))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


async def _owner_with_project(client: httpx.AsyncClient, email: str) -> tuple[dict[str, str], int]:
    signed_in = await register(client, email)
    headers = {"Authorization": f"Bearer {signed_in['token']}"}
    project = await client.post("/api/v1/projects", json={"name": "Race"}, headers=headers)
    assert project.status_code == 201, project.text
    return headers, project.json()["project"]["id"]


async def _count(database: Database, *conditions: ColumnElement[bool]) -> int:
    async with database.transaction(write=False) as session:
        result = await session.execute(
            select(func.count()).select_from(TimeEntry).where(*conditions)
        )
        return int(result.scalar_one())


async def _started_events(database: Database) -> list[object]:
    async with database.transaction(write=False) as session:
        payloads = (
            await session.execute(select(Job.payload).where(Job.kind == FAN_OUT_JOB))
        ).scalars()
        return [p["data"]["id"] for p in payloads if p["event"] == "timer.started"]


class TestConcurrentStarts:
    async def test_fifty_starts_leave_one_running_timer(
        self, live_client: httpx.AsyncClient, committing_database: Database
    ) -> None:
        headers, project_id = await _owner_with_project(live_client, "timer-race@example.com")

        answers = await asyncio.gather(
            *(
                live_client.post(START, json={"project_id": project_id}, headers=headers)
                for _ in range(PARALLEL)
            )
        )

        statuses = Counter(a.status_code for a in answers)
        assert statuses == {201: 1, 409: PARALLEL - 1}, [
            a.text for a in answers if a.status_code >= 500
        ]
        assert {a.json()["error_code"] for a in answers if a.status_code == 409} == {
            "timer_already_running"
        }
        [winner] = [a.json()["timer"] for a in answers if a.status_code == 201]
        assert await _count(committing_database) == 1
        assert await _count(committing_database, TimeEntry.end_at.is_(None)) == 1
        # Refused starts rolled back with their events: one timer, one timer.started.
        assert await _started_events(committing_database) == [winner["id"]]

    async def test_concurrent_puts_start_one_timer_and_change_it(
        self, live_client: httpx.AsyncClient, committing_database: Database
    ) -> None:
        headers, project_id = await _owner_with_project(live_client, "put-race@example.com")
        me = (await live_client.get("/api/v1/users/me", headers=headers)).json()["user"]["id"]

        answers = await asyncio.gather(
            *(
                live_client.put(
                    active_timer(me),
                    json={"project_id": project_id, "notes": f"put {number}"},
                    headers=headers,
                )
                for number in range(10)
            )
        )

        assert sorted(a.status_code for a in answers) == [200] * 9 + [201], [
            a.text for a in answers
        ]
        assert len({a.json()["active_timer"]["id"] for a in answers}) == 1
        assert await _count(committing_database, TimeEntry.end_at.is_(None)) == 1


# --- several server processes --------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def _start_server(url: str, port: int, log_path: Path) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "CLOCKTOWER_DATABASE_URL": url,
        "CLOCKTOWER_ENVIRONMENT": "test",
        "CLOCKTOWER_RUN_JOBS_IN_PROCESS": "false",
        "CLOCKTOWER_RATE_LIMIT_PER_MINUTE": "100000",
        "CLOCKTOWER_RATE_LIMIT_PER_HOUR": "1000000",
        "CLOCKTOWER_PUBLIC_RATE_LIMIT_PER_MINUTE": "100000",
        "CLOCKTOWER_LOG_LEVEL": "WARNING",
    }
    env.pop("CLOCKTOWER_REDIS_URL", None)
    with log_path.open("wb") as log:
        return await asyncio.create_subprocess_exec(
            str(ROOT / ".venv" / "bin" / "clocktower"),
            "serve",
            "--no-migrate",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            cwd=ROOT,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )


async def _wait_until_serving(client: httpx.AsyncClient, bases: list[str]) -> bool:
    deadline = asyncio.get_running_loop().time() + STARTUP_SECONDS
    waiting = set(bases)
    while waiting and asyncio.get_running_loop().time() < deadline:
        for base in list(waiting):
            try:
                if (await client.get(f"{base}/api/v1/health")).status_code == 200:
                    waiting.discard(base)
            except httpx.TransportError:
                pass
        await asyncio.sleep(0.2)
    return not waiting


async def _stop(processes: list[asyncio.subprocess.Process]) -> None:
    for process in processes:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            await asyncio.wait_for(process.wait(), timeout=10)
        except TimeoutError:
            process.kill()
            await process.wait()


@pytest.fixture
async def postgres_database(templates: Templates) -> AsyncIterator[Database]:
    """A committing PostgreSQL database whatever the backend leg: the test runs once."""
    found = availability()
    if found.postgres_url is None:
        pytest.skip(f"PostgreSQL not reachable: {found.postgres_problem}")
    database = Database(await templates.copy("postgresql", "timer_servers"))
    try:
        yield database
    finally:
        await database.dispose()


@pytest.mark.slow
async def test_several_server_processes_keep_one_running_timer(
    postgres_database: Database, tmp_path: Path
) -> None:
    ports = [_free_port() for _ in range(SERVERS)]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    logs = [tmp_path / f"server-{number}.log" for number in range(SERVERS)]
    servers = [
        await _start_server(postgres_database.url, port, log)
        for port, log in zip(ports, logs, strict=True)
    ]
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            assert await _wait_until_serving(client, bases), [p.read_text()[-2000:] for p in logs]
            registered = await client.post(
                f"{bases[0]}/api/v1/auth/register",
                json={
                    "name": "Paula Parallel",
                    "email": "timer-processes@example.com",
                    "password": "parallel-password-1",
                    "password_confirmation": "parallel-password-1",
                    "organization_name": "Parallel Founders",
                },
            )
            assert registered.status_code == 201, registered.text
            headers = {"Authorization": f"Bearer {registered.json()['token']}"}
            project = await client.post(
                f"{bases[1]}/api/v1/projects", json={"name": "Race"}, headers=headers
            )
            assert project.status_code == 201, project.text
            body = {"project_id": project.json()["project"]["id"]}

            starts = await asyncio.gather(
                *(
                    client.post(f"{bases[n % SERVERS]}{START}", json=body, headers=headers)
                    for n in range(10 * SERVERS)
                )
            )
            assert Counter(a.status_code for a in starts) == {201: 1, 409: 10 * SERVERS - 1}
            assert await _count(postgres_database, TimeEntry.end_at.is_(None)) == 1

            # Stopping races across processes too: the row lock lets one stop win.
            stops = await asyncio.gather(
                *(client.post(f"{bases[n % SERVERS]}{STOP}", headers=headers) for n in range(9))
            )
            assert Counter(a.status_code for a in stops) == {200: 1, 409: 8}
            assert await _count(postgres_database, TimeEntry.end_at.is_(None)) == 0
            assert await _count(postgres_database) == 1
    finally:
        await _stop(servers)
