"""The change log's recorder (S6.1): what a transaction leaves in the log, and when.

A committed transaction numbers each object it changed once, with the next numbers of
its organisation's counter and nothing in between; a rolled-back transaction or
savepoint leaves nothing behind."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from clocktower.changelog import recorder
from clocktower.db import Database
from clocktower.models import Client, SyncChange, TimeEntry
from tests.conftest import QueryCounter
from tests.support import Api, Factory, Member
from tests.sync.conftest import counter_of, log_of, log_rows
from tests.time_entry.conftest import add_entry, make_project, make_task, utc

ENTRIES = "/api/v1/time-entries"


class Boom(Exception):
    pass


def ok(response: Any) -> Any:
    assert response.status_code in (200, 201), response.text
    return response


async def rows_of(factory: Factory, kind: str, object_id: int) -> list[SyncChange]:
    found = await factory.session.scalars(
        select(SyncChange)
        .where(SyncChange.object_type == kind, SyncChange.object_id == object_id)
        .execution_options(populate_existing=True)
    )
    return list(found)


class TestRollback:
    async def test_a_request_that_fails_after_a_flush_leaves_no_trace(
        self, api: Api, factory: Factory, member: Member, queries: QueryCounter
    ) -> None:
        project = await make_project(factory, member.organization)
        before_log = await log_of(factory.session, member.organization.id)
        before = await counter_of(factory.session, member.organization.id)
        # The task named by title is created (and flushed) before the 25 h duration is
        # refused: the request's transaction rolls both back.
        body = {
            "session": {
                "startTimestamp": "2024-01-15T09:00:00Z",
                "duration": 90_000,
                "type": "session",
            },
            "task": {"title": "Made then undone", "project_id": project.id},
        }

        with queries:
            response = await api.as_(member).post("/api/v1/sessions", json=body)

        assert response.status_code == 400, response.text
        assert any(s.lstrip().upper().startswith("INSERT INTO TASKS") for s in queries.statements)
        assert not any("sync_counters" in s for s in queries.statements)
        assert await counter_of(factory.session, member.organization.id) == before
        assert await log_of(factory.session, member.organization.id) == before_log

    async def test_a_rolled_back_savepoint_drops_its_notes_and_keeps_the_rest(
        self, factory: Factory, owner: Member
    ) -> None:
        session = factory.session
        organization_id = owner.organization.id
        before, _ = await counter_of(session, organization_id)
        kept = Client(organization_id=organization_id, name="Kept")
        session.add(kept)
        await session.flush()
        kept_id = kept.id
        ghosts: list[int] = []

        async def undone() -> None:
            async with session.begin_nested():
                ghost = Client(organization_id=organization_id, name="Ghost")
                session.add(ghost)
                await session.flush()
                ghosts.append(ghost.id)
                kept.name = "Kept, renamed in the savepoint"
                await session.flush()
                raise Boom

        with pytest.raises(Boom):
            await undone()
        await session.commit()

        log = await log_of(session, organization_id)
        assert (await counter_of(session, organization_id))[0] == before + 1
        assert log[("client", kept_id)] == (before + 1, False)
        assert ("client", ghosts[0]) not in log

    async def test_a_released_savepoint_is_numbered_at_the_outer_commit(
        self, factory: Factory, owner: Member
    ) -> None:
        session = factory.session
        organization_id = owner.organization.id
        before, _ = await counter_of(session, organization_id)
        async with session.begin_nested():
            session.add(Client(organization_id=organization_id, name="Inner"))
        assert (await counter_of(session, organization_id))[0] == before

        await session.commit()

        assert (await counter_of(session, organization_id))[0] == before + 1

    async def test_a_rolled_back_transaction_writes_nothing_at_the_next_commit(
        self, factory: Factory, owner: Member
    ) -> None:
        session = factory.session
        organization_id = owner.organization.id
        session.add(Client(organization_id=organization_id, name="Rolled back"))
        await session.flush()
        await session.rollback()
        before, _ = await counter_of(session, organization_id)

        session.add(Client(organization_id=organization_id, name="Committed"))
        await session.commit()

        assert (await counter_of(session, organization_id))[0] == before + 1

    async def test_a_session_closed_without_rollback_forgets_its_notes(
        self, database: Database, factory: Factory, owner: Member
    ) -> None:
        organization_id = owner.organization.id
        before, _ = await counter_of(factory.session, organization_id)
        session = database.sessionmaker()
        session.add(Client(organization_id=organization_id, name="Abandoned"))
        await session.flush()
        recorder.note(session, organization_id, "client", [999_999])
        await session.close()

        session.add(Client(organization_id=organization_id, name="Fresh"))
        await session.commit()
        await session.close()

        log = await log_of(factory.session, organization_id)
        assert (await counter_of(factory.session, organization_id))[0] == before + 1
        assert ("client", 999_999) not in log


class TestNumbering:
    async def test_several_changes_to_one_object_are_one_row_with_one_number(
        self, factory: Factory, owner: Member
    ) -> None:
        session = factory.session
        organization_id = owner.organization.id
        before, _ = await counter_of(session, organization_id)
        client = Client(organization_id=organization_id, name="v1")
        session.add(client)
        await session.flush()
        for name in ("v2", "v3"):
            client.name = name
            await session.flush()
        recorder.note(session, organization_id, "client", [client.id])
        await session.commit()

        [row] = await rows_of(factory, "client", client.id)
        assert (await counter_of(session, organization_id))[0] == before + 1
        assert (row.seq, row.deleted, row.user_id) == (before + 1, False, None)

    async def test_numbers_are_gap_free_and_follow_the_commits(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        organization_id = owner.organization.id
        project = await make_project(factory, owner.organization)
        task = await make_task(factory, project)
        stored = await add_entry(factory, member, utc("2024-01-14T09:00"))
        requests = [
            lambda: api.as_(member).post(
                ENTRIES, json={"start_time": "2024-01-15T09:00:00Z", "duration_seconds": 60}
            ),
            lambda: api.as_(owner).post("/api/v1/clients", json={"name": "Globex"}),
            lambda: api.as_(member).post(
                "/api/v1/sessions",
                json={
                    "session": {
                        "startTimestamp": "2024-01-16T09:00:00Z",
                        "duration": 600,
                        "type": "session",
                    },
                    "task": {"title": "Fresh", "project_id": project.id},
                },
            ),
            lambda: api.as_(member).patch(f"/api/v1/tasks/{task.id}", json={"name": "Again"}),
            lambda: api.as_(owner).post(
                f"{ENTRIES}/bulk",
                json={"entry_ids": [stored.id], "action": "set_paid", "value": True},
            ),
        ]
        seen: list[int] = []
        counts = []
        for send in requests:
            last, _ = await counter_of(factory.session, organization_id)
            ok(await send())
            now, _ = await counter_of(factory.session, organization_id)
            fresh = [
                row.seq
                for row in await log_rows(factory.session, organization_id)
                if row.seq > last
            ]
            assert sorted(fresh) == list(range(last + 1, now + 1))
            seen.extend(fresh)
            counts.append(len(fresh))

        assert seen == sorted(seen)
        # An entry; a client and its General Support project; a task, its entry and the
        # session; a task; an entry.
        assert counts == [1, 2, 3, 1, 1]

    async def test_organisations_count_on_their_own(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member
    ) -> None:
        ours, _ = await counter_of(factory.session, owner.organization.id)
        theirs, _ = await counter_of(factory.session, other_owner.organization.id)

        ok(await api.as_(other_owner).post("/api/v1/projects", json={"name": "Theirs"}))
        after_theirs = await counter_of(factory.session, owner.organization.id)
        ok(await api.as_(owner).post("/api/v1/projects", json={"name": "Ours"}))

        assert after_theirs[0] == ours
        assert (await counter_of(factory.session, owner.organization.id))[0] == ours + 1
        assert (await counter_of(factory.session, other_owner.organization.id))[0] == theirs + 1
        [their_row] = [
            row
            for row in await log_rows(factory.session, other_owner.organization.id)
            if row.object_type == "project"
        ]
        assert their_row.seq == theirs + 1

    async def test_a_deletion_replaces_the_objects_row_with_a_tombstone(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        client = await factory.client(owner.organization, name="Short-lived")
        [row] = await rows_of(factory, "client", client.id)
        row_id, seq = row.id, row.seq

        ok(await api.as_(owner).delete(f"/api/v1/clients/{client.id}"))

        [tombstone] = await rows_of(factory, "client", client.id)
        last, _ = await counter_of(factory.session, owner.organization.id)
        assert tombstone.id == row_id
        assert tombstone.deleted is True
        assert seq < tombstone.seq == last

    async def test_personal_rows_name_their_owner_shared_rows_nobody(
        self, api: Api, factory: Factory, admin: Member, member: Member
    ) -> None:
        entry = await add_entry(factory, member, utc("2024-01-15T09:00"))
        client = await factory.client(member.organization)

        # A set-based edit by someone else names no owner: it is read at commit.
        ok(
            await api.as_(admin).post(
                f"{ENTRIES}/bulk",
                json={"entry_ids": [entry.id], "action": "add_tag", "value": "x"},
            )
        )

        [entry_row] = await rows_of(factory, "time_entry", entry.id)
        [client_row] = await rows_of(factory, "client", client.id)
        assert entry_row.user_id == member.id
        assert client_row.user_id is None

    async def test_a_set_based_change_of_an_object_gone_by_commit_is_a_tombstone(
        self, factory: Factory, member: Member
    ) -> None:
        session = factory.session
        entry = await add_entry(factory, member, utc("2024-01-15T09:00"))
        recorder.note(session, member.organization.id, "time_entry", [entry.id])
        await session.delete(entry)
        await session.commit()

        [row] = await rows_of(factory, "time_entry", entry.id)
        assert (row.deleted, row.user_id) == (True, member.id)

    async def test_note_refuses_what_it_cannot_record(
        self, factory: Factory, member: Member
    ) -> None:
        with pytest.raises(ValueError, match="not a followed object type"):
            recorder.note(factory.session, member.organization.id, "invoice", [1])
        with pytest.raises(ValueError, match="needs its owner"):
            recorder.note(factory.session, member.organization.id, "time_entry", [1], deleted=True)


class TestAssignNow:
    async def test_numbers_now_and_answers_only_this_transactions_numbers(
        self, factory: Factory, member: Member
    ) -> None:
        session = factory.session
        earlier = await factory.client(member.organization, name="Earlier")
        entry = TimeEntry(
            organization_id=member.organization.id,
            user_id=member.id,
            start_at=utc("2024-01-15T09:00"),
            end_at=utc("2024-01-15T10:00"),
            duration_seconds=3600,
        )
        session.add(entry)

        versions = await recorder.assign_now(session)
        last, _ = await counter_of(session, member.organization.id)
        await session.commit()

        assert versions == {("time_entry", entry.id): last}
        assert ("client", earlier.id) not in versions
        # The commit numbers nothing again.
        assert (await counter_of(session, member.organization.id))[0] == last
        [row] = await rows_of(factory, "time_entry", entry.id)
        assert row.seq == last
