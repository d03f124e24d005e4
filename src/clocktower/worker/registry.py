"""Job handlers and periodic schedules, registered by each domain's jobs.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.config import Settings
from clocktower.db import Database


@dataclass(frozen=True)
class JobContext:
    session: AsyncSession
    settings: Settings
    job_id: int
    attempt: int
    organization_id: int | None


@dataclass(frozen=True)
class IOJobContext:
    """For handlers that wait on the network: no transaction is open around them. They
    open short ones with `database.transaction()` before and after the call, so no
    database lock (SQLite's single writer lock above all) is held while they wait."""

    database: Database
    settings: Settings
    job_id: int
    attempt: int
    organization_id: int | None


JobHandler = Callable[[JobContext, dict[str, Any]], Awaitable[None]]
IOJobHandler = Callable[[IOJobContext, dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class JobDefinition:
    kind: str
    handler: JobHandler | None
    max_attempts: int | None
    io_handler: IOJobHandler | None = None


@dataclass(frozen=True)
class Schedule:
    name: str
    kind: str
    every: timedelta


HANDLERS: dict[str, JobDefinition] = {}
SCHEDULES: dict[str, Schedule] = {}


def job(kind: str, *, max_attempts: int | None = None) -> Callable[[JobHandler], JobHandler]:
    """Register a handler. Delivery is at least once: handlers must be idempotent."""

    def register(handler: JobHandler) -> JobHandler:
        if kind in HANDLERS and HANDLERS[kind].handler is not handler:
            raise RuntimeError(f"job {kind!r} registered twice")
        HANDLERS[kind] = JobDefinition(kind, handler, max_attempts)
        return handler

    return register


def io_job(kind: str, *, max_attempts: int | None = None) -> Callable[[IOJobHandler], IOJobHandler]:
    """Register a handler that runs outside a transaction (see `IOJobContext`). The
    runner marks the job done in a transaction of its own after the handler returns."""

    def register(handler: IOJobHandler) -> IOJobHandler:
        if kind in HANDLERS and HANDLERS[kind].io_handler is not handler:
            raise RuntimeError(f"job {kind!r} registered twice")
        HANDLERS[kind] = JobDefinition(kind, None, max_attempts, io_handler=handler)
        return handler

    return register


def periodic(name: str, *, every: timedelta) -> Callable[[JobHandler], JobHandler]:
    """Register a handler that also runs every `every`, once per slot across all nodes."""

    def register(handler: JobHandler) -> JobHandler:
        job(name)(handler)
        SCHEDULES[name] = Schedule(name=name, kind=name, every=every)
        return handler

    return register
