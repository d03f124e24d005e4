"""Seed 002 timer control: GET /timer/status and POST /timer/start."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from clocktower.kit.time import utcnow
from clocktower.models import Project, Task
from tests.support import Api, Factory, Member, api_token
from tests.time_entry.conftest import make_project
from tests.timer.conftest import (
    ENTRY_KEYS,
    START,
    STATUS,
    STOP,
    allow_several_timers,
    iso,
    running_entries,
    start,
    webhook_events,
)


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class TestTimerStatus:
    async def test_no_timer_is_inactive(self, api: Api, member: Member) -> None:
        response = await api.as_(member).get(STATUS)

        assert response.status_code == 200
        assert response.json() == {"active": False, "timer": None}

    async def test_running_timer_is_shown_enriched(
        self, api: Api, member: Member, task: Task
    ) -> None:
        started = await start(api, member, task_id=task.id, notes="Homepage hero")

        response = await api.as_(member).get(STATUS)

        assert response.status_code == 200
        body = response.json()
        assert body["active"] is True
        timer = body["timer"]
        assert set(timer) == ENTRY_KEYS
        assert timer["id"] == started["id"]
        assert timer["is_active"] is True
        assert timer["end_time"] is None
        assert timer["start_time"].endswith("Z")
        assert timer["notes"] == "Homepage hero"
        assert timer["project"]["name"] == "Website"
        assert timer["task"] == {"id": task.id, "name": "Homepage"}
        assert timer["user"] == {"id": member.id, "name": "Max Member"}

    async def test_shows_only_the_callers_timer(
        self, api: Api, member: Member, admin: Member, project: Project
    ) -> None:
        await start(api, admin, project_id=project.id)

        response = await api.as_(member).get(STATUS)

        assert response.json() == {"active": False, "timer": None}

    async def test_stopped_timer_is_no_longer_active(
        self, api: Api, member: Member, project: Project
    ) -> None:
        await start(api, member, project_id=project.id)
        await api.as_(member).post(STOP)

        response = await api.as_(member).get(STATUS)

        assert response.json() == {"active": False, "timer": None}

    async def test_several_timers_show_the_latest(
        self, api: Api, owner: Member, member: Member, project: Project
    ) -> None:
        await allow_several_timers(api, owner)
        await start(api, member, project_id=project.id, start_time=iso(30))
        latest = await start(api, member, project_id=project.id, start_time=iso(5))
        await start(api, member, project_id=project.id, start_time=iso(60))

        response = await api.as_(member).get(STATUS)

        assert response.json()["timer"]["id"] == latest["id"]

    async def test_viewer_may_read_status(self, api: Api, viewer: Member) -> None:
        response = await api.as_(viewer).get(STATUS)

        assert response.status_code == 200

    async def test_token_needs_read_scope(self, api: Api, factory: Factory, member: Member) -> None:
        token = await api_token(factory, member, ["write:projects"])

        response = await api.as_(token).get(STATUS)

        assert response.status_code == 403
        assert response.json()["required_scope"] == "read:time_entries"

    async def test_anonymous_is_unauthorized(self, api: Api) -> None:
        response = await api.get(STATUS)

        assert response.status_code == 401


class TestStartTimer:
    async def test_seed_body_starts_a_timer(
        self, api: Api, factory: Factory, member: Member, project: Project, task: Task
    ) -> None:
        before = utcnow()

        response = await api.as_(member).post(
            START,
            json={
                "project_id": project.id,
                "task_id": task.id,
                "notes": "Hero section",
                "tags": "design, frontend,design",
                "billable": False,
            },
        )

        assert response.status_code == 201, response.text
        body = response.json()
        assert body["message"] == "Timer started"
        timer = body["timer"]
        assert set(timer) == ENTRY_KEYS
        assert timer["user_id"] == member.id
        assert timer["project_id"] == project.id
        assert timer["task_id"] == task.id
        assert timer["is_active"] is True
        assert timer["end_time"] is None
        assert timer["duration_seconds"] is None
        assert timer["source"] == "timer"
        assert timer["notes"] == "Hero section"
        assert timer["tags"] == "design,frontend"
        assert timer["billable"] is False
        assert before - timedelta(seconds=1) <= instant(timer["start_time"]) <= utcnow()
        [running] = await running_entries(factory, member)
        assert running.id == timer["id"]

    async def test_task_alone_brings_its_project(
        self, api: Api, member: Member, project: Project, task: Task
    ) -> None:
        timer = await start(api, member, task_id=task.id)

        assert timer["project_id"] == project.id
        assert timer["billable"] is True

    async def test_project_alone_is_enough(
        self, api: Api, member: Member, project: Project
    ) -> None:
        timer = await start(api, member, project_id=project.id)

        assert timer["project_id"] == project.id
        assert timer["task_id"] is None

    async def test_project_or_task_is_required(self, api: Api, member: Member) -> None:
        response = await api.as_(member).post(START, json={"notes": "What on?"})

        assert response.status_code == 400
        body = response.json()
        assert body["error_code"] == "validation_error"
        assert "project_id" in body["errors"]

    async def test_second_start_is_a_conflict(
        self, api: Api, factory: Factory, member: Member, project: Project
    ) -> None:
        first = await start(api, member, project_id=project.id)

        response = await api.as_(member).post(START, json={"project_id": project.id})

        assert response.status_code == 409
        body = response.json()
        assert body["error_code"] == "timer_already_running"
        assert body["running_entry_id"] == first["id"]
        assert {"error", "message"} <= set(body)
        assert [e.id for e in await running_entries(factory, member)] == [first["id"]]

    async def test_others_timers_do_not_conflict(
        self, api: Api, member: Member, admin: Member, project: Project
    ) -> None:
        await start(api, admin, project_id=project.id)

        response = await api.as_(member).post(START, json={"project_id": project.id})

        assert response.status_code == 201

    async def test_several_timers_when_the_setting_is_off(
        self, api: Api, factory: Factory, owner: Member, member: Member, project: Project
    ) -> None:
        await allow_several_timers(api, owner)
        await start(api, member, project_id=project.id)

        response = await api.as_(member).post(START, json={"project_id": project.id})

        assert response.status_code == 201
        assert len(await running_entries(factory, member)) == 2

    async def test_inactive_project_is_refused(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        archived = await make_project(factory, owner.organization, name="Old", status="archived")

        response = await api.as_(member).post(START, json={"project_id": archived.id})

        assert response.status_code == 400
        assert response.json()["error_code"] == "project_inactive"
        assert await running_entries(factory, member) == []

    async def test_unknown_project_is_an_invalid_reference(self, api: Api, member: Member) -> None:
        response = await api.as_(member).post(START, json={"project_id": 987654})

        assert response.status_code == 422
        assert response.json()["error_code"] == "invalid_reference"

    async def test_other_organisations_task_is_an_invalid_reference(
        self, api: Api, factory: Factory, member: Member, other_task: Task
    ) -> None:
        response = await api.as_(member).post(START, json={"task_id": other_task.id})

        assert response.status_code == 422
        assert response.json()["error_code"] == "invalid_reference"
        assert await running_entries(factory, member) == []

    async def test_task_of_another_project_is_refused(
        self, api: Api, factory: Factory, owner: Member, member: Member, task: Task
    ) -> None:
        elsewhere = await make_project(factory, owner.organization, name="Intranet")

        response = await api.as_(member).post(
            START, json={"project_id": elsewhere.id, "task_id": task.id}
        )

        assert response.status_code == 400
        assert "task_id" in response.json()["errors"]

    async def test_start_time_with_offset_is_converted(
        self, api: Api, member: Member, project: Project
    ) -> None:
        moment = (utcnow() - timedelta(hours=2)).replace(microsecond=0)
        india = timezone(timedelta(hours=5, minutes=30))

        timer = await start(
            api, member, project_id=project.id, start_time=moment.astimezone(india).isoformat()
        )

        assert timer["start_time"] == moment.isoformat().replace("+00:00", "Z")

    async def test_naive_start_time_is_the_callers_wall_clock(
        self, api: Api, factory: Factory, owner: Member, project: Project
    ) -> None:
        tokyo = await factory.member(owner.organization, "member", timezone="Asia/Tokyo")
        moment = (utcnow() - timedelta(hours=3)).replace(microsecond=0)
        wall_clock = (moment + timedelta(hours=9)).replace(tzinfo=None).isoformat()

        timer = await start(api, tokyo, project_id=project.id, start_time=wall_clock)

        assert instant(timer["start_time"]) == moment

    async def test_future_start_is_refused(
        self, api: Api, member: Member, project: Project
    ) -> None:
        later = (utcnow() + timedelta(hours=1)).isoformat()

        response = await api.as_(member).post(
            START, json={"project_id": project.id, "start_time": later}
        )

        assert response.status_code == 400
        assert "start_time" in response.json()["errors"]

    async def test_unknown_field_is_refused(
        self, api: Api, member: Member, project: Project
    ) -> None:
        response = await api.as_(member).post(
            START, json={"project_id": project.id, "user_id": member.id}
        )

        assert response.status_code == 400
        assert response.json()["error_code"] == "validation_error"

    async def test_viewer_cannot_start(self, api: Api, viewer: Member, project: Project) -> None:
        response = await api.as_(viewer).post(START, json={"project_id": project.id})

        assert response.status_code == 403
        assert response.json()["required_permission"] == "time_entry.create"

    async def test_customer_cannot_start(self, api: Api, factory: Factory, owner: Member) -> None:
        acme = await factory.client(owner.organization, name="Acme")
        theirs = await make_project(
            factory, owner.organization, name="Acme site", client_id=acme.id
        )
        customer = await factory.member(owner.organization, "customer", client_id=acme.id)

        response = await api.as_(customer).post(START, json={"project_id": theirs.id})

        assert response.status_code == 403
        assert await running_entries(factory, customer) == []

    async def test_token_needs_write_scope(
        self, api: Api, factory: Factory, member: Member, project: Project
    ) -> None:
        token = await api_token(factory, member, ["read:time_entries"])

        response = await api.as_(token).post(START, json={"project_id": project.id})

        assert response.status_code == 403
        assert response.json()["required_scope"] == "write:time_entries"

    async def test_idempotency_key_replays_the_first_answer(
        self, api: Api, factory: Factory, member: Member, project: Project
    ) -> None:
        headers = {"Idempotency-Key": "start-website-1"}
        body = {"project_id": project.id}

        first = await api.as_(member).post(START, json=body, headers=headers)
        again = await api.as_(member).post(START, json=body, headers=headers)

        assert first.status_code == again.status_code == 201
        assert again.content == first.content
        assert again.headers["Idempotent-Replayed"] == "true"
        assert len(await running_entries(factory, member)) == 1

    async def test_idempotency_key_with_another_body_is_refused(
        self, api: Api, member: Member, project: Project, task: Task
    ) -> None:
        headers = {"Idempotency-Key": "start-website-2"}
        await api.as_(member).post(START, json={"project_id": project.id}, headers=headers)

        response = await api.as_(member).post(START, json={"task_id": task.id}, headers=headers)

        assert response.status_code == 422
        assert response.json()["error_code"] == "idempotency_key_reused"

    async def test_start_queues_webhook_events(
        self, api: Api, factory: Factory, member: Member, project: Project
    ) -> None:
        timer = await start(api, member, project_id=project.id)

        events = await webhook_events(factory, member)

        assert ("timer.started", timer["id"]) in events
        assert ("time_entry.created", timer["id"]) in events

    async def test_refused_start_queues_nothing(
        self, api: Api, factory: Factory, member: Member, project: Project
    ) -> None:
        await start(api, member, project_id=project.id)
        before = await webhook_events(factory, member)

        refused = await api.as_(member).post(START, json={"project_id": project.id})

        assert refused.status_code == 409
        assert await webhook_events(factory, member) == before
