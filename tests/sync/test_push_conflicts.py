"""Offline push conflicts (DESIGN §6): the server's version wins if the object changed
after the client's base version; the conflict comes back with the server's object and
the server is left as it was. Also races: parallel pushes of one batch, parallel edits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from clocktower.db import Database
from clocktower.main import create_app
from clocktower.models import SyncPush, TimeEntry
from tests.concurrency.conftest import register
from tests.conftest import test_settings as settings_for
from tests.support import Api, Factory, Member
from tests.sync.support import (
    SYNC,
    create,
    delete,
    every_table,
    full_sync,
    pull_page,
    push,
    update,
)
from tests.time_entry.conftest import make_project, make_task

START = "2024-01-15T09:00:00Z"
END = "2024-01-15T10:00:00Z"
SESSION = {"start_timestamp": START, "duration": 1500, "type": "session"}


def without_push_log(tables: dict[str, Any]) -> dict[str, Any]:
    return {name: rows for name, rows in tables.items() if name != "sync_pushes"}


async def made(api: Api, who: Member, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    [result] = await push(api, who, [create(kind, data)])
    assert result["status"] == "applied", result
    return result


class TestConflictRule:
    async def test_stale_update_is_a_conflict_carrying_the_servers_object(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        entry = await made(api, member, "time_entry", {"start_time": START, "end_time": END})
        server = await api.as_(member).patch(
            f"/api/v1/time-entries/{entry['id']}", json={"notes": "from the web"}
        )
        assert server.status_code == 200
        current = (await full_sync(api, member))[0][("time_entry", entry["id"])]
        tables = await every_table(factory.session)

        [result] = await push(
            api,
            member,
            [update("time_entry", entry["id"], entry["version"], {"notes": "from the phone"})],
        )

        assert result["status"] == "conflict"
        assert result["error"] is None
        assert result["deleted"] is False
        assert result["object"] == current
        assert result["version"] == current["version"] > entry["version"]
        assert result["object"]["notes"] == "from the web"
        # Nothing but the push log row changed: no entry, no change-log number.
        assert without_push_log(await every_table(factory.session)) == without_push_log(tables)

    async def test_update_from_the_current_version_applies(self, api: Api, member: Member) -> None:
        entry = await made(api, member, "time_entry", {"start_time": START, "end_time": END})
        [first] = await push(
            api, member, [update("time_entry", entry["id"], entry["version"], {"notes": "a"})]
        )

        [second] = await push(
            api, member, [update("time_entry", entry["id"], first["version"], {"notes": "b"})]
        )

        assert (first["status"], second["status"]) == ("applied", "applied")
        assert second["object"]["notes"] == "b"

    async def test_stale_delete_is_a_conflict_and_the_object_stays(
        self, api: Api, member: Member
    ) -> None:
        entry = await made(api, member, "time_entry", {"start_time": START, "end_time": END})
        await push(
            api, member, [update("time_entry", entry["id"], entry["version"], {"notes": "x"})]
        )

        [result] = await push(api, member, [delete("time_entry", entry["id"], entry["version"])])

        assert result["status"] == "conflict"
        assert result["object"]["notes"] == "x"
        shown = await api.as_(member).get(f"/api/v1/time-entries/{entry['id']}")
        assert shown.status_code == 200

    async def test_update_of_a_deleted_object_is_a_conflict_saying_so(
        self, api: Api, member: Member
    ) -> None:
        entry = await made(api, member, "time_entry", {"start_time": START, "end_time": END})
        _, token = await full_sync(api, member)
        gone = await api.as_(member).delete(f"/api/v1/time-entries/{entry['id']}")
        assert gone.status_code == 200
        [tombstone] = (await pull_page(api, member, token))["deleted"]

        [result] = await push(
            api, member, [update("time_entry", entry["id"], entry["version"], {"notes": "late"})]
        )

        assert result["status"] == "conflict"
        assert result["deleted"] is True
        assert result["object"] is None
        assert result["version"] == tombstone["version"]

    async def test_delete_of_a_deleted_object_is_applied(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        entry = await made(api, member, "time_entry", {"start_time": START, "end_time": END})
        [first] = await push(api, member, [delete("time_entry", entry["id"], entry["version"])])
        tables = await every_table(factory.session)

        [second] = await push(api, member, [delete("time_entry", entry["id"], entry["version"])])

        assert second["status"] == "applied"
        assert second["deleted"] is True
        assert second["version"] == first["version"]
        assert without_push_log(await every_table(factory.session)) == without_push_log(tables)

    async def test_changes_of_one_push_never_conflict_with_each_other(
        self, api: Api, member: Member
    ) -> None:
        """Both edits were made offline from the same version: the later one wins."""
        entry = await made(api, member, "time_entry", {"start_time": START, "end_time": END})

        results = await push(
            api,
            member,
            [
                update("time_entry", entry["id"], entry["version"], {"notes": "first"}),
                update("time_entry", entry["id"], entry["version"], {"notes": "second"}),
            ],
        )

        assert [r["status"] for r in results] == ["applied", "applied"]
        # Every result shows the object after the whole push.
        assert [r["object"]["notes"] for r in results] == ["second", "second"]
        assert results[0]["version"] == results[1]["version"]

    async def test_a_later_change_of_the_push_conflicts_with_an_earlier_delete(
        self, api: Api, member: Member
    ) -> None:
        entry = await made(api, member, "time_entry", {"start_time": START, "end_time": END})

        results = await push(
            api,
            member,
            [
                delete("time_entry", entry["id"], entry["version"]),
                update("time_entry", entry["id"], entry["version"], {"notes": "too late"}),
            ],
        )

        assert [(r["status"], r["deleted"]) for r in results] == [
            ("applied", True),
            ("conflict", True),
        ]

    @pytest.mark.parametrize(
        ("kind", "data", "change"),
        [
            ("task", {"name": "Draft"}, {"name": "Mine"}),
            ("project", {"name": "Draft"}, {"name": "Mine"}),
            ("client", {"name": "Draft"}, {"name": "Mine"}),
            ("focus_session", {"session": SESSION}, {"session": {**SESSION, "note": "Mine"}}),
        ],
    )
    async def test_every_kind_follows_the_rule(
        self,
        api: Api,
        factory: Factory,
        owner: Member,
        kind: str,
        data: dict[str, Any],
        change: dict[str, Any],
    ) -> None:
        project = await make_project(factory, owner.organization)
        if kind == "task":
            data = {**data, "project_id": project.id}
        # Another device of the same user got there first.
        base = await made(api, owner, kind, data)
        [first] = await push(api, owner, [update(kind, base["id"], base["version"], change)])
        assert first["status"] == "applied", first

        results = await push(
            api,
            owner,
            [
                update(kind, base["id"], base["version"], change),
                delete(kind, base["id"], base["version"]),
            ],
        )

        assert [r["status"] for r in results] == ["conflict", "conflict"]
        assert results[0]["object"] == first["object"]

    async def test_a_colleagues_edit_of_a_shared_task_wins(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        project = await make_project(factory, owner.organization)
        task = await make_task(factory, project, name="Shared")
        tasks, _ = await full_sync(api, member)
        base = tasks[("task", task.id)]["version"]
        edited = await api.as_(owner).put(f"/api/v1/tasks/{task.id}", json={"name": "Renamed"})
        assert edited.status_code == 200

        [result] = await push(api, member, [update("task", task.id, base, {"status": "done"})])

        assert result["status"] == "conflict"
        assert result["object"]["name"] == "Renamed"
        assert result["object"]["status"] == "todo"

    async def test_editing_a_sessions_entry_moves_the_sessions_version(
        self, api: Api, member: Member
    ) -> None:
        """A work session shows its entry's times and note: an edit through
        /time-entries is a change of the session, so a stale session edit conflicts."""
        session = await made(api, member, "focus_session", {"session": SESSION})
        entry_id = session["object"]["time_entry_id"]
        edited = await api.as_(member).patch(
            f"/api/v1/time-entries/{entry_id}", json={"notes": "edited on the web"}
        )
        assert edited.status_code == 200

        [result] = await push(
            api,
            member,
            [update("focus_session", session["id"], session["version"], {"session": SESSION})],
        )

        assert result["status"] == "conflict"
        assert result["object"]["note"] == "edited on the web"


# --- races: real commits ------------------------------------------------------------------


@pytest.fixture
async def http(committing_database: Database) -> AsyncIterator[httpx.AsyncClient]:
    url = committing_database.url
    app = create_app(settings_for(url), Database(url))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


PARALLEL = 8


@pytest.mark.committing
class TestRaces:
    async def test_parallel_pushes_of_one_batch_apply_it_once(
        self, http: httpx.AsyncClient, committing_database: Database
    ) -> None:
        signed_in = await register(http, "push-race@example.com")
        headers = {"Authorization": f"Bearer {signed_in['token']}"}
        batch = {
            "changes": [
                create("time_entry", {"start_time": START, "end_time": END, "notes": str(n)})
                for n in range(3)
            ]
        }

        answers = await asyncio.gather(
            *(http.post(SYNC, json=batch, headers=headers) for _ in range(PARALLEL))
        )

        assert [a.status_code for a in answers] == [200] * PARALLEL, answers[0].text
        assert len({a.content for a in answers}) == 1
        async with committing_database.transaction(write=False) as session:
            entries = (await session.execute(select(func.count(TimeEntry.id)))).scalar_one()
            pushes = (await session.execute(select(func.count(SyncPush.id)))).scalar_one()
        assert (entries, pushes) == (3, 3)

    async def test_parallel_edits_from_one_version_have_one_winner(
        self, http: httpx.AsyncClient
    ) -> None:
        signed_in = await register(http, "edit-race@example.com")
        headers = {"Authorization": f"Bearer {signed_in['token']}"}
        created = await http.post(
            SYNC,
            json={"changes": [create("time_entry", {"start_time": START, "end_time": END})]},
            headers=headers,
        )
        [entry] = created.json()["results"]

        answers = await asyncio.gather(
            *(
                http.post(
                    SYNC,
                    json={
                        "changes": [
                            update("time_entry", entry["id"], entry["version"], {"notes": str(n)})
                        ]
                    },
                    headers=headers,
                )
                for n in range(PARALLEL)
            )
        )

        assert [a.status_code for a in answers] == [200] * PARALLEL
        results = [a.json()["results"][0] for a in answers]
        winners = [r for r in results if r["status"] == "applied"]
        assert len(winners) == 1
        assert all(r["status"] == "conflict" for r in results if r not in winners)
        final = await http.get(f"/api/v1/time-entries/{entry['id']}", headers=headers)
        assert final.json()["time_entry"]["notes"] == winners[0]["object"]["notes"]
