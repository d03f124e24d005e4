"""Find-or-create a task by title (seed 001, S2.5)."""

from __future__ import annotations

from sqlalchemy import func, select

from clocktower.models import Project, Task
from tests.support import Api, Factory, Member
from tests.task.conftest import TASKS, create_task, make_project, set_default_project

FIND_OR_CREATE = f"{TASKS}/find-or-create"


async def _count(factory: Factory) -> int:
    return int((await factory.session.execute(select(func.count()).select_from(Task))).scalar_one())


class TestFindOrCreateTask:
    async def test_finds_an_incomplete_task_ignoring_case(
        self, api: Api, factory: Factory, member: Member, project: Project
    ) -> None:
        existing = await create_task(api, member, project_id=project.id, name="Write Report")

        response = await api.as_(member).post(
            FIND_OR_CREATE, json={"title": "write report", "project_id": project.id}
        )

        assert response.status_code == 200, response.text
        assert response.json()["created"] is False
        assert response.json()["task"]["id"] == existing["id"]
        assert await _count(factory) == 1

    async def test_creates_when_none_matches(
        self, api: Api, factory: Factory, member: Member, project: Project
    ) -> None:
        response = await api.as_(member).post(
            FIND_OR_CREATE, json={"title": "New thing", "project_id": project.id}
        )

        assert response.status_code == 201
        assert response.json()["created"] is True
        task = response.json()["task"]
        assert task["name"] == "New thing"
        assert task["status"] == "todo"
        assert task["project"]["id"] == project.id

    async def test_done_tasks_are_ignored(
        self, api: Api, factory: Factory, member: Member, project: Project
    ) -> None:
        done = await create_task(api, member, project_id=project.id, name="Deploy", status="done")

        response = await api.as_(member).post(
            FIND_OR_CREATE, json={"title": "deploy", "project_id": project.id}
        )

        assert response.status_code == 201
        assert response.json()["task"]["id"] != done["id"]

    async def test_searches_only_the_given_project(
        self, api: Api, factory: Factory, owner: Member, member: Member, project: Project
    ) -> None:
        other = await make_project(factory, owner.organization, name="Other")
        await create_task(api, member, project_id=other.id, name="Review")

        response = await api.as_(member).post(
            FIND_OR_CREATE, json={"title": "Review", "project_id": project.id}
        )

        assert response.status_code == 201

    async def test_uses_the_default_project(
        self, api: Api, factory: Factory, member: Member, project: Project
    ) -> None:
        await set_default_project(factory, member.user, project)
        existing = await create_task(api, member, project_id=project.id, name="Inbox")

        response = await api.as_(member).post(FIND_OR_CREATE, json={"title": "INBOX"})

        assert response.status_code == 200
        assert response.json()["task"]["id"] == existing["id"]

    async def test_without_project_and_default_is_400(self, api: Api, member: Member) -> None:
        response = await api.as_(member).post(FIND_OR_CREATE, json={"title": "X"})

        assert response.status_code == 400
        assert "project_id" in response.json()["errors"]

    async def test_project_of_another_organisation_is_422(
        self,
        api: Api,
        factory: Factory,
        member: Member,
        other_owner: Member,
        other_project: Project,
    ) -> None:
        await create_task(api, other_owner, project_id=other_project.id, name="Theirs")

        response = await api.as_(member).post(
            FIND_OR_CREATE, json={"title": "Theirs", "project_id": other_project.id}
        )

        assert response.status_code == 422
        assert response.json()["error_code"] == "invalid_reference"

    async def test_empty_title_is_400(self, api: Api, member: Member, project: Project) -> None:
        response = await api.as_(member).post(
            FIND_OR_CREATE, json={"title": "  ", "project_id": project.id}
        )

        assert response.status_code == 400

    async def test_viewer_cannot_use_it(self, api: Api, viewer: Member, project: Project) -> None:
        response = await api.as_(viewer).post(
            FIND_OR_CREATE, json={"title": "X", "project_id": project.id}
        )

        assert response.status_code == 403
