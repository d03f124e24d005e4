"""GET /api/v1/sync (S6.1): snapshots, deltas, tombstones, paging, who sees what, tokens,
set-based writers and the cost of a delta, on both backends through HTTP."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from clocktower.changelog.kinds import KINDS
from clocktower.kit.time import utcnow
from clocktower.models import Client, Project, SyncChange, Task
from clocktower.sync import tokens
from clocktower.worker.queue import enqueue_job
from clocktower.worker.runner import JobRunner
from tests.api_token.support import issue_token
from tests.client.conftest import customer_of
from tests.conftest import QueryCounter
from tests.role.conftest import give_role
from tests.support import Api, Factory, Member
from tests.sync.conftest import (
    counter_of,
    ids_of,
    log_of,
    objects_of,
    pull,
    pull_response,
    synced,
    tombstones_of,
    versions_of,
)
from tests.time_entry.conftest import make_project, make_task

ENTRIES = "/api/v1/time-entries"
SESSIONS = "/api/v1/sessions"
BLOCKS = "/api/v1/time-blocks"
BULK = f"{ENTRIES}/bulk"
IMPORT = f"{ENTRIES}/import-csv"
NATIVE_HEADER = (
    "date,start_time,end_time,duration_hours,user_email,user_name,client,project,task,"
    "notes,tags,billable,paid,source\n"
)


async def created(api: Api, who: Member, url: str, body: dict[str, Any], key: str) -> Any:
    response = await api.as_(who).post(url, json=body)
    assert response.status_code == 201, response.text
    return response.json()[key]


async def entry(api: Api, who: Member, day: int = 15, **fields: Any) -> dict[str, Any]:
    body = {
        "start_time": f"2024-01-{day:02}T09:00:00Z",
        "end_time": f"2024-01-{day:02}T10:00:00Z",
        **fields,
    }
    found: dict[str, Any] = await created(api, who, ENTRIES, body, "time_entry")
    return found


async def work_session(
    api: Api, who: Member, *, kind: str = "session", day: int = 16, **body: Any
) -> dict[str, Any]:
    session = {"startTimestamp": f"2024-01-{day:02}T09:00:00Z", "duration": 1500, "type": kind}
    found: dict[str, Any] = await created(
        api, who, SESSIONS, {"session": session, **body}, "session"
    )
    return found


def ok(response: Any) -> Any:
    assert response.status_code in (200, 201, 204), response.text
    return response


async def expect_versions_are_the_log(factory: Factory, member: Member, answer: Any) -> None:
    log = await log_of(factory.session, member.organization.id)
    for key, version in {**versions_of(answer), **tombstones_of(answer)}.items():
        assert log[key][0] == version, key


@pytest.fixture
async def acme(factory: Factory, owner: Member) -> Client:
    return await factory.client(owner.organization, name="Acme Corp")


@pytest.fixture
async def website(factory: Factory, owner: Member, acme: Client) -> Project:
    return await make_project(factory, owner.organization, name="Website", client_id=acme.id)


@pytest.fixture
async def homepage(factory: Factory, website: Project) -> Task:
    return await make_task(factory, website, name="Homepage")


class TestSnapshot:
    async def test_carries_every_kind_with_its_version(
        self,
        api: Api,
        factory: Factory,
        owner: Member,
        member: Member,
        acme: Client,
        website: Project,
        homepage: Task,
    ) -> None:
        client = await created(api, owner, "/api/v1/clients", {"name": "Globex"}, "client")
        project = await created(
            api, member, "/api/v1/projects", {"name": "App", "client_id": client["id"]}, "project"
        )
        task = await created(
            api, member, "/api/v1/tasks", {"name": "Login", "project_id": project["id"]}, "task"
        )
        tracked = await entry(api, member, project_id=website.id, notes="Hero")
        block_body = {
            "title": "Planning",
            "start_time": "2024-01-08T09:00:00Z",
            "end_time": "2024-01-08T12:00:00Z",
            "color": "#0D9488",
        }
        block = await created(api, member, BLOCKS, block_body, "data")
        focus = await work_session(api, member, task={"id": homepage.id})
        ok(await api.as_(member).put(f"/api/v1/clients/{acme.id}/focus", json={"note": "x"}))

        answer = await pull(api, member)

        assert answer["snapshot"] is True
        assert answer["has_more"] is False
        assert answer["deleted"] == []
        assert ids_of(answer, "client") >= {acme.id, client["id"]}
        assert ids_of(answer, "project") >= {website.id, project["id"]}
        assert ids_of(answer, "task") == {homepage.id, task["id"]}
        assert ids_of(answer, "time_entry") == {
            tracked["id"],
            block["id"],
            focus["time_entry_id"],
        }
        assert ids_of(answer, "focus_session") == {focus["id"]}
        [board] = answer["customer_focus"]
        assert (board["user"]["id"], board["client"]["id"], board["note"]) == (
            member.id,
            acme.id,
            "x",
        )
        objects = objects_of(answer)
        assert objects[("time_entry", tracked["id"])]["notes"] == "Hero"
        planned = objects[("time_entry", block["id"])]
        assert (planned["title"], planned["color"], planned["source"]) == (
            "Planning",
            "#0D9488",
            "calendar",
        )
        assert objects[("focus_session", focus["id"])]["time_entry_id"] == focus["time_entry_id"]
        assert objects[("task", task["id"])]["name"] == "Login"
        await expect_versions_are_the_log(factory, member, answer)
        last, _ = await counter_of(factory.session, member.organization.id)
        assert max(versions_of(answer).values()) == last

    async def test_no_token_and_star_are_both_snapshots(
        self, api: Api, member: Member, acme: Client
    ) -> None:
        for token in (None, "*", " * ", ""):
            answer = await pull(api, member, token)

            assert answer["snapshot"] is True, token
            assert ids_of(answer, "client") == {acme.id}

    async def test_leaves_deleted_objects_and_their_tombstones_out(
        self, api: Api, owner: Member, member: Member, website: Project, homepage: Task
    ) -> None:
        kept = await entry(api, member, day=15)
        gone = await entry(api, member, day=16)
        ok(await api.as_(member).delete(f"{ENTRIES}/{gone['id']}"))
        ok(await api.as_(owner).delete(f"/api/v1/tasks/{homepage.id}"))

        answer = await pull(api, member)

        assert ids_of(answer, "time_entry") == {kept["id"]}
        assert ids_of(answer, "task") == set()
        assert answer["deleted"] == []

    async def test_an_empty_organisation_answers_an_empty_snapshot_and_a_usable_token(
        self, api: Api, owner: Member
    ) -> None:
        answer = await pull(api, owner)
        again = await pull(api, owner, answer["sync_token"])

        assert objects_of(answer) == {}
        assert objects_of(again) == {}
        assert again["snapshot"] is False
        assert again["has_more"] is False


class TestDelta:
    async def test_only_what_changed_after_the_token_with_new_versions(
        self,
        api: Api,
        factory: Factory,
        owner: Member,
        member: Member,
        acme: Client,
        website: Project,
        homepage: Task,
    ) -> None:
        untouched = await entry(api, member, day=15)
        edited = await entry(api, member, day=16)
        first = await pull(api, member)
        before = versions_of(first)

        ok(await api.as_(member).patch(f"/api/v1/tasks/{homepage.id}", json={"name": "Hero"}))
        ok(await api.as_(member).patch(f"{ENTRIES}/{edited['id']}", json={"notes": "later"}))
        newcomer = await created(api, owner, "/api/v1/clients", {"name": "Initech"}, "client")
        delta = await pull(api, member, first["sync_token"])

        assert delta["snapshot"] is False
        changed = versions_of(delta)
        # A new client comes with its General Support project.
        assert set(changed) - {("project", p) for p in ids_of(delta, "project")} == {
            ("task", homepage.id),
            ("time_entry", edited["id"]),
            ("client", newcomer["id"]),
        }
        assert ("time_entry", untouched["id"]) not in changed
        assert changed[("task", homepage.id)] > before[("task", homepage.id)]
        assert changed[("time_entry", edited["id"])] > before[("time_entry", edited["id"])]
        assert min(changed.values()) > max(before.values())
        objects = objects_of(delta)
        assert objects[("task", homepage.id)]["name"] == "Hero"
        assert objects[("time_entry", edited["id"])]["notes"] == "later"
        await expect_versions_are_the_log(factory, member, delta)

    async def test_nothing_changed_is_an_empty_page(self, api: Api, member: Member) -> None:
        await entry(api, member)
        token = (await pull(api, member))["sync_token"]

        delta = await pull(api, member, token)

        assert objects_of(delta) == {}
        assert delta["deleted"] == []
        assert delta["has_more"] is False
        assert (await pull(api, member, delta["sync_token"]))["deleted"] == []

    async def test_an_entry_edit_sends_its_work_session_again(
        self, api: Api, factory: Factory, member: Member, homepage: Task
    ) -> None:
        focus = await work_session(api, member, task={"id": homepage.id})
        first = await pull(api, member)

        ok(
            await api.as_(member).patch(
                f"{ENTRIES}/{focus['time_entry_id']}", json={"notes": "Deep work"}
            )
        )
        delta = await pull(api, member, first["sync_token"])

        assert set(versions_of(delta)) == {
            ("time_entry", focus["time_entry_id"]),
            ("focus_session", focus["id"]),
        }
        [session] = delta["focus_sessions"]
        assert session["note"] == "Deep work"
        assert session["version"] > versions_of(first)[("focus_session", focus["id"])]
        await expect_versions_are_the_log(factory, member, delta)

    async def test_active_timer_is_the_running_one_whatever_changed(
        self, api: Api, member: Member, website: Project
    ) -> None:
        assert (await pull(api, member))["active_timer"] is None
        started = await api.as_(member).post("/api/v1/timer/start", json={"project_id": website.id})
        timer = started.json()["timer"]
        token = (await pull(api, member))["sync_token"]

        quiet = await pull(api, member, token)
        ok(await api.as_(member).post("/api/v1/timer/stop"))
        stopped = await pull(api, member, token)

        assert quiet["active_timer"]["id"] == timer["id"]
        assert quiet["active_timer"]["is_active"] is True
        assert objects_of(quiet) == {}
        assert stopped["active_timer"] is None
        assert objects_of(stopped)[("time_entry", timer["id"])]["is_active"] is False


class TestTombstones:
    async def test_deletes_of_every_kind_arrive_as_tombstones(
        self,
        api: Api,
        factory: Factory,
        owner: Member,
        acme: Client,
        website: Project,
        homepage: Task,
    ) -> None:
        doomed = await created(api, owner, "/api/v1/clients", {"name": "Doomed"}, "client")
        spare = await created(api, owner, "/api/v1/projects", {"name": "Spare"}, "project")
        tracked = await entry(api, owner)
        rest = await work_session(api, owner, kind="break")
        ok(await api.as_(owner).put(f"/api/v1/clients/{doomed['id']}/focus"))
        first = await pull(api, owner)
        general = ids_of(first, "project") - {website.id, spare["id"]}

        ok(await api.as_(owner).delete(f"/api/v1/tasks/{homepage.id}"))
        ok(await api.as_(owner).delete(f"/api/v1/projects/{spare['id']}?permanent=true"))
        ok(await api.as_(owner).delete(f"{ENTRIES}/{tracked['id']}"))
        ok(await api.as_(owner).delete(f"{SESSIONS}/{rest['id']}"))
        # The client's focus and its untouched General Support project go with it.
        ok(await api.as_(owner).delete(f"/api/v1/clients/{doomed['id']}"))
        delta = await pull(api, owner, first["sync_token"])

        [focus_id] = [key[1] for key in versions_of(first) if key[0] == "customer_focus"]
        assert set(tombstones_of(delta)) == {
            ("task", homepage.id),
            ("project", spare["id"]),
            ("time_entry", tracked["id"]),
            ("focus_session", rest["id"]),
            ("client", doomed["id"]),
            ("customer_focus", focus_id),
            *(("project", project_id) for project_id in general),
        }
        assert objects_of(delta) == {}
        assert min(tombstones_of(delta).values()) > max(versions_of(first).values())
        await expect_versions_are_the_log(factory, owner, delta)

    async def test_clearing_focus_is_a_tombstone(
        self, api: Api, member: Member, acme: Client
    ) -> None:
        ok(await api.as_(member).put(f"/api/v1/clients/{acme.id}/focus"))
        first = await pull(api, member)
        [focus] = first["customer_focus"]

        ok(await api.as_(member).delete(f"/api/v1/clients/{acme.id}/focus"))
        delta = await pull(api, member, first["sync_token"])

        assert tombstones_of(delta) == {
            ("customer_focus", focus["id"]): delta["deleted"][0]["version"]
        }

    async def test_a_member_leaving_takes_their_focus_off_colleagues_devices(
        self, api: Api, owner: Member, member: Member, acme: Client
    ) -> None:
        ok(await api.as_(member).put(f"/api/v1/clients/{acme.id}/focus"))
        first = await pull(api, owner)
        [focus] = first["customer_focus"]

        ok(await api.as_(owner).delete(f"/api/v1/team/{member.id}"))
        delta = await pull(api, owner, first["sync_token"])

        assert ("customer_focus", focus["id"]) in tombstones_of(delta)

    async def test_deleting_a_work_sessions_entry_tombstones_the_session(
        self, api: Api, member: Member, homepage: Task
    ) -> None:
        focus = await work_session(api, member, task={"id": homepage.id})
        first = await pull(api, member)

        ok(await api.as_(member).delete(f"{ENTRIES}/{focus['time_entry_id']}"))
        delta = await pull(api, member, first["sync_token"])

        assert set(tombstones_of(delta)) == {
            ("time_entry", focus["time_entry_id"]),
            ("focus_session", focus["id"]),
        }

    async def test_deleting_a_work_session_tombstones_its_entry(
        self, api: Api, member: Member, homepage: Task
    ) -> None:
        focus = await work_session(api, member, task={"id": homepage.id})
        first = await pull(api, member)

        ok(await api.as_(member).delete(f"{SESSIONS}/{focus['id']}"))
        delta = await pull(api, member, first["sync_token"])

        assert set(tombstones_of(delta)) == {
            ("time_entry", focus["time_entry_id"]),
            ("focus_session", focus["id"]),
        }

    async def test_a_work_session_turned_break_keeps_the_session_and_drops_the_entry(
        self, api: Api, member: Member, homepage: Task
    ) -> None:
        focus = await work_session(api, member, task={"id": homepage.id})
        first = await pull(api, member)

        body = {
            "session": {"startTimestamp": "2024-01-16T09:00:00Z", "duration": 300, "type": "break"}
        }
        ok(await api.as_(member).put(f"{SESSIONS}/{focus['id']}", json=body))
        delta = await pull(api, member, first["sync_token"])

        assert set(tombstones_of(delta)) == {("time_entry", focus["time_entry_id"])}
        [session] = delta["focus_sessions"]
        assert (session["id"], session["type"], session["time_entry_id"]) == (
            focus["id"],
            "break",
            None,
        )


class TestPaging:
    async def test_pages_chain_and_add_up_to_the_whole_state(
        self, api: Api, owner: Member, website: Project
    ) -> None:
        # With the client and the project, three full pages: the last one knows it is last.
        for day in range(1, 14):
            await entry(api, owner, day=day, project_id=website.id)
        whole = await pull(api, owner, limit=1000)

        token, pages, union = "*", [], {}
        while True:
            page = await pull(api, owner, token, limit=5)
            pages.append(page)
            for key, item in objects_of(page).items():
                assert key not in union, f"{key} came twice"
                union[key] = item["version"]
            token = page["sync_token"]
            if not page["has_more"]:
                break

        assert [page["has_more"] for page in pages] == [True, True, False]
        assert [page["snapshot"] for page in pages] == [True, False, False]
        assert [len(objects_of(page)) for page in pages] == [5, 5, 5]
        assert union == versions_of(whole)
        assert pages[-1]["sync_token"] == whole["sync_token"]

    async def test_a_paged_delta_with_tombstones_ends_where_the_replica_is_current(
        self, api: Api, owner: Member, website: Project
    ) -> None:
        made = [await entry(api, owner, day=day) for day in range(1, 9)]
        replica = await synced(api, owner, limit=3)
        for gone in made[:3]:
            ok(await api.as_(owner).delete(f"{ENTRIES}/{gone['id']}"))
        for kept in made[3:6]:
            ok(await api.as_(owner).patch(f"{ENTRIES}/{kept['id']}", json={"notes": "n"}))
        await created(api, owner, "/api/v1/projects", {"name": "Later"}, "project")

        pages_before = replica.pages
        last = await replica.catch_up(lambda token: pull(api, owner, token, limit=2))
        fresh = await synced(api, owner)

        assert replica.pages - pages_before == 4  # 7 changes, 2 a page
        assert last["has_more"] is False
        assert replica.versions() == fresh.versions()
        assert replica.objects == fresh.objects
        assert replica.decreases == []


class TestVisibility:
    async def test_members_see_their_own_entries_and_sessions_and_all_shared_objects(
        self, api: Api, factory: Factory, owner: Member, member: Member, acme: Client
    ) -> None:
        other = await factory.member(owner.organization, "member", name="Bea Other")
        mine = await entry(api, member)
        my_session = await work_session(api, member, kind="break")
        theirs = await entry(api, other)
        their_session = await work_session(api, other)
        project = await created(api, other, "/api/v1/projects", {"name": "Theirs"}, "project")
        ok(await api.as_(other).put(f"/api/v1/clients/{acme.id}/focus"))
        first = await pull(api, member)
        their_first = await pull(api, other)

        ok(await api.as_(other).delete(f"{ENTRIES}/{theirs['id']}"))
        ok(await api.as_(other).delete(f"{SESSIONS}/{their_session['id']}"))
        ok(await api.as_(other).patch(f"/api/v1/projects/{project['id']}", json={"name": "P"}))
        delta = await pull(api, member, first["sync_token"])
        their_delta = await pull(api, other, their_first["sync_token"])

        assert ids_of(first, "time_entry") == {mine["id"]}
        assert ids_of(first, "focus_session") == {my_session["id"]}
        assert project["id"] in ids_of(first, "project")
        assert [f["user"]["id"] for f in first["customer_focus"]] == [other.id]
        assert delta["deleted"] == []
        assert set(versions_of(delta)) == {("project", project["id"])}
        assert {("time_entry", theirs["id"]), ("focus_session", their_session["id"])} <= set(
            tombstones_of(their_delta)
        )

    async def test_a_deleted_entrys_id_is_never_taken_over(
        self, api: Api, owner: Member, member: Member
    ) -> None:
        """Followed tables never reuse ids (AUTOINCREMENT on SQLite), so a new entry
        cannot take over the deleted one's tombstone."""
        mine = await entry(api, member)
        first = await pull(api, member)

        ok(await api.as_(member).delete(f"{ENTRIES}/{mine['id']}"))
        await entry(api, owner)
        delta = await pull(api, member, first["sync_token"])

        assert set(tombstones_of(delta)) == {("time_entry", mine["id"])}
        assert objects_of(delta) == {}


class TestPermissions:
    async def test_kinds_the_caller_cannot_list_are_left_out(
        self, api: Api, factory: Factory, owner: Member, member: Member, homepage: Task
    ) -> None:
        await give_role(
            factory,
            member,
            [
                "sync.pull",
                "client.fetch.many",
                "project.fetch.many",
                "time_entry.fetch.many",
                "time_entry.create",
                "obj.*",
            ],
            only=True,
        )
        mine = await entry(api, member)
        first = await pull(api, member)
        spare = await make_task(factory, await make_project(factory, owner.organization), name="x")
        ok(await api.as_(owner).delete(f"/api/v1/tasks/{spare.id}"))
        ok(await api.as_(owner).delete(f"/api/v1/tasks/{homepage.id}"))

        delta = await pull(api, member, first["sync_token"])

        assert first["tasks"] == []
        assert delta["tasks"] == []
        assert ids_of(first, "time_entry") == {mine["id"]}
        assert ids_of(first, "project")
        assert ids_of(first, "client")
        assert [gone for gone in delta["deleted"] if gone["type"] == "task"] == []

    async def test_a_viewer_can_pull(
        self, api: Api, viewer: Member, acme: Client, homepage: Task
    ) -> None:
        answer = await pull(api, viewer)

        assert ids_of(answer, "client") == {acme.id}
        assert ids_of(answer, "task") == {homepage.id}

    async def test_a_member_without_sync_pull_is_forbidden(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        await give_role(factory, member, ["task.fetch.many", "client.fetch.many"], only=True)

        response = await pull_response(api, member)

        assert response.status_code == 403
        assert response.json()["error_code"] == "forbidden"

    async def test_customers_cannot_sync(
        self, api: Api, factory: Factory, owner: Member, acme: Client
    ) -> None:
        customer = await customer_of(factory, owner, acme)
        granted = await customer_of(factory, owner, acme, "sync.pull")

        plain = await pull_response(api, customer)
        internal = await pull_response(api, granted)

        assert plain.status_code == 403
        assert internal.status_code == 403
        assert internal.json()["error_code"] == "internal_only"


class TestApiTokenScopes:
    async def test_read_sync_alone_leaves_out_every_kind_needing_another_scope(
        self, api: Api, owner: Member, acme: Client, website: Project, homepage: Task
    ) -> None:
        await entry(api, owner)
        ok(await api.as_(owner).post("/api/v1/timer/start", json={"project_id": website.id}))
        token, _ = await issue_token(api, owner, scopes=["read:sync"])

        answer = await pull(api, token)

        assert objects_of(answer) == {}
        # The running timer is a time entry: read:time_entries shows it, read:sync does not.
        assert answer["active_timer"] is None

    async def test_each_read_scope_adds_its_kinds(
        self, api: Api, owner: Member, acme: Client, website: Project, homepage: Task
    ) -> None:
        await entry(api, owner)
        token, _ = await issue_token(api, owner, scopes=["read:sync", "read:tasks"])
        entries, _ = await issue_token(api, owner, scopes=["read:sync", "read:time_entries"])

        tasks_only = await pull(api, token)
        entries_only = await pull(api, entries)

        assert {key[0] for key in objects_of(tasks_only)} == {"task"}
        assert {key[0] for key in objects_of(entries_only)} == {"time_entry"}

    async def test_without_read_sync_the_answer_names_the_scope(
        self, api: Api, owner: Member
    ) -> None:
        token, _ = await issue_token(api, owner, scopes=["read:tasks"])

        response = await pull_response(api, token)

        assert response.status_code == 403
        body = response.json()
        assert body["required_scope"] == "read:sync"
        assert body["available_scopes"] == ["read:tasks"]


def holder_of(member: Member) -> tokens.Holder:
    """Whose token it is: a built-in member reads every kind."""
    return tokens.Holder.of(member.organization.id, member.id, KINDS)


class TestTokens:
    @pytest.mark.parametrize(
        "token",
        [
            "garbage",
            "s2_",
            "s2_!!!!",
            "s2_" + "bm90LWEtbnVtYmVy",  # not-a-number
            "s2_MS4yLjM",  # 1.2.3 (three parts)
            "s1_MS4y",  # the first format (organisation and sequence only)
        ],
    )
    async def test_malformed_tokens_are_400(self, api: Api, member: Member, token: str) -> None:
        response = await pull_response(api, member, token)

        assert response.status_code == 400, response.text
        assert response.json()["error_code"] == "invalid_sync_token"

    async def test_another_organisations_token_is_400(
        self, api: Api, member: Member, other_owner: Member
    ) -> None:
        theirs = (await pull(api, other_owner))["sync_token"]

        response = await pull_response(api, member, theirs)

        assert response.status_code == 400
        assert response.json()["error_code"] == "invalid_sync_token"

    async def test_another_members_token_is_400(
        self, api: Api, member: Member, admin: Member
    ) -> None:
        theirs = (await pull(api, admin))["sync_token"]

        response = await pull_response(api, member, theirs)

        assert response.status_code == 400
        assert response.json()["error_code"] == "invalid_sync_token"

    async def test_a_token_from_before_a_permission_change_is_410(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        token = (await pull(api, member))["sync_token"]
        await give_role(
            factory,
            member,
            ["sync.pull", "project.fetch.many", "time_entry.fetch.many", "obj.*"],
            only=True,
        )

        response = await pull_response(api, member, token)
        again = await pull_response(api, member)

        assert response.status_code == 410
        assert response.json()["error_code"] == "sync_token_expired"
        assert again.status_code == 200
        assert again.json()["clients"] == []
        assert again.json()["tasks"] == []

    async def test_a_negative_sequence_is_400(self, api: Api, member: Member) -> None:
        response = await pull_response(api, member, tokens.encode(holder_of(member), -1))

        assert response.status_code == 400

    async def test_a_token_ahead_of_the_counter_is_410(
        self, api: Api, factory: Factory, member: Member, acme: Client
    ) -> None:
        last, _ = await counter_of(factory.session, member.organization.id)

        ahead = await pull_response(api, member, tokens.encode(holder_of(member), last + 5))
        current = await pull_response(api, member, tokens.encode(holder_of(member), last))

        assert ahead.status_code == 410
        assert ahead.json()["error_code"] == "sync_token_expired"
        assert current.status_code == 200

    async def test_limit_outside_its_range_is_400(self, api: Api, member: Member) -> None:
        for limit in (0, 1001):
            response = await pull_response(api, member, limit=limit)
            assert response.status_code == 400, limit

    async def test_a_token_older_than_the_pruned_tombstones_is_410(
        self,
        api: Api,
        factory: Factory,
        runner: JobRunner,
        owner: Member,
        other_owner: Member,
        website: Project,
    ) -> None:
        old = await entry(api, owner, day=1)
        recent = await entry(api, owner, day=2)
        stale = (await pull(api, owner))["sync_token"]
        ok(await api.as_(owner).delete(f"{ENTRIES}/{old['id']}"))
        current = (await pull(api, owner))["sync_token"]
        ok(await api.as_(owner).delete(f"{ENTRIES}/{recent['id']}"))
        theirs = (await pull(api, other_owner))["sync_token"]
        # The first deletion is older than the kept history; the second is not.
        await factory.session.execute(
            update(SyncChange)
            .where(SyncChange.object_type == "time_entry", SyncChange.object_id == old["id"])
            .values(changed_at=utcnow() - timedelta(days=91))
        )
        await enqueue_job(factory.session, "system.cleanup")
        await factory.session.commit()

        await runner.run_until_idle()

        log = await log_of(factory.session, owner.organization.id)
        assert ("time_entry", old["id"]) not in log
        assert log[("time_entry", recent["id"])][1] is True
        assert (await counter_of(factory.session, owner.organization.id))[1] > 0
        expired = await pull_response(api, owner, stale)
        assert expired.status_code == 410
        assert expired.json()["error_code"] == "sync_token_expired"
        still = await pull(api, owner, current)
        assert set(tombstones_of(still)) == {("time_entry", recent["id"])}
        assert (await pull_response(api, other_owner, theirs)).status_code == 200
        assert (await pull(api, owner, "*"))["snapshot"] is True


class TestSetBasedWriters:
    async def test_invoicing_entries_and_deleting_the_draft_resend_them(
        self, api: Api, owner: Member, website: Project, acme: Client
    ) -> None:
        billed = await entry(api, owner, day=3, project_id=website.id)
        first = await pull(api, owner)

        draft = await api.as_(owner).post(
            "/api/v1/invoices",
            json={
                "client_id": acme.id,
                "source": "entries",
                "period_start": "2024-01-01",
                "period_end": "2024-01-31",
            },
        )
        assert draft.status_code == 201, draft.text
        reserved = await pull(api, owner, first["sync_token"])
        ok(await api.as_(owner).delete(f"/api/v1/invoices/{draft.json()['invoice']['id']}"))
        released = await pull(api, owner, reserved["sync_token"])

        assert ("time_entry", billed["id"]) in versions_of(reserved)
        assert ("time_entry", billed["id"]) in versions_of(released)

    async def test_bulk_edits_and_deletes_arrive(
        self, api: Api, factory: Factory, admin: Member, member: Member, homepage: Task
    ) -> None:
        one = await entry(api, member, day=1)
        two = await entry(api, member, day=2)
        focus = await work_session(api, member, task={"id": homepage.id})
        first = await pull(api, member)

        ok(
            await api.as_(admin).post(
                BULK, json={"entry_ids": [one["id"]], "action": "set_billable", "value": False}
            )
        )
        ok(
            await api.as_(admin).post(
                BULK, json={"entry_ids": [two["id"]], "action": "add_tag", "value": "urgent"}
            )
        )
        edited = await pull(api, member, first["sync_token"])
        await expect_versions_are_the_log(factory, member, edited)
        ok(
            await api.as_(admin).post(
                BULK,
                json={"entry_ids": [one["id"], focus["time_entry_id"]], "action": "delete"},
            )
        )
        deleted = await pull(api, member, edited["sync_token"])

        objects = objects_of(edited)
        assert objects[("time_entry", one["id"])]["billable"] is False
        assert objects[("time_entry", two["id"])]["tags"] == "urgent"
        assert set(objects) == {("time_entry", one["id"]), ("time_entry", two["id"])}
        assert set(tombstones_of(deleted)) == {
            ("time_entry", one["id"]),
            ("time_entry", focus["time_entry_id"]),
            ("focus_session", focus["id"]),
        }
        await expect_versions_are_the_log(factory, member, deleted)

    async def test_a_bulk_edit_of_a_work_sessions_entry_sends_the_session_again(
        self, api: Api, admin: Member, member: Member, homepage: Task
    ) -> None:
        focus = await work_session(api, member, task={"id": homepage.id})
        first = await pull(api, member)

        ok(
            await api.as_(admin).post(
                BULK,
                json={"entry_ids": [focus["time_entry_id"]], "action": "set_paid", "value": True},
            )
        )
        delta = await pull(api, member, first["sync_token"])

        assert set(versions_of(delta)) == {
            ("time_entry", focus["time_entry_id"]),
            ("focus_session", focus["id"]),
        }

    async def test_a_csv_import_sends_what_it_created(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        first = await pull(api, owner)
        text = (
            NATIVE_HEADER
            + "x,2024-03-04T09:00:00Z,2024-03-04T10:00:00Z,,,,Globex,Portal,Design,One,,,,\n"
            + "x,2024-03-05T09:00:00Z,2024-03-05T10:00:00Z,,,,Globex,Portal,Design,Two,,,,\n"
        )
        response = await api.as_(owner).post(
            IMPORT, content=text.encode(), headers={"Content-Type": "text/csv"}
        )
        assert response.status_code == 201, response.text

        delta = await pull(api, owner, first["sync_token"])

        assert [c["name"] for c in delta["clients"]] == ["Globex"]
        assert "Portal" in {p["name"] for p in delta["projects"]}
        assert [t["name"] for t in delta["tasks"]] == ["Design"]
        assert sorted(e["notes"] for e in delta["time_entries"]) == ["One", "Two"]
        [portal] = [p for p in delta["projects"] if p["name"] == "Portal"]
        assert {e["project_id"] for e in delta["time_entries"]} == {portal["id"]}
        await expect_versions_are_the_log(factory, owner, delta)

    async def test_a_project_moved_to_another_client_sends_its_entries_again(
        self,
        api: Api,
        factory: Factory,
        owner: Member,
        member: Member,
        acme: Client,
        website: Project,
    ) -> None:
        globex = await factory.client(owner.organization, name="Globex")
        mine = await entry(api, member, project_id=website.id)
        theirs = await entry(api, owner, project_id=website.id)
        first = await pull(api, member)
        owners_first = await pull(api, owner)

        ok(
            await api.as_(owner).patch(
                f"/api/v1/projects/{website.id}", json={"client_id": globex.id}
            )
        )
        delta = await pull(api, member, first["sync_token"])
        owners_delta = await pull(api, owner, owners_first["sync_token"])

        assert set(versions_of(delta)) == {("project", website.id), ("time_entry", mine["id"])}
        assert objects_of(delta)[("time_entry", mine["id"])]["client_id"] == globex.id
        assert objects_of(owners_delta)[("time_entry", theirs["id"])]["client_id"] == globex.id
        await expect_versions_are_the_log(factory, member, delta)


class TestCost:
    async def test_a_delta_costs_the_same_statements_whatever_its_size_and_the_accounts(
        self,
        api: Api,
        factory: Factory,
        owner: Member,
        website: Project,
        homepage: Task,
        queries: QueryCounter,
    ) -> None:
        async def change_round(count: int) -> str:
            token = (await pull(api, owner, limit=1000))["sync_token"]
            # A change of each of three kinds, `count` entries among them.
            for day in range(1, count + 1):
                await entry(api, owner, day=day, project_id=website.id)
            ok(
                await api.as_(owner).patch(
                    f"/api/v1/tasks/{homepage.id}", json={"name": f"T{count}"}
                )
            )
            ok(
                await api.as_(owner).patch(
                    f"/api/v1/projects/{website.id}", json={"name": f"W{count}"}
                )
            )
            return token

        small = await change_round(1)
        with queries:
            one = await pull(api, owner, small)
        single = queries.count
        # A much bigger account, and a delta with many more changes.
        for number in range(30):
            await make_task(factory, website, name=f"Filler {number}")
        large = await change_round(12)
        with queries:
            many = await pull(api, owner, large)

        assert len(one["time_entries"]) == 1
        assert len(many["time_entries"]) == 12
        assert queries.count == single, queries.statements
