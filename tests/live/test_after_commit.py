"""Events leave only with their commit: a rolled-back request or savepoint publishes
nothing."""

from __future__ import annotations

from typing import Any

import pytest

from clocktower.db import Database
from clocktower.errors import Conflict
from clocktower.live.events import Viewer
from clocktower.live.hub import Hub
from clocktower.live.publish import queue_live
from clocktower.models import Project
from clocktower.time_entry import service as entry_service
from tests.live.stream import EventStream
from tests.support import Api, Member

ENTRY = {"start_time": "2024-03-04T09:00:00Z", "end_time": "2024-03-04T10:00:00Z"}


async def test_failed_request_publishes_nothing(
    api: Api, app: Any, owner: Member, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def fail_after_announcing(*_args: Any) -> None:
        raise Conflict("Refused after the events were queued")

    async with EventStream(app, owner.token) as stream:
        await stream.next_event("snapshot")
        with monkeypatch.context() as patched:
            patched.setattr(entry_service, "queue_budget_check", fail_after_announcing)
            failed = await api.as_(owner).post(
                "/api/v1/time-entries", json={"project_id": project.id, **ENTRY}
            )
            assert failed.status_code == 409, failed.text
        kept = await api.as_(owner).post(
            "/api/v1/time-entries", json={"project_id": project.id, **ENTRY}
        )
        assert kept.status_code == 201, kept.text
        first = await stream.next()
    kept_id = kept.json()["time_entry"]["id"]
    assert (first.event, first.data["id"]) == ("time_entry.created", kept_id)


async def test_session_commit_rollback_and_savepoints(
    database: Database, hub: Hub, owner: Member
) -> None:
    organization_id = owner.organization.id
    subscription = await hub.subscribe(organization_id, Viewer(owner.id, None, True))
    try:
        async with database.sessionmaker() as session:
            await session.begin()
            queue_live(session, organization_id, "time_entry.deleted", {"id": 1})
            await session.rollback()

            await session.begin()
            queue_live(session, organization_id, "time_entry.deleted", {"id": 2})
            try:
                async with session.begin_nested():
                    queue_live(session, organization_id, "time_entry.deleted", {"id": 3})
                    raise RuntimeError("savepoint rolled back")
            except RuntimeError:
                pass
            async with session.begin_nested():
                queue_live(session, organization_id, "time_entry.deleted", {"id": 4})
            assert await subscription.next(0.01) is None  # released savepoint: not yet
            await session.commit()

        received = []
        while (item := await subscription.next(0.01)) is not None:
            received.append(item)
    finally:
        subscription.close()
    assert [getattr(item, "data", None) for item in received] == [{"id": 2}, {"id": 4}]


async def test_unknown_event_is_refused(database: Database) -> None:
    async with database.sessionmaker() as session:
        with pytest.raises(ValueError):
            queue_live(session, 1, "project.created", {})
