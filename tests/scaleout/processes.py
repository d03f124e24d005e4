"""Real Clocktower processes for the scale-out tests: `clocktower serve` and `clocktower
worker` started from the installed command with their own logs, a stream reader over real
HTTP, and a webhook receiver that can hold an answer while its sender is killed."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.webhook.receiver import Received, Receiver

ROOT = Path(__file__).resolve().parents[2]
CLOCKTOWER = ROOT / ".venv" / "bin" / "clocktower"
# A bound for slow, shared machines; on an idle one a process answers within seconds.
STARTUP_SECONDS = 60.0
STOP_SECONDS = 10.0
EVENTS = "/api/v1/events"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def environment(database_url: str, redis_url: str, **settings: str) -> dict[str, str]:
    """A process environment on this test's PostgreSQL and Redis databases, with none of
    the caller's CLOCKTOWER_ variables, and `settings` as CLOCKTOWER_<NAME>."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("CLOCKTOWER_")}
    env.update(
        {
            "CLOCKTOWER_DATABASE_URL": database_url,
            "CLOCKTOWER_REDIS_URL": redis_url,
            "CLOCKTOWER_ENVIRONMENT": "test",
            "CLOCKTOWER_RUN_JOBS_IN_PROCESS": "false",
            "CLOCKTOWER_JOB_POLL_INTERVAL_SECONDS": "0.2",
            "CLOCKTOWER_LOG_JSON": "true",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update({f"CLOCKTOWER_{name.upper()}": value for name, value in settings.items()})
    return env


@dataclass
class Node:
    """One started process, its log file and, for a server, its address."""

    process: asyncio.subprocess.Process
    log_path: Path
    base_url: str = ""

    def log_tail(self, chars: int = 3000) -> str:
        return f"--- {self.log_path.name}\n" + self.log_path.read_text()[-chars:]

    def log_events(self) -> list[dict[str, Any]]:
        """The structlog lines (JSON); uvicorn's own lines are plain text."""
        return [
            json.loads(line)
            for line in self.log_path.read_text().splitlines()
            if line.startswith("{")
        ]

    async def stop(self, grace_seconds: float = STOP_SECONDS) -> int:
        """SIGTERM, then SIGKILL when it has not exited within `grace_seconds`: the exit
        code (-9 says it had to be killed)."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.process.wait(), grace_seconds)
        except TimeoutError:
            self.process.kill()
            return await self.process.wait()


async def _start(arguments: list[str], env: dict[str, str], log_path: Path) -> Node:
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            str(CLOCKTOWER),
            *arguments,
            cwd=ROOT,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
    return Node(process, log_path)


async def start_server(env: dict[str, str], log_path: Path) -> Node:
    """`clocktower serve` on a free loopback port (the schema is the template's)."""
    port = free_port()
    node = await _start(
        ["serve", "--no-migrate", "--host", "127.0.0.1", "--port", str(port)], env, log_path
    )
    node.base_url = f"http://127.0.0.1:{port}"
    return node


async def start_worker(env: dict[str, str], log_path: Path) -> Node:
    """`clocktower worker`, claiming its default batch of 10 jobs at a time."""
    return await _start(["worker"], env, log_path)


async def wait_until(
    condition: Callable[[], Awaitable[bool]], within: float, interval: float = 0.1
) -> bool:
    """Polls `condition` until it holds (True) or `within` seconds have passed (False)."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        if await condition():
            return True
        if asyncio.get_running_loop().time() >= deadline:
            return False
        await asyncio.sleep(interval)


async def wait_until_serving(http: httpx.AsyncClient, servers: list[Node]) -> None:
    waiting = list(servers)

    async def answered() -> bool:
        for server in list(waiting):
            if server.process.returncode is not None:
                raise AssertionError(f"the server exited at start-up\n{server.log_tail()}")
            try:
                if (await http.get(f"{server.base_url}/api/v1/health")).status_code == 200:
                    waiting.remove(server)
            except httpx.TransportError:
                pass
        return not waiting

    assert await wait_until(answered, STARTUP_SECONDS, interval=0.2), "\n".join(
        server.log_tail() for server in waiting
    )


async def wait_until_working(worker: Node) -> None:
    async def started() -> bool:
        if worker.process.returncode is not None:
            raise AssertionError(f"the worker exited at start-up\n{worker.log_tail()}")
        return any(e.get("event") == "job runner started" for e in worker.log_events())

    assert await wait_until(started, STARTUP_SECONDS, interval=0.2), worker.log_tail()


# --- reading a stream ----------------------------------------------------------------------


@dataclass(frozen=True)
class StreamMessage:
    event: str
    id: str | None
    data: Any


class EventStream:
    """`async with EventStream(http, base_url, token) as stream:` a real connection to
    `GET /api/v1/events`, read message by message (heartbeats skipped)."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, token: str) -> None:
        self.http = http
        self.url = f"{base_url}{EVENTS}"
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        self._stack = AsyncExitStack()
        self._lines: AsyncIterator[str] | None = None

    async def __aenter__(self) -> EventStream:
        response = await self._stack.enter_async_context(
            self.http.stream(
                "GET", self.url, headers=self.headers, timeout=httpx.Timeout(10, read=None)
            )
        )
        assert response.status_code == 200, await response.aread()
        assert response.headers["content-type"].startswith("text/event-stream")
        self._lines = response.aiter_lines()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self._stack.aclose()

    async def _next(self) -> StreamMessage:
        """The next message; EOFError when the server ended the stream."""
        assert self._lines is not None
        fields: dict[str, str] = {}
        async for line in self._lines:
            if line:
                name, _, value = line.partition(":")
                if name:  # a line starting with ':' is a comment (a heartbeat)
                    fields[name] = value.removeprefix(" ")
            elif "event" in fields:
                return StreamMessage(fields["event"], fields.get("id"), json.loads(fields["data"]))
            else:
                fields = {}  # `retry:` alone, or a heartbeat
        raise EOFError("the stream ended")

    async def next_event(self, name: str, within: float = 30.0) -> StreamMessage:
        """The next message named `name` (others are skipped), within `within` seconds."""
        async with asyncio.timeout(within):
            while True:
                found = await self._next()
                if found.event == name:
                    return found

    async def until_ended(self, within: float) -> list[StreamMessage]:
        """The messages left before the server ends the stream, within `within` seconds."""
        rest: list[StreamMessage] = []
        async with asyncio.timeout(within):
            while True:
                try:
                    rest.append(await self._next())
                except EOFError:
                    return rest


# --- a receiver that can hold an answer ----------------------------------------------------


@dataclass
class HoldingReceiver(Receiver):
    """Records every request and answers 200, except that from the `hold_from`-th request
    on it holds its answer until `release()`: a sender killed meanwhile has sent a message
    whose answer it never saw."""

    hold_from: int | None = None
    _released: asyncio.Event = field(default_factory=asyncio.Event)

    def release(self) -> None:
        self._released.set()

    async def stop(self) -> None:
        self.release()
        await super().stop()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _version = lines[0].split(" ", 2)
            headers = {
                name.strip().lower(): value.strip()
                for name, _, value in (line.partition(":") for line in lines[1:] if ":" in line)
            }
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            self.requests.append(Received(method, path, headers, body))
            if self.hold_from is not None and len(self.requests) >= self.hold_from:
                await self._released.wait()
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                b"Content-Length: 2\r\nConnection: close\r\n\r\nok"
            )
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the sender was killed mid-request: what the crash test does on purpose
        finally:
            writer.close()
