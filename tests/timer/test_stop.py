"""Seed 002 POST /timer/stop."""

from __future__ import annotations

from clocktower.kit.time import utcnow
from clocktower.models import Project
from tests.support import Api, Factory, Member
from tests.timer.conftest import (
    ENTRY_KEYS,
    STOP,
    allow_several_timers,
    iso,
    running_entries,
    start,
    stored_entry,
    webhook_events,
)


class TestStopTimer:
    async def test_stops_the_running_timer(
        self, api: Api, factory: Factory, member: Member, project: Project
    ) -> None:
        started = await start(api, member, project_id=project.id, start_time=iso(90))

        response = await api.as_(member).post(STOP)

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["message"] == "Timer stopped"
        timer = body["timer"]
        assert set(timer) == ENTRY_KEYS
        assert timer["id"] == started["id"]
        assert timer["is_active"] is False
        assert timer["end_time"].endswith("Z")
        assert 90 * 60 <= timer["duration_seconds"] < 91 * 60
        assert timer["duration_hours"] == 1.5
        stored = await stored_entry(factory, started["id"])
        assert stored is not None
        assert stored.end_at is not None
        assert stored.running_slot is None

    async def test_empty_body_stops_too(self, api: Api, member: Member, project: Project) -> None:
        await start(api, member, project_id=project.id)

        response = await api.as_(member).post(STOP, json={})

        assert response.status_code == 200

    async def test_end_time_sets_the_end(self, api: Api, member: Member, project: Project) -> None:
        now = utcnow()
        await start(api, member, project_id=project.id, start_time=iso(60, now))

        response = await api.as_(member).post(STOP, json={"end_time": iso(15, now)})

        assert response.status_code == 200
        assert response.json()["timer"]["duration_seconds"] == 45 * 60

    async def test_end_before_start_is_refused(
        self, api: Api, factory: Factory, member: Member, project: Project
    ) -> None:
        await start(api, member, project_id=project.id, start_time=iso(10))

        response = await api.as_(member).post(STOP, json={"end_time": iso(20)})

        assert response.status_code == 400
        assert "end_time" in response.json()["errors"]
        assert len(await running_entries(factory, member)) == 1

    async def test_end_in_the_future_is_refused(
        self, api: Api, factory: Factory, member: Member, project: Project
    ) -> None:
        await start(api, member, project_id=project.id)

        response = await api.as_(member).post(STOP, json={"end_time": iso(-60)})

        assert response.status_code == 400
        assert "end_time" in response.json()["errors"]
        assert len(await running_entries(factory, member)) == 1

    async def test_nothing_running_is_a_conflict(self, api: Api, member: Member) -> None:
        response = await api.as_(member).post(STOP)

        assert response.status_code == 409
        assert response.json()["error_code"] == "no_active_timer"

    async def test_second_stop_is_a_conflict(
        self, api: Api, member: Member, project: Project
    ) -> None:
        await start(api, member, project_id=project.id)
        await api.as_(member).post(STOP)

        response = await api.as_(member).post(STOP)

        assert response.status_code == 409
        assert response.json()["error_code"] == "no_active_timer"

    async def test_stops_only_the_callers_timer(
        self, api: Api, factory: Factory, member: Member, admin: Member, project: Project
    ) -> None:
        await start(api, admin, project_id=project.id)

        response = await api.as_(member).post(STOP)

        assert response.status_code == 409
        assert len(await running_entries(factory, admin)) == 1

    async def test_timer_past_24_hours_is_still_stopped(
        self, api: Api, member: Member, project: Project
    ) -> None:
        # allow_entries_over_24h is off (the default): it limits typed time, not timers.
        await start(api, member, project_id=project.id, start_time=iso(30 * 60))

        response = await api.as_(member).post(STOP)

        assert response.status_code == 200
        assert response.json()["timer"]["duration_seconds"] >= 30 * 3600

    async def test_stop_queues_webhook_events(
        self, api: Api, factory: Factory, member: Member, project: Project
    ) -> None:
        timer = await start(api, member, project_id=project.id)

        await api.as_(member).post(STOP)

        events = await webhook_events(factory, member)
        assert ("timer.stopped", timer["id"]) in events
        assert ("time_entry.updated", timer["id"]) in events

    async def test_refused_stop_queues_nothing(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        response = await api.as_(member).post(STOP)

        assert response.status_code == 409
        assert await webhook_events(factory, member) == []

    async def test_viewer_cannot_stop(self, api: Api, viewer: Member) -> None:
        response = await api.as_(viewer).post(STOP)

        assert response.status_code == 403
        assert response.json()["required_permission"] == "time_entry.update"

    async def test_malformed_body_is_refused(self, api: Api, member: Member) -> None:
        response = await api.as_(member).post(
            STOP, content=b"{not json", headers={"Content-Type": "application/json"}
        )

        assert response.status_code == 400

    async def test_several_timers_stop_the_latest_first(
        self, api: Api, factory: Factory, owner: Member, member: Member, project: Project
    ) -> None:
        await allow_several_timers(api, owner)
        older = await start(api, member, project_id=project.id, start_time=iso(40))
        newer = await start(api, member, project_id=project.id, start_time=iso(10))

        stopped = await api.as_(member).post(STOP)

        assert stopped.json()["timer"]["id"] == newer["id"]
        assert [e.id for e in await running_entries(factory, member)] == [older["id"]]
