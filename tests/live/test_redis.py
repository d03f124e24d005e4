"""Two app instances sharing Redis: an event raised on one reaches a stream on the other."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest

from clocktower.db import Database
from clocktower.live.hub import RedisHub
from clocktower.main import create_app
from tests.concurrency.conftest import register
from tests.conftest import test_settings as settings_for
from tests.live.stream import EventStream

pytestmark = pytest.mark.committing


@pytest.fixture
async def instances(committing_database: Database, redis_url: str) -> AsyncIterator[list[Any]]:
    """Two apps as two server processes would run them: one database, one Redis."""
    url = committing_database.url
    async with AsyncExitStack() as stack:
        apps = []
        for _ in range(2):
            app = create_app(settings_for(url, redis_url=redis_url), Database(url))
            await stack.enter_async_context(app.router.lifespan_context(app))
            apps.append(app)
        yield apps


async def test_event_crosses_instances(instances: list[Any]) -> None:
    writer_app, reader_app = instances
    assert isinstance(reader_app.state.live_hub, RedisHub)
    transport = httpx.ASGITransport(app=writer_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as writer:
        signed_in = await register(writer, "live-redis@example.com")
        headers = {"Authorization": f"Bearer {signed_in['token']}"}
        project = await writer.post("/api/v1/projects", json={"name": "Fan-out"}, headers=headers)
        assert project.status_code == 201, project.text
        project_id = project.json()["project"]["id"]

        async with EventStream(reader_app, signed_in["token"]) as stream:
            snapshot = await stream.next_event("snapshot")
            assert snapshot.data["timer"] is None
            started = await writer.post(
                "/api/v1/timer/start", json={"project_id": project_id}, headers=headers
            )
            assert started.status_code == 201, started.text
            entry_id = started.json()["timer"]["id"]
            event = await stream.next_event("timer.started")
            while event.data["id"] != entry_id:  # another run's organisation, same Redis
                event = await stream.next_event("timer.started")
    assert event.data["project_id"] == project_id
