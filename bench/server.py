"""`clocktower serve` for the benchmark, plus a count of the SQL each request sends.

The harness starts this module instead of the `clocktower` command: it serves the same
application (`clocktower.main:create_app`) with the same uvicorn settings as `serve`,
wrapped in one ASGI layer that counts the statements each HTTP request executes (a
SQLAlchemy `before_cursor_execute` listener on every engine) and answers the totals at
`GET /__bench__/stats`. Statements of the in-process job runner, which serves no
request, are not counted. The harness migrates the database before it starts a server,
so this launcher never does.

    python -m bench.server --port 8765 [--app clocktower|baseline]
"""

from __future__ import annotations

import argparse
import json
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import uvicorn
from sqlalchemy import event
from sqlalchemy.engine import Engine
from starlette.types import ASGIApp, Receive, Scope, Send

from clocktower.config import get_settings

STATS_PATH = "/__bench__/stats"

# The statement count of the request being served; None outside requests (jobs).
_statements: ContextVar[list[int] | None] = ContextVar("bench_statements", default=None)


@dataclass
class Totals:
    requests: int = 0
    statements: int = 0


def _count_statement(*_args: Any) -> None:
    counter = _statements.get()
    if counter is not None:
        counter[0] += 1


class StatementCounter:
    """Counts each request's statements into the totals, and answers STATS_PATH."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.totals = Totals()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == STATS_PATH:
            await self._stats(send)
            return
        counter = [0]
        token = _statements.set(counter)
        try:
            await self.app(scope, receive, send)
        finally:
            _statements.reset(token)
            self.totals.requests += 1
            self.totals.statements += counter[0]

    async def _stats(self, send: Send) -> None:
        body = json.dumps(
            {"requests": self.totals.requests, "statements": self.totals.statements}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _listen() -> None:
    """Count on every engine, including those the application is about to create."""
    if not event.contains(Engine, "before_cursor_execute", _count_statement):
        event.listen(Engine, "before_cursor_execute", _count_statement)


def create_clocktower() -> ASGIApp:
    """The application `clocktower serve` runs, counted."""
    from clocktower.main import create_app

    _listen()
    return StatementCounter(create_app())


def create_baseline() -> ASGIApp:
    """The bare query path of bench/baseline.py, counted the same way."""
    from bench.baseline import create_baseline_app

    _listen()
    return StatementCounter(create_baseline_app())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--app", choices=("clocktower", "baseline"), default="clocktower")
    arguments = parser.parse_args()
    settings = get_settings()
    # What `clocktower serve` passes to uvicorn, with one worker (the harness measures one
    # process's memory).
    uvicorn.run(
        f"bench.server:create_{arguments.app}",
        factory=True,
        host=arguments.host,
        port=arguments.port,
        workers=1,
        log_level=settings.log_level.lower(),
        timeout_graceful_shutdown=30,
    )


if __name__ == "__main__":
    main()
