"""Live-update fixtures: streams on the test's app, and a project to track time on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from clocktower.live.hub import Hub
from clocktower.models import Project
from tests.support import Factory, Member
from tests.time_entry.conftest import make_project

EVENTS = "/api/v1/events"


@pytest.fixture
def hub(app: Any) -> Iterator[Hub]:
    """The app's hub; settings a test changes are put back afterwards."""
    found: Hub = app.state.live_hub
    heartbeat, queue_size = found.heartbeat_seconds, found.queue_size
    yield found
    found.heartbeat_seconds, found.queue_size = heartbeat, queue_size


@pytest.fixture
async def project(factory: Factory, owner: Member) -> Project:
    return await make_project(factory, owner.organization, name="Live project")
