"""Tasks (seed 002 S2.4): create, read, update, delete."""

from __future__ import annotations

from sqlalchemy import select

from clocktower.models import Project, Task
from tests.api_token.support import issue_token
from tests.support import Api, Factory, Member
from tests.task.conftest import TASKS, create_task, make_project, set_default_project
from tests.user.conftest import member_with

SEED_BODY = {
    "name": "Implement login feature",
    "description": "Add user authentication",
    "status": "todo",
    "priority": 1,
}

TASK_KEYS = {
    "id",
    "name",
    "description",
    "project_id",
    "project",
    "status",
    "priority",
    "assignee_id",
    "assignee",
    "due_date",
    "estimated_hours",
    "hourly_rate",
    "external_ref",
    "is_completed",
    "completed_at",
    "created_at",
    "updated_at",
}


async def _stored(factory: Factory, task_id: int) -> Task | None:
    statement = select(Task).where(Task.id == task_id).execution_options(populate_existing=True)
    return (await factory.session.execute(statement)).scalar()


class TestCreateTask:
    async def test_seed_002_body_creates_the_task(
        self, api: Api, member: Member, project: Project
    ) -> None:
        response = await api.as_(member).post(TASKS, json={**SEED_BODY, "project_id": project.id})

        assert response.status_code == 201, response.text
        body = response.json()
        assert body["message"] == "Task created"
        task = body["task"]
        assert set(task) == TASK_KEYS
        assert task["name"] == "Implement login feature"
        assert task["description"] == "Add user authentication"
        assert task["project_id"] == project.id
        assert task["project"] == {"id": project.id, "name": "Website"}
        assert task["status"] == "todo"
        assert task["priority"] == 1
        assert task["assignee"] is None
        assert task["is_completed"] is False
        assert task["completed_at"] is None
        assert task["created_at"].endswith("Z")

    async def test_optional_fields_are_stored_in_their_units(
        self, api: Api, factory: Factory, owner: Member, member: Member, project: Project
    ) -> None:
        task = await create_task(
            api,
            owner,
            project_id=project.id,
            assignee_id=member.id,
            due_date="2026-12-24",
            estimated_hours=1.5,
            hourly_rate=75,
            external_ref="github:acme/web#12",
        )

        assert task["assignee"] == {"id": member.id, "name": "Max Member"}
        assert task["assignee_id"] == member.id
        assert task["due_date"] == "2026-12-24"
        assert task["estimated_hours"] == 1.5
        assert task["hourly_rate"] == 75.00
        assert task["external_ref"] == "github:acme/web#12"
        stored = await _stored(factory, task["id"])
        assert stored is not None
        assert stored.estimated_minutes == 90
        assert stored.hourly_rate_cents == 7500
        assert str(stored.due_on) == "2026-12-24"

    async def test_done_sets_completed_at(self, api: Api, member: Member, project: Project) -> None:
        task = await create_task(api, member, project_id=project.id, status="done")

        assert task["is_completed"] is True
        assert task["completed_at"] is not None

    async def test_without_project_uses_the_default_project(
        self, api: Api, factory: Factory, member: Member, project: Project
    ) -> None:
        await set_default_project(factory, member.user, project)

        task = await create_task(api, member, name="Inbox item")

        assert task["project_id"] == project.id

    async def test_without_project_and_without_default_is_400(
        self, api: Api, member: Member, project: Project
    ) -> None:
        response = await api.as_(member).post(TASKS, json={"name": "Orphan"})

        assert response.status_code == 400
        assert response.json()["error_code"] == "validation_error"
        assert "project_id" in response.json()["errors"]

    async def test_default_project_of_another_organisation_is_ignored(
        self, api: Api, factory: Factory, member: Member, other_project: Project
    ) -> None:
        await set_default_project(factory, member.user, other_project)

        response = await api.as_(member).post(TASKS, json={"name": "Orphan"})

        assert response.status_code == 400
        assert "project_id" in response.json()["errors"]

    async def test_project_of_another_organisation_is_422(
        self, api: Api, factory: Factory, member: Member, other_project: Project
    ) -> None:
        response = await api.as_(member).post(
            TASKS, json={"name": "Sneaky", "project_id": other_project.id}
        )

        assert response.status_code == 422
        assert response.json()["error_code"] == "invalid_reference"
        assert "project_id" in response.json()["errors"]
        count = (await factory.session.execute(select(Task))).scalars().all()
        assert count == []

    async def test_customer_assignee_is_422(
        self, api: Api, factory: Factory, owner: Member, project: Project
    ) -> None:
        client = await factory.client(owner.organization)
        customer = await factory.member(owner.organization, "customer", client_id=client.id)

        response = await api.as_(owner).post(
            TASKS, json={"name": "X", "project_id": project.id, "assignee_id": customer.id}
        )

        assert response.status_code == 422
        assert response.json()["error_code"] == "invalid_reference"
        assert "assignee_id" in response.json()["errors"]

    async def test_assignee_of_another_organisation_is_422(
        self, api: Api, owner: Member, other_owner: Member, project: Project
    ) -> None:
        response = await api.as_(owner).post(
            TASKS, json={"name": "X", "project_id": project.id, "assignee_id": other_owner.id}
        )

        assert response.status_code == 422
        assert "assignee_id" in response.json()["errors"]

    async def test_priority_out_of_range_is_400(
        self, api: Api, member: Member, project: Project
    ) -> None:
        for priority in (-1, 6, "high", 1.5):
            response = await api.as_(member).post(
                TASKS, json={"name": "X", "project_id": project.id, "priority": priority}
            )
            assert response.status_code == 400, priority
            assert response.json()["error_code"] == "validation_error"

    async def test_bad_values_are_400(self, api: Api, member: Member, project: Project) -> None:
        for extra in (
            {"status": "blocked"},
            {"estimated_hours": -1},
            {"hourly_rate": -0.01},
            {"hourly_rate": 1.234},
            {"name": ""},
            {"unknown": 1},
        ):
            response = await api.as_(member).post(
                TASKS, json={"name": "X", "project_id": project.id, **extra}
            )
            assert response.status_code == 400, extra

    async def test_external_ref_taken_is_409(
        self, api: Api, member: Member, project: Project
    ) -> None:
        await create_task(api, member, project_id=project.id, external_ref="JIRA-1")

        response = await api.as_(member).post(
            TASKS, json={"name": "Again", "project_id": project.id, "external_ref": "JIRA-1"}
        )

        assert response.status_code == 409
        assert response.json()["error_code"] == "task_external_ref_taken"

    async def test_external_ref_is_unique_per_organisation_only(
        self,
        api: Api,
        member: Member,
        other_owner: Member,
        project: Project,
        other_project: Project,
    ) -> None:
        await create_task(api, member, project_id=project.id, external_ref="JIRA-1")

        task = await create_task(
            api, other_owner, project_id=other_project.id, external_ref="JIRA-1"
        )

        assert task["external_ref"] == "JIRA-1"

    async def test_idempotent_create_answers_the_first_response(
        self, api: Api, factory: Factory, member: Member, project: Project
    ) -> None:
        headers = {"Idempotency-Key": "create-task-1"}
        body = {**SEED_BODY, "project_id": project.id}
        first = await api.as_(member).post(TASKS, json=body, headers=headers)
        second = await api.as_(member).post(TASKS, json=body, headers=headers)

        assert first.status_code == second.status_code == 201
        assert first.json() == second.json()
        tasks = (await factory.session.execute(select(Task))).scalars().all()
        assert len(tasks) == 1

    async def test_viewer_cannot_create(self, api: Api, viewer: Member, project: Project) -> None:
        response = await api.as_(viewer).post(TASKS, json={"name": "X", "project_id": project.id})

        assert response.status_code == 403

    async def test_customer_cannot_create(self, api: Api, factory: Factory, owner: Member) -> None:
        client = await factory.client(owner.organization)
        project = await make_project(factory, owner.organization, client_id=client.id)
        customer = await factory.member(owner.organization, "customer", client_id=client.id)

        response = await api.as_(customer).post(TASKS, json={"name": "X", "project_id": project.id})

        assert response.status_code == 403

    async def test_token_needs_write_tasks(self, api: Api, owner: Member, project: Project) -> None:
        read_only, _ = await issue_token(api, owner, scopes=["read:tasks"])
        writer, _ = await issue_token(api, owner, scopes=["write:tasks"], name="writer")
        body = {"name": "X", "project_id": project.id}

        denied = await api.as_(read_only).post(TASKS, json=body)
        allowed = await api.as_(writer).post(TASKS, json=body)

        assert denied.status_code == 403
        assert denied.json()["required_scope"] == "write:tasks"
        assert denied.json()["available_scopes"] == ["read:tasks"]
        assert allowed.status_code == 201


class TestGetTask:
    async def test_answers_the_task(self, api: Api, member: Member, project: Project) -> None:
        created = await create_task(api, member, project_id=project.id)

        response = await api.as_(member).get(f"{TASKS}/{created['id']}")

        assert response.status_code == 200
        assert response.json() == {"task": created}

    async def test_unknown_task_is_404(self, api: Api, member: Member) -> None:
        response = await api.as_(member).get(f"{TASKS}/999999")

        assert response.status_code == 404
        assert response.json()["error_code"] == "not_found"

    async def test_another_organisations_task_is_404(
        self, api: Api, member: Member, other_owner: Member, other_project: Project
    ) -> None:
        theirs = await create_task(api, other_owner, project_id=other_project.id)

        response = await api.as_(member).get(f"{TASKS}/{theirs['id']}")

        assert response.status_code == 404

    async def test_customer_sees_only_their_clients_tasks(
        self, api: Api, factory: Factory, owner: Member, project: Project
    ) -> None:
        client = await factory.client(owner.organization)
        theirs = await make_project(factory, owner.organization, name="Portal", client_id=client.id)
        customer = await factory.member(owner.organization, "customer", client_id=client.id)
        visible = await create_task(api, owner, project_id=theirs.id)
        hidden = await create_task(api, owner, project_id=project.id, name="Internal")

        assert (await api.as_(customer).get(f"{TASKS}/{visible['id']}")).status_code == 200
        assert (await api.as_(customer).get(f"{TASKS}/{hidden['id']}")).status_code == 404

    async def test_token_needs_read_tasks(self, api: Api, owner: Member, project: Project) -> None:
        created = await create_task(api, owner, project_id=project.id)
        wrong, _ = await issue_token(api, owner, scopes=["read:projects"])
        right, _ = await issue_token(api, owner, scopes=["read:tasks"], name="reader")

        denied = await api.as_(wrong).get(f"{TASKS}/{created['id']}")

        assert denied.status_code == 403
        assert denied.json()["required_scope"] == "read:tasks"
        assert (await api.as_(right).get(f"{TASKS}/{created['id']}")).status_code == 200


class TestUpdateTask:
    async def test_put_changes_the_fields_sent(
        self, api: Api, member: Member, project: Project
    ) -> None:
        created = await create_task(api, member, project_id=project.id, description="Keep me")

        response = await api.as_(member).put(
            f"{TASKS}/{created['id']}",
            json={"name": "Renamed", "priority": 5, "estimated_hours": 2},
        )

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["message"] == "Task updated"
        assert body["task"]["name"] == "Renamed"
        assert body["task"]["priority"] == 5
        assert body["task"]["estimated_hours"] == 2
        assert body["task"]["description"] == "Keep me"

    async def test_patch_clears_nullable_fields(
        self, api: Api, owner: Member, member: Member, project: Project
    ) -> None:
        created = await create_task(
            api, owner, project_id=project.id, assignee_id=member.id, hourly_rate=10
        )

        response = await api.as_(owner).patch(
            f"{TASKS}/{created['id']}", json={"assignee_id": None, "hourly_rate": None}
        )

        assert response.status_code == 200
        assert response.json()["task"]["assignee"] is None
        assert response.json()["task"]["hourly_rate"] is None

    async def test_null_for_a_required_field_is_400(
        self, api: Api, member: Member, project: Project
    ) -> None:
        created = await create_task(api, member, project_id=project.id)

        for field in ("name", "status", "priority", "project_id"):
            response = await api.as_(member).patch(f"{TASKS}/{created['id']}", json={field: None})
            assert response.status_code == 400, field

    async def test_completed_at_follows_done(
        self, api: Api, member: Member, project: Project
    ) -> None:
        created = await create_task(api, member, project_id=project.id)
        url = f"{TASKS}/{created['id']}"

        done = (await api.as_(member).patch(url, json={"status": "done"})).json()["task"]
        still = (await api.as_(member).patch(url, json={"status": "done"})).json()["task"]
        reopened = (await api.as_(member).patch(url, json={"status": "review"})).json()["task"]

        assert done["is_completed"] is True
        assert done["completed_at"] is not None
        assert still["completed_at"] == done["completed_at"]
        assert reopened["is_completed"] is False
        assert reopened["completed_at"] is None

    async def test_moves_to_another_project(
        self, api: Api, factory: Factory, member: Member, owner: Member, project: Project
    ) -> None:
        target = await make_project(factory, owner.organization, name="Mobile app")
        created = await create_task(api, member, project_id=project.id)

        response = await api.as_(member).put(
            f"{TASKS}/{created['id']}", json={"project_id": target.id}
        )

        assert response.status_code == 200
        assert response.json()["task"]["project"] == {"id": target.id, "name": "Mobile app"}

    async def test_moving_to_another_organisations_project_is_422(
        self, api: Api, factory: Factory, member: Member, project: Project, other_project: Project
    ) -> None:
        created = await create_task(api, member, project_id=project.id)

        response = await api.as_(member).put(
            f"{TASKS}/{created['id']}", json={"project_id": other_project.id}
        )

        assert response.status_code == 422
        stored = await _stored(factory, created["id"])
        assert stored is not None
        assert stored.project_id == project.id

    async def test_customer_assignee_is_422(
        self, api: Api, factory: Factory, owner: Member, project: Project
    ) -> None:
        client = await factory.client(owner.organization)
        customer = await factory.member(owner.organization, "customer", client_id=client.id)
        created = await create_task(api, owner, project_id=project.id)

        response = await api.as_(owner).patch(
            f"{TASKS}/{created['id']}", json={"assignee_id": customer.id}
        )

        assert response.status_code == 422

    async def test_external_ref_taken_is_409(
        self, api: Api, member: Member, project: Project
    ) -> None:
        await create_task(api, member, project_id=project.id, external_ref="A")
        created = await create_task(api, member, project_id=project.id, external_ref="B")

        response = await api.as_(member).patch(
            f"{TASKS}/{created['id']}", json={"external_ref": "A"}
        )

        assert response.status_code == 409
        assert response.json()["error_code"] == "task_external_ref_taken"

    async def test_unknown_task_is_404(self, api: Api, member: Member) -> None:
        response = await api.as_(member).put(f"{TASKS}/999999", json={"name": "X"})

        assert response.status_code == 404

    async def test_another_organisations_task_is_404_and_unchanged(
        self,
        api: Api,
        factory: Factory,
        member: Member,
        other_owner: Member,
        other_project: Project,
    ) -> None:
        theirs = await create_task(api, other_owner, project_id=other_project.id)

        put = await api.as_(member).put(f"{TASKS}/{theirs['id']}", json={"name": "Mine"})
        patch = await api.as_(member).patch(f"{TASKS}/{theirs['id']}", json={"name": "Mine"})

        assert put.status_code == patch.status_code == 404
        stored = await _stored(factory, theirs["id"])
        assert stored is not None
        assert stored.name == theirs["name"]

    async def test_viewer_cannot_update(
        self, api: Api, member: Member, viewer: Member, project: Project
    ) -> None:
        created = await create_task(api, member, project_id=project.id)

        response = await api.as_(viewer).patch(f"{TASKS}/{created['id']}", json={"name": "X"})

        assert response.status_code == 403


class TestDeleteTask:
    async def test_deletes_the_task(
        self, api: Api, factory: Factory, member: Member, project: Project
    ) -> None:
        created = await create_task(api, member, project_id=project.id)

        response = await api.as_(member).delete(f"{TASKS}/{created['id']}")

        assert response.status_code == 200
        assert response.json() == {"message": "Task deleted"}
        assert await _stored(factory, created["id"]) is None
        assert (await api.as_(member).get(f"{TASKS}/{created['id']}")).status_code == 404

    async def test_unknown_task_is_404(self, api: Api, member: Member) -> None:
        assert (await api.as_(member).delete(f"{TASKS}/999999")).status_code == 404

    async def test_another_organisations_task_is_404_and_kept(
        self,
        api: Api,
        factory: Factory,
        member: Member,
        other_owner: Member,
        other_project: Project,
    ) -> None:
        theirs = await create_task(api, other_owner, project_id=other_project.id)

        response = await api.as_(member).delete(f"{TASKS}/{theirs['id']}")

        assert response.status_code == 404
        assert await _stored(factory, theirs["id"]) is not None

    async def test_viewer_cannot_delete(
        self, api: Api, factory: Factory, member: Member, viewer: Member, project: Project
    ) -> None:
        created = await create_task(api, member, project_id=project.id)

        response = await api.as_(viewer).delete(f"{TASKS}/{created['id']}")

        assert response.status_code == 403
        assert await _stored(factory, created["id"]) is not None


class TestCustomersAndGating:
    async def test_customer_cannot_write_even_when_a_role_allows_it(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        client = await factory.client(owner.organization)
        project = await make_project(factory, owner.organization, client_id=client.id)
        customer = await member_with(
            factory, owner.organization, ["task.*", "obj.*"], client_id=client.id
        )
        task = await create_task(api, owner, project_id=project.id)

        created = await api.as_(customer).post(TASKS, json={"name": "X", "project_id": project.id})
        updated = await api.as_(customer).patch(f"{TASKS}/{task['id']}", json={"name": "Y"})
        deleted = await api.as_(customer).delete(f"{TASKS}/{task['id']}")

        assert created.status_code == updated.status_code == deleted.status_code == 403
        assert created.json()["error_code"] == "task_internal_only"
        assert (await api.as_(customer).get(f"{TASKS}/{task['id']}")).json()["task"]["name"] == (
            task["name"]
        )

    async def test_fields_are_gated(
        self, api: Api, factory: Factory, owner: Member, project: Project
    ) -> None:
        task = await create_task(api, owner, project_id=project.id, hourly_rate=90)
        reader = await member_with(
            factory, owner.organization, ["task.fetch", "task.fetch.many", "obj.task.name"]
        )

        one = await api.as_(reader).get(f"{TASKS}/{task['id']}")
        listed = await api.as_(reader).get(TASKS)

        assert one.json()["task"] == {"id": task["id"], "name": task["name"]}
        assert listed.json()["tasks"] == [{"id": task["id"], "name": task["name"]}]
