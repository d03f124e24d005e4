"""The server under test and the bounded load generator.

A `Server` is one `python -m bench.server` process on a free loopback port, with its
log in `.bench-cache/`; its memory is read from /proc (VmRSS, and VmHWM after resetting
it through clear_refs). `drive` runs one operation from a few concurrent workers until
either the request cap or the time cap is reached, and times each operation.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from bench.dataset import CACHE_DIR, ROOT
from bench.server import STATS_PATH

READY_SECONDS = 60.0
STOP_SECONDS = 35.0
KIB = 1024
MIB_BYTES = 2**20


class ServerFailed(Exception):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Memory:
    rss: int
    peak: int


class Server:
    """One server process on loopback; `app` is `clocktower` or `baseline`."""

    def __init__(self, app: str, environment: dict[str, str], name: str) -> None:
        self.app = app
        self.environment = environment
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = CACHE_DIR / f"server-{name}.log"
        self.process: asyncio.subprocess.Process | None = None
        self._log: IO[bytes] | None = None

    async def start(self) -> None:
        self._log = self.log_path.open("wb")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.server",
            "--port",
            str(self.port),
            "--app",
            self.app,
            cwd=ROOT,
            env=self.environment,
            stdout=self._log,
            stderr=asyncio.subprocess.STDOUT,
        )
        deadline = time.monotonic() + READY_SECONDS
        async with httpx.AsyncClient(base_url=self.base_url, timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self.process.returncode is not None:
                    raise ServerFailed(f"the server exited at start:\n{self.log_tail()}")
                with contextlib.suppress(httpx.TransportError):
                    await client.get(STATS_PATH)
                    return
                await asyncio.sleep(0.2)
        await self.stop()
        raise ServerFailed(f"the server did not answer in {READY_SECONDS:.0f} s")

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), STOP_SECONDS)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        if self._log is not None:
            self._log.close()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def memory(self) -> Memory:
        """Resident set now and its peak since the last `reset_peak`, in bytes."""
        fields: dict[str, int] = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = int(value.split()[0]) * KIB
        return Memory(rss=fields["VmRSS"], peak=fields["VmHWM"])

    def reset_peak(self) -> bool:
        """Start VmHWM afresh from the current RSS (Linux clear_refs); False if refused."""
        try:
            Path(f"/proc/{self.pid}/clear_refs").write_text("5")
        except OSError:
            return False
        return True

    async def stats(self, client: httpx.AsyncClient) -> tuple[int, int]:
        """(requests served, SQL statements they sent) so far."""
        answer = (await client.get(f"{self.base_url}{STATS_PATH}")).json()
        return int(answer["requests"]), int(answer["statements"])

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def server_environment(
    url: str, redis_url: str | None, extra: dict[str, str] | None = None
) -> dict[str, str]:
    """The process environment of a server: the bench database, limits out of the way."""
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("CLOCKTOWER_")
    }
    environment.update(
        {
            "CLOCKTOWER_DATABASE_URL": url,
            # A load test is not abuse: the limiter still counts, it never refuses.
            "CLOCKTOWER_RATE_LIMIT_PER_MINUTE": "100000000",
            "CLOCKTOWER_RATE_LIMIT_PER_HOUR": "100000000",
            "CLOCKTOWER_PUBLIC_RATE_LIMIT_PER_MINUTE": "100000000",
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(ROOT), environment.get("PYTHONPATH", "")])
            ),
        }
    )
    if redis_url:
        environment["CLOCKTOWER_REDIS_URL"] = redis_url
    environment.update(extra or {})
    return environment


class OperationFailed(Exception):
    """An answer the scenario did not expect (counted as an error)."""


def expect(response: httpx.Response, *statuses: int) -> httpx.Response:
    if response.status_code not in (statuses or (200,)):
        raise OperationFailed(
            f"{response.request.method} {response.request.url.path}: "
            f"{response.status_code} {response.text[:200]}"
        )
    return response


@dataclass
class Sample:
    """The timed operations of one scenario."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None
    seconds: float = 0.0

    @property
    def operations(self) -> int:
        return len(self.latencies)

    def percentile(self, q: int) -> float:
        if not self.latencies:
            return float("nan")
        if len(self.latencies) == 1:
            return self.latencies[0]
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[q - 1]


Operation = Callable[[int, int], Awaitable[None]]


async def drive(
    operation: Operation, *, concurrency: int, max_operations: int, max_seconds: float
) -> Sample:
    """`operation(worker, n)` from `concurrency` workers until `max_operations` were started
    or `max_seconds` passed; an operation that raises counts as an error (still timed)."""
    sample = Sample()
    started = 0
    began = time.perf_counter()
    deadline = began + max_seconds

    async def worker(index: int) -> None:
        nonlocal started
        while started < max_operations and time.perf_counter() < deadline:
            number = started
            started += 1
            t0 = time.perf_counter()
            try:
                await operation(index, number)
            except (OperationFailed, httpx.HTTPError, KeyError, ValueError) as error:
                sample.errors += 1
                sample.first_error = sample.first_error or f"{type(error).__name__}: {error}"
            sample.latencies.append(time.perf_counter() - t0)

    await asyncio.gather(*(worker(index) for index in range(concurrency)))
    sample.seconds = time.perf_counter() - began
    return sample
