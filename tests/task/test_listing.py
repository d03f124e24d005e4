"""Listing tasks (seed 002 filters, seed 000 updated_since) and internal users (seed 000)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from clocktower.models import Project, SyncChange
from tests.api_token.support import issue_token
from tests.conftest import QueryCounter
from tests.support import Api, Factory, Member
from tests.task.conftest import TASKS, create_task, make_project

INTERNAL_USERS = f"{TASKS}/internal-users"


def _names(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [task["name"] for task in response.json()["tasks"]]


class TestListTasks:
    async def test_lists_by_priority_then_due_date_then_id(
        self, api: Api, member: Member, project: Project
    ) -> None:
        await create_task(api, member, project_id=project.id, name="low", priority=1)
        await create_task(api, member, project_id=project.id, name="undated", priority=3)
        await create_task(
            api, member, project_id=project.id, name="later", priority=3, due_date="2026-12-31"
        )
        await create_task(
            api, member, project_id=project.id, name="sooner", priority=3, due_date="2026-12-01"
        )

        response = await api.as_(member).get(TASKS)

        assert _names(response) == ["sooner", "later", "undated", "low"]
        pagination = response.json()["pagination"]
        assert pagination["total"] == 4
        assert pagination["page"] == 1

    async def test_filters(
        self, api: Api, factory: Factory, owner: Member, member: Member, project: Project
    ) -> None:
        mobile = await make_project(factory, owner.organization, name="Mobile")
        await create_task(
            api, owner, project_id=project.id, name="Login page", assignee_id=member.id
        )
        await create_task(
            api,
            owner,
            project_id=mobile.id,
            name="Push",
            description="Notifications 100% reliable",
            status="in_progress",
            external_ref="GH-7",
        )

        get = api.as_(owner).get
        assert _names(await get(TASKS, params={"project_id": mobile.id})) == ["Push"]
        assert _names(await get(TASKS, params={"status": "in_progress"})) == ["Push"]
        assert _names(await get(TASKS, params={"assignee_id": member.id})) == ["Login page"]
        assert _names(await get(TASKS, params={"external_ref": "GH-7"})) == ["Push"]
        assert _names(await get(TASKS, params={"search": "login"})) == ["Login page"]
        assert _names(await get(TASKS, params={"search": "100%"})) == ["Push"]
        assert _names(await get(TASKS, params={"search": "%"})) == ["Push"]

    async def test_unknown_status_is_400(self, api: Api, member: Member) -> None:
        response = await api.as_(member).get(TASKS, params={"status": "blocked"})

        assert response.status_code == 400
        assert response.json()["error_code"] == "validation_error"

    async def test_bad_updated_since_is_400(self, api: Api, member: Member) -> None:
        response = await api.as_(member).get(TASKS, params={"updated_since": "yesterday"})

        assert response.status_code == 400

    async def test_updated_since(
        self, api: Api, factory: Factory, member: Member, project: Project
    ) -> None:
        old = await create_task(api, member, project_id=project.id, name="old")
        await create_task(api, member, project_id=project.id, name="new")
        long_ago = datetime(2026, 1, 1, tzinfo=UTC)
        # The change log's commit time is what `updated_since` reads: the old one is old.
        await factory.session.execute(
            update(SyncChange)
            .where(SyncChange.object_type == "task", SyncChange.object_id == old["id"])
            .values(changed_at=long_ago)
        )
        await factory.session.commit()
        since = datetime(2026, 6, 1, tzinfo=UTC)

        aware = await api.as_(member).get(TASKS, params={"updated_since": since.isoformat()})
        naive = await api.as_(member).get(
            TASKS, params={"updated_since": since.replace(tzinfo=None).isoformat()}
        )
        offset = await api.as_(member).get(
            TASKS,
            params={"updated_since": "2025-12-31T23:00:00-02:00"},  # 2026-01-01T01:00Z
        )

        assert _names(aware) == ["new"]
        assert _names(naive) == ["new"]
        assert _names(offset) == ["new"]
        assert sorted(_names(await api.as_(member).get(TASKS))) == ["new", "old"]
        earlier = (long_ago - timedelta(seconds=1)).isoformat()
        assert sorted(
            _names(await api.as_(member).get(TASKS, params={"updated_since": earlier}))
        ) == [
            "new",
            "old",
        ]

    async def test_another_organisations_tasks_are_not_listed(
        self,
        api: Api,
        member: Member,
        other_owner: Member,
        project: Project,
        other_project: Project,
    ) -> None:
        await create_task(api, member, project_id=project.id, name="ours")
        await create_task(api, other_owner, project_id=other_project.id, name="theirs")

        assert _names(await api.as_(member).get(TASKS)) == ["ours"]
        assert (
            _names(await api.as_(member).get(TASKS, params={"project_id": other_project.id})) == []
        )

    async def test_customer_sees_only_their_clients_tasks(
        self, api: Api, factory: Factory, owner: Member, project: Project
    ) -> None:
        client = await factory.client(owner.organization)
        other_client = await factory.client(owner.organization)
        portal = await make_project(factory, owner.organization, name="Portal", client_id=client.id)
        foreign = await make_project(
            factory, owner.organization, name="Foreign", client_id=other_client.id
        )
        customer = await factory.member(owner.organization, "customer", client_id=client.id)
        await create_task(api, owner, project_id=portal.id, name="visible")
        await create_task(api, owner, project_id=project.id, name="internal")
        await create_task(api, owner, project_id=foreign.id, name="other client")

        assert _names(await api.as_(customer).get(TASKS)) == ["visible"]

    async def test_viewer_can_list(
        self, api: Api, member: Member, viewer: Member, project: Project
    ) -> None:
        await create_task(api, member, project_id=project.id)

        assert len(_names(await api.as_(viewer).get(TASKS))) == 1

    async def test_token_needs_read_tasks(self, api: Api, owner: Member) -> None:
        wrong, _ = await issue_token(api, owner, scopes=["write:tasks"])
        right, _ = await issue_token(api, owner, scopes=["read:tasks"], name="reader")

        denied = await api.as_(wrong).get(TASKS)

        assert denied.status_code == 403
        assert denied.json()["required_scope"] == "read:tasks"
        assert denied.json()["available_scopes"] == ["write:tasks"]
        assert (await api.as_(right).get(TASKS)).status_code == 200

    async def test_query_count_does_not_grow_with_the_page(
        self,
        api: Api,
        factory: Factory,
        owner: Member,
        project: Project,
        queries: QueryCounter,
    ) -> None:
        await create_task(api, owner, project_id=project.id, assignee_id=owner.id)
        with queries:
            first = await api.as_(owner).get(TASKS)
        one = queries.count
        assert first.json()["tasks"][0]["assignee"]["id"] == owner.id
        for number in range(5):
            extra = await make_project(factory, owner.organization, name=f"P{number}")
            assignee = await factory.member(owner.organization)
            await create_task(api, owner, project_id=extra.id, assignee_id=assignee.id)

        with queries:
            response = await api.as_(owner).get(TASKS)

        tasks = response.json()["tasks"]
        assert len(tasks) == 6
        assert all(task["project"]["name"] and task["assignee"]["name"] for task in tasks)
        assert queries.count == one, (one, queries.statements)


class TestListInternalUsers:
    async def test_lists_members_who_are_not_customers(
        self, api: Api, factory: Factory, owner: Member, member: Member, other_owner: Member
    ) -> None:
        client = await factory.client(owner.organization)
        await factory.member(owner.organization, "customer", client_id=client.id)

        response = await api.as_(member).get(INTERNAL_USERS)

        assert response.status_code == 200, response.text
        users = response.json()["users"]
        assert {user["id"] for user in users} == {owner.id, member.id}
        assert set(users[0]) == {"id", "name", "email"}
        assert response.json()["pagination"]["total"] == 2

    async def test_customers_are_refused(self, api: Api, factory: Factory, owner: Member) -> None:
        client = await factory.client(owner.organization)
        customer = await factory.member(owner.organization, "customer", client_id=client.id)

        response = await api.as_(customer).get(INTERNAL_USERS)

        assert response.status_code == 403
        assert response.json()["error_code"] == "task_internal_only"

    async def test_token_needs_read_tasks(self, api: Api, owner: Member) -> None:
        token, _ = await issue_token(api, owner, scopes=["read:projects"])

        response = await api.as_(token).get(INTERNAL_USERS)

        assert response.status_code == 403
        assert response.json()["required_scope"] == "read:tasks"

    async def test_query_count_does_not_grow_with_the_page(
        self, api: Api, factory: Factory, owner: Member, queries: QueryCounter
    ) -> None:
        with queries:
            await api.as_(owner).get(INTERNAL_USERS)
        one = queries.count
        for _ in range(5):
            await factory.member(owner.organization)

        with queries:
            response = await api.as_(owner).get(INTERNAL_USERS)

        assert len(response.json()["users"]) == 6
        assert queries.count == one, (one, queries.statements)
