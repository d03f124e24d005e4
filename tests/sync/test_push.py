"""Offline push (S6.2): every kind and operation applied through the domains' rules, refs
to objects created offline, seed 001 titles, per-change rejection, replays, permissions,
tenant isolation and the envelope's validation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from clocktower.models import Job, Project, Task, TimeEntry
from tests.client.conftest import customer_of
from tests.support import Api, Factory, Member, api_token
from tests.sync.support import (
    create,
    delete,
    every_table,
    new_ref,
    pull_page,
    push,
    push_response,
    snapshot,
    token_now,
    update,
    version_of,
)
from tests.time_entry.conftest import make_project, make_role, make_task

START = "2024-01-15T09:00:00Z"
END = "2024-01-15T10:00:00Z"


@dataclass(frozen=True)
class World:
    project: Project
    task: Task


@pytest.fixture
async def world(factory: Factory, owner: Member) -> World:
    project = await make_project(factory, owner.organization, name="Website")
    task = await make_task(factory, project, name="Homepage")
    return World(project, task)


def entry_data(world: World, **fields: Any) -> dict[str, Any]:
    return {"project_id": world.project.id, "start_time": START, "end_time": END, **fields}


def session_fields(note: str) -> dict[str, Any]:
    return {"start_timestamp": START, "duration": 1500, "type": "session", "note": note}


async def count(factory: Factory, model: Any, organization_id: int, **where: Any) -> int:
    statement = (
        select(func.count())
        .select_from(model)
        .where(
            model.organization_id == organization_id,
            *(getattr(model, name) == value for name, value in where.items()),
        )
    )
    return int((await factory.session.execute(statement)).scalar_one())


# kind → (create data, update data, REST url, answer key, field, value after update)
def cases(world: World) -> dict[str, tuple[dict[str, Any], dict[str, Any], str, str, str]]:
    return {
        "time_entry": (
            entry_data(world, notes="Draft"),
            {"notes": "Final"},
            "/api/v1/time-entries/{}",
            "time_entry",
            "notes",
        ),
        "focus_session": (
            {"task": {"id": world.task.id}, "session": session_fields("Draft")},
            {"session": session_fields("Final")},
            "/api/v1/sessions/{}",
            "session",
            "note",
        ),
        "task": (
            {"name": "Draft", "project_id": world.project.id},
            {"name": "Final"},
            "/api/v1/tasks/{}",
            "task",
            "name",
        ),
        "project": ({"name": "Draft"}, {"name": "Final"}, "/api/v1/projects/{}", "project", "name"),
        "client": ({"name": "Draft"}, {"name": "Final"}, "/api/v1/clients/{}", "client", "name"),
    }


class TestApply:
    @pytest.mark.parametrize("kind", ["time_entry", "focus_session", "task", "project", "client"])
    async def test_create_update_delete(
        self, api: Api, owner: Member, world: World, kind: str
    ) -> None:
        created_data, changed_data, url, key, name = cases(world)[kind]

        [created] = await push(api, owner, [create(kind, created_data)])

        assert created["status"] == "applied", created
        assert created["type"] == kind
        assert created["op"] == "create"
        assert created["deleted"] is False
        assert created["error"] is None
        object_id = created["id"]
        assert created["object"]["id"] == object_id
        assert created["object"][name] == "Draft"
        # The answer is the object as a pull hands it out, version included.
        pulled = (await snapshot(api, owner))[(kind, object_id)]
        assert created["object"] == pulled
        assert created["version"] == pulled["version"] == created["object"]["version"]

        [changed] = await push(
            api, owner, [update(kind, object_id, created["version"], changed_data)]
        )

        assert changed["status"] == "applied", changed
        assert changed["version"] > created["version"]
        assert changed["object"][name] == "Final"
        shown = await api.as_(owner).get(url.format(object_id))
        assert shown.json()[key][name] == "Final"

        token = await token_now(api, owner)

        [deleted] = await push(api, owner, [delete(kind, object_id, changed["version"])])

        assert deleted["status"] == "applied", deleted
        assert deleted["deleted"] is True
        assert deleted["object"] is None
        assert deleted["version"] > changed["version"]
        assert (await api.as_(owner).get(url.format(object_id))).status_code == 404
        tombstone = {"type": kind, "id": object_id, "version": deleted["version"]}
        assert tombstone in (await pull_page(api, owner, token))["deleted"]

    async def test_results_come_in_request_order(
        self, api: Api, member: Member, world: World
    ) -> None:
        changes = [
            create("time_entry", entry_data(world, notes=str(number))) for number in range(5)
        ]

        results = await push(api, member, changes)

        assert [r["client_ref"] for r in results] == [c["client_ref"] for c in changes]
        assert [r["object"]["notes"] for r in results] == ["0", "1", "2", "3", "4"]
        versions = [r["version"] for r in results]
        assert versions == sorted(versions)
        assert len(set(versions)) == 5

    async def test_pushed_entry_follows_the_ledger_rules(
        self, api: Api, factory: Factory, member: Member, world: World
    ) -> None:
        """Webhook job queued like a REST create; the organisation's span rule applies."""
        jobs_before = await count(factory, Job, member.organization.id)

        results = await push(
            api,
            member,
            [
                create("time_entry", entry_data(world)),
                create(
                    "time_entry",
                    entry_data(world, start_time=START, end_time="2024-01-16T09:30:00Z"),
                ),
            ],
        )

        assert [r["status"] for r in results] == ["applied", "rejected"]
        assert results[1]["error"]["error_code"] == "validation_error"
        assert "end_time" in results[1]["error"]["errors"]
        assert await count(factory, Job, member.organization.id) > jobs_before

    async def test_client_with_work_is_archived_not_deleted(self, api: Api, owner: Member) -> None:
        client_ref = new_ref()
        [made, entry] = await push(
            api,
            owner,
            [
                create("client", {"name": "Globex"}, client_ref=client_ref),
                create(
                    "time_entry",
                    {"start_time": START, "end_time": END},
                    refs={"client_id": client_ref},
                ),
            ],
        )
        assert entry["status"] == "applied", entry

        [gone] = await push(api, owner, [delete("client", made["id"], made["version"])])

        assert gone["status"] == "applied"
        assert gone["deleted"] is False
        assert gone["object"]["is_active"] is False

    async def test_empty_push_answers_nothing(self, api: Api, member: Member) -> None:
        assert await push(api, member, []) == []


class TestRefs:
    async def test_refs_within_one_push(self, api: Api, owner: Member) -> None:
        client, project, task = new_ref(), new_ref(), new_ref()

        results = await push(
            api,
            owner,
            [
                create("client", {"name": "Initech"}, client_ref=client),
                create("project", {"name": "TPS"}, refs={"client_id": client}, client_ref=project),
                create(
                    "task", {"name": "Cover sheet"}, refs={"project_id": project}, client_ref=task
                ),
                create(
                    "time_entry",
                    {"start_time": START, "end_time": END},
                    refs={"task_id": task},
                ),
                create(
                    "focus_session",
                    {"session": session_fields("Deep work")},
                    refs={"task_id": task},
                ),
            ],
        )

        assert [r["status"] for r in results] == ["applied"] * 5, results
        client_id, project_id, task_id = (r["id"] for r in results[:3])
        assert results[1]["object"]["client_id"] == client_id
        assert results[2]["object"]["project_id"] == project_id
        entry = results[3]["object"]
        assert (entry["task_id"], entry["project_id"], entry["client_id"]) == (
            task_id,
            project_id,
            client_id,
        )
        assert results[4]["object"]["task_id"] == task_id

    async def test_refs_to_an_earlier_push(self, api: Api, member: Member, world: World) -> None:
        task = new_ref()
        [made] = await push(
            api,
            member,
            [create("task", {"name": "Later", "project_id": world.project.id}, client_ref=task)],
        )

        [entry] = await push(
            api,
            member,
            [create("time_entry", {"start_time": START, "end_time": END}, refs={"task_id": task})],
        )

        assert entry["status"] == "applied", entry
        assert entry["object"]["task_id"] == made["id"]

    async def test_update_can_point_at_an_object_created_offline(
        self, api: Api, member: Member, world: World
    ) -> None:
        [entry] = await push(api, member, [create("time_entry", entry_data(world))])
        task = new_ref()

        results = await push(
            api,
            member,
            [
                create(
                    "task", {"name": "Found later", "project_id": world.project.id}, client_ref=task
                ),
                update("time_entry", entry["id"], entry["version"], {}, refs={"task_id": task}),
            ],
        )

        assert [r["status"] for r in results] == ["applied", "applied"], results
        assert results[1]["object"]["task_id"] == results[0]["id"]

    @pytest.mark.parametrize("problem", ["unknown", "later", "rejected", "wrong_type"])
    async def test_unresolvable_ref_is_rejected(
        self, api: Api, factory: Factory, member: Member, world: World, problem: str
    ) -> None:
        target = new_ref()
        first: list[dict[str, Any]] = []
        last: list[dict[str, Any]] = []
        if problem == "later":
            last = [
                create(
                    "task", {"name": "Too late", "project_id": world.project.id}, client_ref=target
                )
            ]
        elif problem == "rejected":
            first = [create("task", {"name": ""}, client_ref=target)]
        elif problem == "wrong_type":
            first = [create("project", {"name": "Not a task"}, client_ref=target)]
        entry = create(
            "time_entry", {"start_time": START, "end_time": END}, refs={"task_id": target}
        )

        results = await push(api, member, [*first, entry, *last])

        result = results[len(first)]
        assert result["status"] == "rejected"
        assert result["error"]["error_code"] == "invalid_reference"
        assert list(result["error"]["errors"]) == ["refs.task_id"]
        assert await count(factory, TimeEntry, member.organization.id) == 0

    async def test_refs_of_another_user_do_not_resolve(
        self, api: Api, factory: Factory, owner: Member, member: Member, world: World
    ) -> None:
        colleague = await factory.member(owner.organization, "member")
        task = new_ref()
        await push(
            api,
            member,
            [create("task", {"name": "Mine", "project_id": world.project.id}, client_ref=task)],
        )

        [entry] = await push(
            api,
            colleague,
            [create("time_entry", {"start_time": START, "end_time": END}, refs={"task_id": task})],
        )

        assert entry["error"]["error_code"] == "invalid_reference"

    @pytest.mark.parametrize(
        ("kind", "data", "refs_field"),
        [
            ("task", {"name": "x"}, "client_id"),
            ("client", {"name": "x"}, "project_id"),
            ("time_entry", {"start_time": START, "end_time": END, "task_id": 1}, "task_id"),
            ("focus_session", {"task": {"id": 1}, "session": session_fields("")}, "task_id"),
        ],
    )
    async def test_misplaced_ref_is_a_validation_error(
        self,
        api: Api,
        owner: Member,
        world: World,
        kind: str,
        data: dict[str, Any],
        refs_field: str,
    ) -> None:
        task = new_ref()

        results = await push(
            api,
            owner,
            [
                create("task", {"name": "Target", "project_id": world.project.id}, client_ref=task),
                create(kind, data, refs={refs_field: task}),
            ],
        )

        assert results[1]["status"] == "rejected"
        assert results[1]["error"]["error_code"] == "validation_error"
        assert list(results[1]["error"]["errors"]) == [f"refs.{refs_field}"]


class TestTitles:
    """Seed 001: a session naming its task (and project) by title finds or creates them."""

    async def test_active_task_of_that_title_is_reused(
        self, api: Api, factory: Factory, member: Member, world: World
    ) -> None:
        tasks_before = await count(factory, Task, member.organization.id)

        [made] = await push(
            api,
            member,
            [
                create(
                    "focus_session",
                    {
                        "task": {"title": "homepage", "projectId": world.project.id},
                        "session": session_fields("Reused"),
                    },
                )
            ],
        )

        assert made["status"] == "applied", made
        assert made["object"]["task_id"] == world.task.id
        assert await count(factory, Task, member.organization.id) == tasks_before

    async def test_new_titles_create_task_and_project_once(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        body = {
            "task": {"title": "Research"},
            "project": {"title": "Discovery"},
            "session": session_fields("First"),
        }

        first = await push(api, member, [create("focus_session", body)])
        second = await push(api, member, [create("focus_session", body)])

        assert first[0]["status"] == second[0]["status"] == "applied"
        assert first[0]["object"]["task_id"] == second[0]["object"]["task_id"]
        organization = member.organization.id
        assert await count(factory, Task, organization, name="Research") == 1
        assert await count(factory, Project, organization, name="Discovery") == 1
        pulled = await snapshot(api, member)
        task = pulled[("task", first[0]["object"]["task_id"])]
        assert pulled[("project", task["project_id"])]["name"] == "Discovery"

    async def test_completed_task_of_that_title_is_not_reused(
        self, api: Api, member: Member, world: World
    ) -> None:
        version = await version_of(api, member, "task", world.task.id)
        await push(api, member, [update("task", world.task.id, version, {"status": "done"})])

        [made] = await push(
            api,
            member,
            [
                create(
                    "focus_session",
                    {
                        "task": {"title": "Homepage", "project_id": world.project.id},
                        "session": session_fields("New"),
                    },
                )
            ],
        )

        assert made["status"] == "applied", made
        assert made["object"]["task_id"] != world.task.id


class TestPerChange:
    async def test_a_rejected_change_leaves_the_others_applied(
        self, api: Api, factory: Factory, member: Member, world: World
    ) -> None:
        results = await push(
            api,
            member,
            [
                create("time_entry", entry_data(world, notes="one")),
                create(
                    "time_entry", entry_data(world, notes="bad", end_time="2024-01-15T08:00:00Z")
                ),
                create("time_entry", entry_data(world, colour="red")),
                create("time_entry", entry_data(world, notes="two")),
            ],
        )

        assert [r["status"] for r in results] == ["applied", "rejected", "rejected", "applied"]
        assert results[1]["error"]["errors"] == {"end_time": ["end_time must be after start_time"]}
        assert results[2]["error"] == {
            "error": "Validation failed",
            "message": "Validation failed",
            "error_code": "validation_error",
            "errors": {"colour": ["Unknown field"]},
        }
        assert results[1]["id"] is None
        assert results[1]["version"] is None
        notes = sorted(e.notes or "" for e in await entries_of(factory, member))
        assert notes == ["one", "two"]

    async def test_a_change_failing_after_writing_leaves_nothing(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        """A session whose new project the pusher may not create: the project the service
        wrote before the permission check goes with the change's savepoint, change-log
        notes and all."""
        role = await make_role(
            api,
            owner,
            "tracker",
            ["time_entry.*", "task.*", "project.fetch", "project.fetch.many", "sync.*"],
        )
        tracker = await factory.member(owner.organization, role)
        before = await snapshot(api, tracker)

        results = await push(
            api,
            tracker,
            [
                create(
                    "focus_session",
                    {
                        "task": {"title": "Spike"},
                        "project": {"title": "Forbidden"},
                        "session": session_fields("x"),
                    },
                ),
                create("time_entry", {"start_time": START, "end_time": END, "notes": "kept"}),
            ],
        )

        assert results[0]["status"] == "rejected"
        assert results[0]["error"]["required_permission"] == "project.create"
        assert results[1]["status"] == "applied"
        organization = owner.organization.id
        assert await count(factory, Project, organization, name="Forbidden") == 0
        assert await count(factory, Task, organization, name="Spike") == 0
        after = await snapshot(api, tracker)
        assert set(after) - set(before) == {("time_entry", results[1]["id"])}

    async def test_domain_errors_come_back_in_their_body(
        self, api: Api, owner: Member, world: World
    ) -> None:
        version = await version_of(api, owner, "task", world.task.id)
        [entry] = await push(api, owner, [create("time_entry", entry_data(world))])
        [used] = await push(
            api,
            owner,
            [update("time_entry", entry["id"], entry["version"], {"task_id": world.task.id})],
        )
        assert used["status"] == "applied"

        [refused] = await push(api, owner, [delete("task", world.task.id, version)])

        assert refused["status"] == "rejected"
        assert refused["id"] == world.task.id
        assert refused["error"]["error_code"] == "task_in_use"
        assert (await api.as_(owner).get(f"/api/v1/tasks/{world.task.id}")).status_code == 200


async def entries_of(factory: Factory, who: Member) -> list[TimeEntry]:
    found = await factory.session.execute(
        select(TimeEntry)
        .where(TimeEntry.organization_id == who.organization.id)
        .execution_options(populate_existing=True)
    )
    return list(found.scalars())


class TestReplay:
    async def test_replay_answers_the_same_and_changes_nothing(
        self, api: Api, factory: Factory, member: Member, world: World
    ) -> None:
        [entry] = await push(api, member, [create("time_entry", entry_data(world))])
        [stale] = await push(api, member, [create("time_entry", entry_data(world))])
        await push(
            api,
            member,
            [update("time_entry", stale["id"], stale["version"], {"notes": "moved on"})],
        )
        task = new_ref()
        batch = [
            create("task", {"name": "Replayed", "project_id": world.project.id}, client_ref=task),
            create("time_entry", {"start_time": START, "end_time": END}, refs={"task_id": task}),
            update("time_entry", entry["id"], entry["version"], {"notes": "edited"}),
            update("time_entry", stale["id"], stale["version"], {"notes": "conflicts"}),
            create("time_entry", entry_data(world, end_time=START)),
            delete("time_entry", entry["id"], entry["version"]),
        ]
        first = await push_response(api, member, batch)
        assert first.status_code == 200, first.text
        statuses = [r["status"] for r in first.json()["results"]]
        assert statuses == ["applied", "applied", "applied", "conflict", "rejected", "applied"]
        tables = await every_table(factory.session)

        again = await push_response(api, member, batch)

        assert again.status_code == 200
        assert again.content == first.content
        assert await every_table(factory.session) == tables

    async def test_a_replay_inside_a_larger_push(
        self, api: Api, factory: Factory, member: Member, world: World
    ) -> None:
        old = create("time_entry", entry_data(world, notes="old"))
        [answered] = await push(api, member, [old])

        results = await push(
            api, member, [old, create("time_entry", entry_data(world, notes="new"))]
        )

        assert results[0] == answered
        assert results[1]["status"] == "applied"
        assert len(await entries_of(factory, member)) == 2

    async def test_a_client_ref_twice_in_one_push_answers_the_first(
        self, api: Api, factory: Factory, member: Member, world: World
    ) -> None:
        ref = new_ref()

        results = await push(
            api,
            member,
            [
                create("time_entry", entry_data(world, notes="first"), client_ref=ref),
                create("time_entry", entry_data(world, notes="second"), client_ref=ref),
            ],
        )

        assert results[0] == results[1]
        assert results[0]["object"]["notes"] == "first"
        assert len(await entries_of(factory, member)) == 1

    async def test_a_conflict_or_rejection_is_answered_again(
        self, api: Api, member: Member, world: World
    ) -> None:
        """A client_ref is spent once answered: to retry, the app sends a new one."""
        bad = create("time_entry", entry_data(world, end_time=START))
        [refused] = await push(api, member, [bad])

        [again] = await push(api, member, [bad])

        assert again == refused
        assert again["status"] == "rejected"

    async def test_client_refs_belong_to_their_user(
        self, api: Api, factory: Factory, owner: Member, member: Member, world: World
    ) -> None:
        colleague = await factory.member(owner.organization, "member")
        change = create("time_entry", entry_data(world))

        mine = await push(api, member, [change])
        theirs = await push(api, colleague, [change])

        assert mine[0]["status"] == theirs[0]["status"] == "applied"
        assert mine[0]["id"] != theirs[0]["id"]


class TestAccess:
    async def test_viewer_cannot_push(self, api: Api, viewer: Member, world: World) -> None:
        response = await push_response(api, viewer, [create("time_entry", entry_data(world))])

        assert response.status_code == 403
        assert response.json()["required_permission"] == "sync.push"

    async def test_member_without_project_delete_is_refused_that_change(
        self, api: Api, member: Member, world: World
    ) -> None:
        version = await version_of(api, member, "project", world.project.id)

        [refused, kept] = await push(
            api,
            member,
            [
                delete("project", world.project.id, version),
                update("project", world.project.id, version, {"color": "#112233"}),
            ],
        )

        assert refused["status"] == "rejected"
        assert refused["error"] == {
            "error": "Insufficient permissions",
            "message": "You need the 'project.delete' permission to do this",
            "error_code": "forbidden",
            "required_permission": "project.delete",
        }
        assert kept["status"] == "applied"
        shown = await api.as_(member).get(f"/api/v1/projects/{world.project.id}")
        assert shown.json()["project"]["color"] == "#112233"

    async def test_customer_is_refused(
        self, api: Api, factory: Factory, owner: Member, world: World
    ) -> None:
        acme = await factory.client(owner.organization, name="Acme")
        granted = await customer_of(factory, owner, acme, "sync.*", "time_entry.*")
        plain = await customer_of(factory, owner, acme)
        change = create("time_entry", {"start_time": START, "end_time": END, "client_id": acme.id})

        response = await push_response(api, granted, [change])
        refused = await push_response(api, plain, [change])

        assert response.status_code == 403
        assert response.json()["error_code"] == "internal_only"
        assert refused.status_code == 403
        assert refused.json()["required_permission"] == "sync.push"

    async def test_token_needs_each_changes_scope(
        self, api: Api, factory: Factory, member: Member, world: World
    ) -> None:
        pusher = await api_token(factory, member, ["write:sync", "read:sync", "write:tasks"])
        reader = await api_token(factory, member, ["read:sync"])

        results = await push(
            api,
            pusher,
            [
                create("task", {"name": "Scoped", "project_id": world.project.id}),
                create("time_entry", entry_data(world)),
            ],
        )
        refused = await push_response(api, reader, [])

        assert results[0]["status"] == "applied"
        assert results[1]["error"]["required_scope"] == "write:time_entries"
        assert refused.status_code == 403
        assert refused.json()["required_scope"] == "write:sync"

    async def test_other_organisations_objects_are_not_found(
        self, api: Api, factory: Factory, admin: Member, other_owner: Member
    ) -> None:
        project = await make_project(factory, other_owner.organization, name="Theirs")
        task = await make_task(factory, project, name="Theirs")
        [entry] = await push(
            api, other_owner, [create("time_entry", {"start_time": START, "end_time": END})]
        )
        tables = await every_table(factory.session)
        changes = [
            update("time_entry", entry["id"], entry["version"], {"notes": "mine now"}),
            delete("time_entry", entry["id"], entry["version"]),
            update("task", task.id, 10**6, {"name": "mine now"}),
            delete("project", project.id, 10**6),
            create("time_entry", {"start_time": START, "end_time": END, "task_id": task.id}),
        ]

        results = await push(api, admin, changes)

        codes = [(r["status"], r["error"]["error_code"]) for r in results]
        assert codes == [("rejected", "not_found")] * 4 + [("rejected", "invalid_reference")]
        assert all(r["object"] is None and r["version"] is None for r in results)
        mine = {
            name: rows
            for name, rows in (await every_table(factory.session)).items()
            if name != "sync_pushes"
        }
        assert mine == {name: rows for name, rows in tables.items() if name != "sync_pushes"}

    async def test_colleagues_entries_are_not_found(
        self, api: Api, admin: Member, member: Member, world: World
    ) -> None:
        """Sync hands out your own time only, so a push changes your own time only."""
        [entry] = await push(api, member, [create("time_entry", entry_data(world))])

        [refused] = await push(
            api, admin, [update("time_entry", entry["id"], entry["version"], {"notes": "x"})]
        )
        [foreign] = await push(
            api, admin, [create("time_entry", entry_data(world, user_id=member.id))]
        )

        assert refused["error"]["error_code"] == "not_found"
        assert foreign["error"]["errors"] == {"user_id": ["Offline push writes your own time only"]}


class TestEnvelope:
    @pytest.mark.parametrize(
        "change",
        [
            {"type": "task", "op": "create", "data": {}},
            {"client_ref": "not-a-uuid", "type": "task", "op": "create", "data": {}},
            {"client_ref": new_ref(), "type": "invoice", "op": "create", "data": {}},
            {"client_ref": new_ref(), "type": "task", "op": "archive", "data": {}},
            {"client_ref": new_ref(), "type": "task", "op": "update", "data": {}},
            {"client_ref": new_ref(), "type": "task", "op": "update", "id": 1, "data": {}},
            {"client_ref": new_ref(), "type": "task", "op": "create", "id": 1, "data": {}},
            {
                "client_ref": new_ref(),
                "type": "task",
                "op": "delete",
                "id": 1,
                "base_version": 1,
                "data": {},
            },
            {"client_ref": new_ref(), "type": "task", "op": "create", "data": ["name"]},
            {
                "client_ref": new_ref(),
                "type": "task",
                "op": "create",
                "data": {},
                "refs": {"user_id": new_ref()},
            },
            {"client_ref": new_ref(), "type": "task", "op": "create", "data": {}, "extra": 1},
            {"client_ref": new_ref(), "type": "task", "op": "update", "id": 1, "base_version": -1},
        ],
    )
    async def test_malformed_change_refuses_the_whole_push(
        self, api: Api, factory: Factory, member: Member, world: World, change: dict[str, Any]
    ) -> None:
        good = create("time_entry", entry_data(world))

        response = await push_response(api, member, [good, change])

        assert response.status_code == 400, response.text
        body = response.json()
        assert body["error_code"] == "validation_error"
        assert all(name.startswith("changes.1") for name in body["errors"]), body
        assert await entries_of(factory, member) == []

    async def test_more_than_500_changes_are_refused(
        self, api: Api, factory: Factory, member: Member, world: World
    ) -> None:
        changes = [
            create("task", {"name": f"T{n}", "project_id": world.project.id}) for n in range(501)
        ]

        response = await push_response(api, member, changes)

        assert response.status_code == 400
        assert response.json()["errors"] == {
            "changes": ["List should have at most 500 items after validation, not 501"]
        }
        assert await count(factory, Task, member.organization.id) == 1

    async def test_body_must_be_json(self, api: Api, member: Member) -> None:
        response = await api.as_(member).post(
            "/api/v1/sync", content=b"{", headers={"Content-Type": "application/json"}
        )

        assert response.status_code == 400
        assert response.json()["error_code"] == "invalid_json"
