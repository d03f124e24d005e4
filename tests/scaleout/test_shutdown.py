"""Stopping a server with event streams open, in one process (both backends): SIGTERM ends
the streams at once and then reaches the server's own handler; while the server stops, a
new stream is refused and other requests are still answered.

uvicorn waits for every open answer before it runs the app's lifespan shutdown, so the
streams must end on the signal itself; test_multiprocess.py shows it on a real server.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from types import FrameType

import httpx
import pytest

from clocktower.db import Database
from clocktower.live import sse
from clocktower.live.events import Viewer
from clocktower.main import create_app
from tests.conftest import test_settings as settings_for
from tests.scaleout.conftest import sign_up

pytestmark = pytest.mark.committing

EVENTS = "/api/v1/events"


class ServerHandler:
    """Stands in for uvicorn's SIGTERM handler, installed before the app starts."""

    def __init__(self) -> None:
        self.received: list[int] = []

    def __call__(self, sig: int, _frame: FrameType | None) -> None:
        self.received.append(sig)


@pytest.fixture
def server_handler() -> Iterator[ServerHandler]:
    handler = ServerHandler()
    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield handler
    finally:
        signal.signal(signal.SIGTERM, previous)


async def test_sigterm_ends_streams_then_reaches_the_server(
    committing_database: Database, server_handler: ServerHandler
) -> None:
    url = committing_database.url
    app = create_app(settings_for(url), Database(url))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            account = await sign_up(client, "", "stopping")
            # What `GET /api/v1/events` streams, read straight from the app's hub: the
            # request's own part (authorisation, snapshot) is covered in tests/live.
            hub = app.state.live_hub
            subscription = await hub.subscribe(
                account.organization_id,
                Viewer(user_id=account.user_id, client_id=None, sees_others=True),
            )
            snapshot = {"organization_id": account.organization_id}
            stream = sse.stream(subscription, snapshot, heartbeat_seconds=60)
            assert b"event: snapshot" in await anext(stream)

            signal.raise_signal(signal.SIGTERM)

            async with asyncio.timeout(5):
                assert [message async for message in stream] == []
            assert server_handler.received == [signal.SIGTERM]
            assert hub.subscriber_count() == 0
            late = await client.get(
                EVENTS, headers={**account.headers, "Accept": "text/event-stream"}
            )
            assert late.status_code == 503
            assert late.headers["Retry-After"] == "5"
            assert late.json()["error_code"] == "live_unavailable"
            assert (
                await client.get("/api/v1/users/me", headers=account.headers)
            ).status_code == 200

    assert signal.getsignal(signal.SIGTERM) is server_handler
