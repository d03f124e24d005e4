"""POST /time-entries: seed 002 bodies, running timers, spans, zones, references, idempotency."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from clocktower.kit.time import utcnow
from clocktower.models import Project, Task
from tests.support import Api, Factory, Member
from tests.time_entry.conftest import (
    ENTRIES,
    create_entry,
    entry_count,
    iso,
    make_project,
    make_task,
    set_organization_settings,
    set_timezone,
    stored_entries,
    utc,
)

SEED_BODY = {
    "start_time": "2024-01-15T09:00:00Z",
    "end_time": "2024-01-15T17:00:00Z",
    "notes": "Worked on feature X",
    "tags": "development,frontend",
    "billable": True,
}


class TestCreate:
    async def test_seed_body(
        self, api: Api, factory: Factory, member: Member, project: Project, task: Task
    ) -> None:
        body = {"project_id": project.id, "task_id": task.id, **SEED_BODY}

        response = await api.as_(member).post(ENTRIES, json=body)

        assert response.status_code == 201, response.text
        answer = response.json()
        assert answer["message"] == "Time entry created"
        entry = answer["time_entry"]
        assert entry | {"id": 0, "created_at": "", "updated_at": ""} == {
            "id": 0,
            "user_id": member.id,
            "project_id": project.id,
            "task_id": task.id,
            "client_id": None,
            "start_time": "2024-01-15T09:00:00Z",
            "end_time": "2024-01-15T17:00:00Z",
            "duration_seconds": 8 * 3600,
            "duration_hours": 8.0,
            "is_active": False,
            "notes": "Worked on feature X",
            "tags": "development,frontend",
            "billable": True,
            "paid": False,
            "source": "manual",
            "external_id": None,
            "created_at": "",
            "updated_at": "",
            "user": {"id": member.id, "name": "Max Member"},
            "project": {"id": project.id, "name": "Website", "color": None},
            "task": {"id": task.id, "name": "Homepage"},
            "client": None,
        }
        assert entry["created_at"].endswith("Z")
        (stored,) = await stored_entries(factory, member.organization)
        assert stored.start_at == utc("2024-01-15T09:00")
        assert stored.end_at == utc("2024-01-15T17:00")
        assert stored.duration_seconds == 8 * 3600
        assert stored.running_slot is None

    async def test_a_task_brings_its_project_and_a_project_its_client(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        client = await factory.client(owner.organization, name="Acme Corp")
        project = await make_project(factory, owner.organization, client_id=client.id)
        task = await make_task(factory, project)

        entry = await create_entry(api, member, task_id=task.id)

        assert (entry["project_id"], entry["client_id"]) == (project.id, client.id)
        assert entry["client"] == {"id": client.id, "name": "Acme Corp"}

    async def test_billable_defaults_to_the_projects(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        internal = await make_project(factory, owner.organization, name="Internal", billable=False)

        assert (await create_entry(api, member, project_id=internal.id))["billable"] is False
        assert (await create_entry(api, member))["billable"] is True
        overridden = await create_entry(api, member, project_id=internal.id, billable=True)
        assert overridden["billable"] is True

    async def test_tags_are_normalised(self, api: Api, member: Member) -> None:
        from_text = await create_entry(api, member, tags=" development, ,frontend,Development")
        from_list = await create_entry(api, member, tags=["design", "ux,design"])
        empty = await create_entry(api, member, tags=" , ")

        assert from_text["tags"] == "development,frontend"
        assert from_list["tags"] == "design,ux"
        assert empty["tags"] is None

    async def test_duration_seconds_instead_of_end_time(self, api: Api, member: Member) -> None:
        entry = await create_entry(
            api, member, end_time=None, start_time="2024-01-15T09:00:00Z", duration_seconds=5400
        )

        assert entry["end_time"] == "2024-01-15T10:30:00Z"
        assert entry["duration_seconds"] == 5400
        assert entry["duration_hours"] == 1.5

    async def test_duration_agreeing_with_end_time_is_accepted(
        self, api: Api, member: Member
    ) -> None:
        entry = await create_entry(api, member, duration_seconds=8 * 3600)

        assert entry["duration_seconds"] == 8 * 3600

    async def test_offsets_are_converted_to_utc(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        entry = await create_entry(
            api,
            member,
            start_time="2024-01-15T10:00:00+02:00",
            end_time="2024-01-15T09:30:00-01:00",
        )

        assert entry["start_time"] == "2024-01-15T08:00:00Z"
        assert entry["end_time"] == "2024-01-15T10:30:00Z"
        assert entry["duration_seconds"] == 9000
        (stored,) = await stored_entries(factory, member.organization)
        assert stored.start_at == utc("2024-01-15T08:00")

    async def test_naive_times_are_the_callers_wall_clock(self, api: Api, member: Member) -> None:
        await set_timezone(api, member, "Europe/Amsterdam")

        winter = await create_entry(
            api, member, start_time="2024-01-15T10:00:00", end_time="2024-01-15T11:00:00"
        )
        summer = await create_entry(
            api, member, start_time="2024-07-15T10:00:00", end_time="2024-07-15T11:00:00"
        )

        assert winter["start_time"] == "2024-01-15T09:00:00Z"
        assert summer["start_time"] == "2024-07-15T08:00:00Z"
        assert summer["end_time"] == "2024-07-15T09:00:00Z"

    async def test_naive_span_over_the_dst_change_counts_real_seconds(
        self, api: Api, member: Member
    ) -> None:
        await set_timezone(api, member, "Europe/Amsterdam")

        # 00:00 to 04:00 on the night the clocks go forward is three real hours.
        entry = await create_entry(
            api, member, start_time="2024-03-31T00:00:00", end_time="2024-03-31T04:00:00"
        )

        assert entry["duration_seconds"] == 3 * 3600

    async def test_external_id_and_source(self, api: Api, member: Member) -> None:
        entry = await create_entry(api, member, source="integration", external_id="gh-42")

        assert (entry["source"], entry["external_id"]) == ("integration", "gh-42")


class TestRunningTimer:
    async def test_without_end_time_a_timer_starts(
        self, api: Api, factory: Factory, member: Member, project: Project
    ) -> None:
        before = utcnow()

        response = await api.as_(member).post(ENTRIES, json={"project_id": project.id})

        assert response.status_code == 201, response.text
        assert response.json()["message"] == "Timer started"
        entry = response.json()["time_entry"]
        assert entry["is_active"] is True
        assert entry["source"] == "timer"
        assert (entry["end_time"], entry["duration_seconds"], entry["duration_hours"]) == (
            None,
            None,
            None,
        )
        (stored,) = await stored_entries(factory, member.organization)
        assert before - timedelta(seconds=1) <= stored.start_at <= utcnow()
        assert stored.end_at is None

    async def test_timer_may_start_in_the_past(self, api: Api, member: Member) -> None:
        start = (utcnow() - timedelta(hours=2)).replace(microsecond=0)

        response = await api.as_(member).post(ENTRIES, json={"start_time": iso(start)})

        assert response.status_code == 201
        assert response.json()["time_entry"]["start_time"] == iso(start)

    async def test_timer_may_not_start_in_the_future(self, api: Api, member: Member) -> None:
        later = utcnow() + timedelta(hours=1)

        response = await api.as_(member).post(ENTRIES, json={"start_time": iso(later)})

        assert response.status_code == 400
        assert "start_time" in response.json()["errors"]

    async def test_second_timer_is_a_conflict(
        self, api: Api, factory: Factory, member: Member, project: Project
    ) -> None:
        first = await api.as_(member).post(ENTRIES, json={"project_id": project.id})

        second = await api.as_(member).post(ENTRIES, json={"project_id": project.id})

        assert second.status_code == 409
        body = second.json()
        assert body["error_code"] == "timer_already_running"
        assert body["running_entry_id"] == first.json()["time_entry"]["id"]
        assert await entry_count(factory, member.organization.id) == 1

    async def test_stopped_entries_do_not_conflict_with_a_timer(
        self, api: Api, member: Member, owner: Member
    ) -> None:
        assert (await api.as_(member).post(ENTRIES, json={})).status_code == 201
        # Manual entries, and other people's timers, are not in the way.
        await create_entry(api, member)
        assert (await api.as_(owner).post(ENTRIES, json={})).status_code == 201

    async def test_several_timers_when_the_setting_is_off(
        self, api: Api, owner: Member, member: Member
    ) -> None:
        await set_organization_settings(api, owner, single_active_timer=False)

        first = await api.as_(member).post(ENTRIES, json={})
        second = await api.as_(member).post(ENTRIES, json={})

        assert (first.status_code, second.status_code) == (201, 201)


class TestSpans:
    async def test_end_must_follow_start(self, api: Api, factory: Factory, member: Member) -> None:
        for end in ("2024-01-15T09:00:00Z", "2024-01-15T08:00:00Z"):
            response = await api.as_(member).post(
                ENTRIES, json={"start_time": "2024-01-15T09:00:00Z", "end_time": end}
            )
            assert response.status_code == 400, end
            assert response.json()["errors"] == {"end_time": ["end_time must be after start_time"]}
        assert await entry_count(factory, member.organization.id) == 0

    async def test_a_day_or_more_needs_the_setting(self, api: Api, owner: Member) -> None:
        day = {"start_time": "2024-01-15T09:00:00Z", "end_time": "2024-01-16T09:00:00Z"}
        just_under = {"start_time": "2024-01-15T09:00:00Z", "end_time": "2024-01-16T08:59:59Z"}

        refused = await api.as_(owner).post(ENTRIES, json=day)
        assert refused.status_code == 400
        assert "24 hours" in refused.json()["errors"]["end_time"][0]
        assert (await api.as_(owner).post(ENTRIES, json=just_under)).status_code == 201

        await set_organization_settings(api, owner, allow_entries_over_24h=True)
        allowed = await api.as_(owner).post(ENTRIES, json=day)
        assert allowed.status_code == 201
        assert allowed.json()["time_entry"]["duration_hours"] == 24.0

    async def test_more_than_a_week_is_always_refused(self, api: Api, owner: Member) -> None:
        await set_organization_settings(api, owner, allow_entries_over_24h=True)
        week = {"start_time": "2024-01-01T00:00:00Z", "end_time": "2024-01-08T00:00:00Z"}
        longer = {"start_time": "2024-01-01T00:00:00Z", "end_time": "2024-01-08T00:00:01Z"}

        assert (await api.as_(owner).post(ENTRIES, json=week)).status_code == 201
        refused = await api.as_(owner).post(ENTRIES, json=longer)
        assert refused.status_code == 400
        assert "7 days" in refused.json()["errors"]["end_time"][0]
        too_many = await api.as_(owner).post(
            ENTRIES,
            json={"start_time": "2024-01-01T00:00:00Z", "duration_seconds": 7 * 86400 + 1},
        )
        assert too_many.status_code == 400
        assert "duration_seconds" in too_many.json()["errors"]

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"end_time": "2024-01-15T17:00:00Z"}, "start_time"),
            ({"duration_seconds": 60}, "start_time"),
            ({"start_time": "2024-01-15T09:00:00Z", "duration_seconds": 0}, "duration_seconds"),
            ({"start_time": "2024-01-15T09:00:00Z", "duration_seconds": "60"}, "duration_seconds"),
            (
                {
                    "start_time": "2024-01-15T09:00:00Z",
                    "end_time": "2024-01-15T10:00:00Z",
                    "duration_seconds": 60,
                },
                "duration_seconds",
            ),
            ({"start_time": "2024-01-15 nine o'clock"}, "start_time"),
            ({"start_time": "0001-01-01T00:00:00+01:00", "duration_seconds": 60}, "start_time"),
            ({"start_time": "9999-12-31T23:59:00Z", "duration_seconds": 3600}, "start_time"),
            (
                {"start_time": "2024-01-15T09:00:00Z", "end_time": "3000-01-01T00:00:00Z"},
                "end_time",
            ),
        ],
    )
    async def test_malformed_spans_are_refused(
        self, api: Api, factory: Factory, member: Member, body: dict[str, Any], field: str
    ) -> None:
        response = await api.as_(member).post(ENTRIES, json=body)

        assert response.status_code == 400, response.text
        assert response.json()["error_code"] == "validation_error"
        assert field in response.json()["errors"]
        assert await entry_count(factory, member.organization.id) == 0


class TestReferences:
    async def test_task_of_another_project_is_refused(
        self, api: Api, factory: Factory, owner: Member, member: Member, task: Task
    ) -> None:
        elsewhere = await make_project(factory, owner.organization, name="Elsewhere")

        response = await api.as_(member).post(
            ENTRIES, json={**SEED_BODY, "project_id": elsewhere.id, "task_id": task.id}
        )

        assert response.status_code == 400
        assert response.json()["errors"] == {"task_id": ["The task does not belong to project_id"]}

    async def test_client_of_another_project_is_refused(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        acme = await factory.client(owner.organization)
        globex = await factory.client(owner.organization)
        project = await make_project(factory, owner.organization, client_id=acme.id)

        response = await api.as_(member).post(
            ENTRIES, json={**SEED_BODY, "project_id": project.id, "client_id": globex.id}
        )

        assert response.status_code == 400
        assert "client_id" in response.json()["errors"]

    async def test_client_without_project(self, api: Api, factory: Factory, owner: Member) -> None:
        acme = await factory.client(owner.organization, name="Acme Corp")

        entry = await create_entry(api, owner, client_id=acme.id)

        assert (entry["project_id"], entry["client_id"]) == (None, acme.id)

    @pytest.mark.parametrize("field", ["project_id", "task_id", "client_id"])
    async def test_unknown_or_foreign_references_are_invalid(
        self,
        api: Api,
        factory: Factory,
        member: Member,
        other_owner: Member,
        other_project: Project,
        field: str,
    ) -> None:
        foreign = {
            "project_id": other_project.id,
            "task_id": (await make_task(factory, other_project)).id,
            "client_id": (await factory.client(other_owner.organization)).id,
        }[field]
        for value in (foreign, 999_999):
            response = await api.as_(member).post(ENTRIES, json={**SEED_BODY, field: value})

            assert response.status_code == 422, (field, value)
            body = response.json()
            assert body["error_code"] == "invalid_reference"
            assert field in body["errors"]
        assert await entry_count(factory, member.organization.id) == 0

    @pytest.mark.parametrize("status", ["archived", "on_hold"])
    async def test_inactive_project_is_refused(
        self, api: Api, factory: Factory, owner: Member, member: Member, status: str
    ) -> None:
        project = await make_project(factory, owner.organization, status=status)

        for body in ({"project_id": project.id}, {**SEED_BODY, "project_id": project.id}):
            response = await api.as_(member).post(ENTRIES, json=body)

            assert response.status_code == 400
            assert response.json()["error_code"] == "project_inactive"
            assert "project_id" in response.json()["errors"]


class TestBody:
    @pytest.mark.parametrize(
        "body",
        [
            {**SEED_BODY, "hours": 8},
            {**SEED_BODY, "paid": None},
            {**SEED_BODY, "billable": "yes please"},
            {**SEED_BODY, "source": "telepathy"},
            {**SEED_BODY, "tags": 7},
            {**SEED_BODY, "tags": "x" * 51},
            {**SEED_BODY, "project_id": "one"},
            {**SEED_BODY, "notes": "x" * 20_001},
        ],
    )
    async def test_bad_bodies_are_refused(
        self, api: Api, member: Member, body: dict[str, Any]
    ) -> None:
        response = await api.as_(member).post(ENTRIES, json=body)

        assert response.status_code == 400, response.text
        assert response.json()["error_code"] == "validation_error"
        assert response.json()["errors"]

    async def test_malformed_json_is_refused(self, api: Api, member: Member) -> None:
        response = await api.as_(member).post(
            ENTRIES, content=b"{not json", headers={"Content-Type": "application/json"}
        )

        assert response.status_code == 400


class TestForSomeoneElse:
    async def test_admin_records_time_for_a_member(
        self, api: Api, admin: Member, member: Member
    ) -> None:
        entry = await create_entry(api, admin, user_id=member.id)

        assert entry["user_id"] == member.id
        assert entry["user"] == {"id": member.id, "name": "Max Member"}

    async def test_own_user_id_is_fine_for_anyone(self, api: Api, member: Member) -> None:
        assert (await create_entry(api, member, user_id=member.id))["user_id"] == member.id

    async def test_member_may_not(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        response = await api.as_(member).post(ENTRIES, json={**SEED_BODY, "user_id": owner.id})

        assert response.status_code == 403
        assert response.json()["error_code"] == "forbidden"
        assert await entry_count(factory, owner.organization.id) == 0

    async def test_user_outside_the_organisation_is_invalid(
        self, api: Api, admin: Member, other_owner: Member
    ) -> None:
        for user_id in (other_owner.id, 999_999):
            response = await api.as_(admin).post(ENTRIES, json={**SEED_BODY, "user_id": user_id})

            assert response.status_code == 422
            assert response.json()["errors"] == {
                "user_id": ["User is not a member of this organisation"]
            }


class TestIdempotency:
    async def test_same_key_replays_without_a_second_row(
        self, api: Api, factory: Factory, member: Member, project: Project
    ) -> None:
        body = {**SEED_BODY, "project_id": project.id}
        headers = {"Idempotency-Key": "entry-2024-01-15"}

        first = await api.as_(member).post(ENTRIES, json=body, headers=headers)
        again = await api.as_(member).post(ENTRIES, json=body, headers=headers)

        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert await entry_count(factory, member.organization.id) == 1

    async def test_replayed_timer_start_is_not_a_conflict(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        headers = {"Idempotency-Key": "start-once"}

        first = await api.as_(member).post(ENTRIES, json={}, headers=headers)
        again = await api.as_(member).post(ENTRIES, json={}, headers=headers)

        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json() == first.json()
        assert await entry_count(factory, member.organization.id) == 1

    async def test_other_keys_create_other_entries(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        for key in ("a", "b"):
            response = await api.as_(member).post(
                ENTRIES, json=SEED_BODY, headers={"Idempotency-Key": key}
            )
            assert response.status_code == 201

        assert await entry_count(factory, member.organization.id) == 2

    async def test_same_key_with_another_body_is_refused(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        headers = {"Idempotency-Key": "reused"}
        await api.as_(member).post(ENTRIES, json=SEED_BODY, headers=headers)

        response = await api.as_(member).post(
            ENTRIES, json={**SEED_BODY, "notes": "something else"}, headers=headers
        )

        assert response.status_code == 422
        assert response.json()["error_code"] == "idempotency_key_reused"
        assert await entry_count(factory, member.organization.id) == 1
