"""POST /sessions (seed 001): bodies in both spellings, validation, find-or-create of the
task and project, who may create."""

from __future__ import annotations

from typing import Any

from clocktower.models import FocusSession, Project, Task
from tests.client.conftest import customer_of
from tests.focus_session.conftest import SESSIONS, START, body, create_session, row_count
from tests.support import Api, Factory, Member, api_token
from tests.task.conftest import set_default_project
from tests.time_entry.conftest import make_project, make_task

SESSION_FIELDS = {
    "id",
    "task_id",
    "start_timestamp",
    "duration",
    "note",
    "type",
    "edited",
    "retro_added",
    "last_updated",
    "time_entry_id",
}


class TestCreateSession:
    async def test_seed_camel_case_body_answers_snake_case(
        self, api: Api, member: Member, task: Task
    ) -> None:
        response = await api.as_(member).post(
            SESSIONS,
            json={
                "task": {"id": task.id},
                "session": {
                    "startTimestamp": "2024-01-15T09:00:00Z",
                    "duration": 1500,
                    "note": "Deep work",
                    "type": "session",
                    "retroAdded": True,
                },
            },
        )

        assert response.status_code == 201, response.text
        answer = response.json()
        assert set(answer) == {"message", "session"}  # no task or project: none was created
        session = answer["session"]
        assert set(session) == SESSION_FIELDS
        assert session["task_id"] == task.id
        assert session["start_timestamp"] == "2024-01-15T09:00:00Z"
        assert session["duration"] == 1500
        assert session["note"] == "Deep work"
        assert session["type"] == "session"
        assert session["edited"] is False
        assert session["retro_added"] is True
        assert session["last_updated"].endswith("Z")
        assert isinstance(session["time_entry_id"], int)

    async def test_snake_case_body_and_a_break(self, api: Api, member: Member, task: Task) -> None:
        response = await api.as_(member).post(
            SESSIONS,
            json={
                "task": {"id": task.id, "is_completed": False},
                "session": {
                    "start_timestamp": "2024-01-15T09:25:00+01:00",
                    "duration": 300,
                    "type": "break",
                    "retro_added": False,
                },
            },
        )

        assert response.status_code == 201, response.text
        session = response.json()["session"]
        assert session["type"] == "break"
        assert session["start_timestamp"] == "2024-01-15T08:25:00Z"  # the offset is honoured
        assert session["time_entry_id"] is None
        assert session["note"] is None
        assert session["retro_added"] is False

    async def test_without_a_task(self, api: Api, member: Member) -> None:
        created = await create_session(api, member, type="long-break", duration=900)

        assert created["session"]["task_id"] is None
        assert created["session"]["type"] == "long-break"

    async def test_naive_start_is_in_the_callers_zone(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        amsterdam = await factory.member(owner.organization, timezone="Europe/Amsterdam")

        created = await create_session(api, amsterdam, start="2024-07-01T10:00:00")

        assert created["session"]["start_timestamp"] == "2024-07-01T08:00:00Z"

    async def test_seed_string_task_id_is_accepted(
        self, api: Api, member: Member, task: Task
    ) -> None:
        created = await create_session(api, member, task={"id": str(task.id)})

        assert created["session"]["task_id"] == task.id

    async def test_idempotency_key_replays(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        headers = {"Idempotency-Key": "pomodoro-1"}
        first = await api.as_(member).post(SESSIONS, json=body(), headers=headers)
        again = await api.as_(member).post(SESSIONS, json=body(), headers=headers)

        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert await row_count(factory, FocusSession) == 1


class TestValidation:
    async def test_bad_bodies_are_400(self, api: Api, member: Member, task: Task) -> None:
        good = body()["session"]
        bad_sessions: list[dict[str, Any]] = [
            {k: v for k, v in good.items() if k != "startTimestamp"},
            {k: v for k, v in good.items() if k != "type"},
            {k: v for k, v in good.items() if k != "duration"},
            {**good, "duration": 0},
            {**good, "duration": -5},
            {**good, "duration": "1500"},
            {**good, "duration": 1500.5},
            {**good, "duration": 8 * 24 * 3600},
            {**good, "type": "nap"},
            {**good, "startTimestamp": "yesterday"},
            {**good, "note": "x" * 20_001},
            {**good, "colour": "red"},
            {**good, "start_timestamp": "2024-01-15T09:00:00Z"},  # both spellings
        ]
        for session in bad_sessions:
            response = await api.as_(member).post(SESSIONS, json={"session": session})
            assert response.status_code == 400, session
            assert response.json()["error_code"] == "validation_error"
        bad_bodies: list[dict[str, Any]] = [
            {},
            {**body(), "task": {"id": task.id, "title": "Both"}},
            {**body(), "task": {}},
            {**body(), "task": {"title": ""}},
            {**body(), "project": {"title": "Only a project"}},
            {**body(), "project": {}},
            {**body(), "tags": "x"},
        ]
        for sent in bad_bodies:
            response = await api.as_(member).post(SESSIONS, json=sent)
            assert response.status_code == 400, sent
            assert response.json()["error_code"] == "validation_error"

    async def test_names_the_missing_field(self, api: Api, member: Member) -> None:
        response = await api.as_(member).post(
            SESSIONS, json={"session": {"duration": 60, "type": "session"}}
        )

        assert response.status_code == 400
        assert any("start_timestamp" in field for field in response.json()["errors"])

    async def test_a_day_or_more_needs_the_organisation_setting(
        self, api: Api, owner: Member, member: Member
    ) -> None:
        refused = await api.as_(member).post(SESSIONS, json=body(duration=24 * 3600))
        refused_break = await api.as_(member).post(
            SESSIONS, json=body(duration=24 * 3600, type="break")
        )
        allowed = await api.as_(owner).put(
            "/api/v1/settings", json={"allow_entries_over_24h": True}
        )
        accepted = await api.as_(member).post(SESSIONS, json=body(duration=24 * 3600))

        assert refused.status_code == refused_break.status_code == 400
        assert "session.duration" in refused.json()["errors"]
        assert allowed.status_code == 200, allowed.text
        assert accepted.status_code == 201, accepted.text
        assert accepted.json()["session"]["duration"] == 24 * 3600

    async def test_unknown_or_foreign_task_is_invalid_reference(
        self, api: Api, member: Member, other_task: Task
    ) -> None:
        for task_id in (other_task.id, 999_999):
            response = await api.as_(member).post(SESSIONS, json=body(task={"id": task_id}))
            assert response.status_code == 422, task_id
            assert response.json()["error_code"] == "invalid_reference"
            assert "task.id" in response.json()["errors"]

    async def test_task_of_another_project_is_400(
        self, api: Api, factory: Factory, member: Member, owner: Member, task: Task
    ) -> None:
        elsewhere = await make_project(factory, owner.organization, name="Elsewhere")

        by_id = await api.as_(member).post(
            SESSIONS, json=body(task={"id": task.id, "projectId": elsewhere.id})
        )
        by_title = await api.as_(member).post(
            SESSIONS, json=body(task={"id": task.id}, project={"title": "Elsewhere"})
        )
        matching = await api.as_(member).post(
            SESSIONS, json=body(task={"id": task.id}, project={"title": "website"})
        )

        assert by_id.status_code == by_title.status_code == 400
        assert matching.status_code == 201, matching.text

    async def test_work_on_an_archived_project_is_refused_a_break_is_not(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        archived = await make_project(factory, owner.organization, name="Old", status="archived")
        old_task = await make_task(factory, archived, name="Legacy")

        work = await api.as_(member).post(SESSIONS, json=body(task={"id": old_task.id}))
        rest = await api.as_(member).post(
            SESSIONS, json=body(task={"id": old_task.id}, type="break")
        )

        assert work.status_code == 400
        assert work.json()["error_code"] == "project_inactive"
        assert rest.status_code == 201, rest.text


class TestFindOrCreate:
    async def test_reuses_an_incomplete_task_of_that_title(
        self, api: Api, factory: Factory, member: Member, project: Project, task: Task
    ) -> None:
        created = await create_session(
            api, member, task={"title": "homepage", "projectId": project.id}
        )

        assert "task" not in created
        assert "project" not in created
        assert created["session"]["task_id"] == task.id
        assert await row_count(factory, Task) == 1

    async def test_creates_project_and_task_by_title(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        created = await create_session(
            api, member, task={"title": "Reading"}, project={"title": "Deep Work"}
        )

        project, task = created["project"], created["task"]
        assert set(project) == {"id", "title", "is_archived", "last_updated"}
        assert project["title"] == "Deep Work"
        assert project["is_archived"] is False
        assert set(task) == {"id", "title", "project_id", "is_completed", "last_updated"}
        assert task["title"] == "Reading"
        assert task["project_id"] == project["id"]
        assert task["is_completed"] is False
        assert created["session"]["task_id"] == task["id"]
        stored = await factory.session.get(Project, project["id"])
        assert stored is not None
        assert stored.organization_id == member.organization.id

    async def test_reuses_an_active_project_of_that_title(
        self, api: Api, factory: Factory, member: Member, project: Project
    ) -> None:
        created = await create_session(
            api, member, task={"title": "Fresh"}, project={"title": "WEBSITE"}
        )

        assert "project" not in created
        assert created["task"]["project_id"] == project.id
        assert await row_count(factory, Project) == 1

    async def test_a_title_alone_uses_the_default_project(
        self, api: Api, factory: Factory, member: Member, project: Project
    ) -> None:
        missing = await api.as_(member).post(SESSIONS, json=body(task={"title": "Inbox"}))
        await set_default_project(factory, member.user, project)
        created = await create_session(api, member, task={"title": "Inbox"})

        assert missing.status_code == 400
        assert created["task"]["project_id"] == project.id

    async def test_is_completed_marks_the_task_done(
        self, api: Api, member: Member, task: Task
    ) -> None:
        await create_session(api, member, task={"id": task.id, "isCompleted": True})
        done = (await api.as_(member).get(f"/api/v1/tasks/{task.id}")).json()["task"]
        await create_session(api, member, task={"id": task.id, "isCompleted": False})
        reopened = (await api.as_(member).get(f"/api/v1/tasks/{task.id}")).json()["task"]

        assert done["is_completed"] is True
        assert done["status"] == "done"
        assert reopened["is_completed"] is False

    async def test_a_new_completed_task_is_answered_completed(
        self, api: Api, member: Member, project: Project
    ) -> None:
        created = await create_session(
            api, member, task={"title": "One-off", "projectId": project.id, "isCompleted": True}
        )

        assert created["task"]["is_completed"] is True

    async def test_creating_a_project_needs_project_create(
        self, api: Api, factory: Factory, member: Member, project: Project
    ) -> None:
        token = await api_token(factory, member, ["write:time_entries", "write:tasks"])

        found = await api.as_(token).post(
            SESSIONS, json=body(task={"title": "Via token"}, project={"title": "Website"})
        )
        new = await api.as_(token).post(
            SESSIONS, json=body(task={"title": "Via token"}, project={"title": "Brand new"})
        )

        assert found.status_code == 201, found.text
        assert new.status_code == 403
        assert new.json()["required_scope"] == "write:projects"
        assert await row_count(factory, Project) == 1


class TestWhoMayCreate:
    async def test_viewer_and_customer_cannot(
        self, api: Api, factory: Factory, owner: Member, viewer: Member
    ) -> None:
        client = await factory.client(owner.organization)
        customer = await customer_of(factory, owner, client)
        granted = await customer_of(factory, owner, client, "time_entry.create")

        for who in (viewer, customer):
            response = await api.as_(who).post(SESSIONS, json=body())
            assert response.status_code == 403
            assert response.json()["required_permission"] == "time_entry.create"
        response = await api.as_(granted).post(SESSIONS, json=body())
        assert response.status_code == 403
        assert response.json()["error_code"] == "focus_session_internal_only"
        assert await row_count(factory, FocusSession) == 0

    async def test_scope_of_the_token(self, api: Api, factory: Factory, member: Member) -> None:
        token = await api_token(factory, member, ["read:time_entries"])

        response = await api.as_(token).post(SESSIONS, json=body(start=START))

        assert response.status_code == 403
        assert response.json()["required_scope"] == "write:time_entries"
