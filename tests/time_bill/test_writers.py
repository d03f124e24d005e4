"""Every writer of tracked time brings the bills along in its own request: timers (seed
002 and seed 000 task timers, the active-timer resource), focus sessions, time blocks,
bulk actions, CSV imports, and a project moving to another client."""

from __future__ import annotations

from datetime import timedelta

from clocktower.kit.time import utcnow
from clocktower.models import Client, Project, Task
from tests.support import Api, Factory, Member
from tests.time_bill.conftest import entry_at, listed, stored_bills

TIMER = "/api/v1/timer"
SESSIONS = "/api/v1/sessions"
BLOCKS = "/api/v1/time-blocks"
BULK = "/api/v1/time-entries/bulk"
IMPORT = "/api/v1/time-entries/import-csv"


def an_hour_ago() -> str:
    return (utcnow() - timedelta(hours=1)).isoformat()


class TestTimers:
    async def test_stopping_the_timer_bills_it(
        self, api: Api, member: Member, homepage: Task
    ) -> None:
        started = await api.as_(member).post(
            f"{TIMER}/start", json={"task_id": homepage.id, "start_time": an_hour_ago()}
        )
        assert started.status_code == 201, started.text
        assert await listed(api, member) == []

        stopped = await api.as_(member).post(f"{TIMER}/stop")

        assert stopped.status_code == 200, stopped.text
        [bill] = await listed(api, member)
        assert bill["entry_count"] == 1
        assert bill["task_id"] == homepage.id
        assert 3590 <= bill["seconds"] <= 3610

    async def test_stopping_a_task_timer_bills_it(
        self, api: Api, member: Member, homepage: Task
    ) -> None:
        started = await api.as_(member).post(
            f"/api/v1/tasks/{homepage.id}/start", json={"start_time": an_hour_ago()}
        )
        assert started.status_code == 201, started.text

        stopped = await api.as_(member).post(f"/api/v1/tasks/{homepage.id}/stop")

        assert stopped.status_code == 200, stopped.text
        [bill] = await listed(api, member)
        assert bill["task_id"] == homepage.id

    async def test_an_active_timer_is_never_billed_and_discarding_it_leaves_none(
        self, api: Api, factory: Factory, member: Member, homepage: Task
    ) -> None:
        url = f"/api/v1/active-timers/{member.id}"
        started = await api.as_(member).put(url, json={"task_id": homepage.id})
        assert started.status_code == 201, started.text
        changed = await api.as_(member).put(url, json={"notes": "Hero"})
        assert changed.status_code == 200
        assert await stored_bills(factory, member.organization) == []

        deleted = await api.as_(member).delete(url)

        assert deleted.status_code == 200
        assert await stored_bills(factory, member.organization) == []


class TestFocusSessions:
    async def test_work_sessions_are_billed_and_follow_their_edits(
        self, api: Api, factory: Factory, member: Member, homepage: Task
    ) -> None:
        body = {
            "session": {
                "startTimestamp": "2024-01-15T09:00:00Z",
                "duration": 1500,
                "type": "session",
            },
            "task": {"id": homepage.id},
        }
        created = await api.as_(member).post(SESSIONS, json=body)
        assert created.status_code == 201, created.text
        [bill] = await listed(api, member)
        assert (bill["seconds"], bill["task_id"]) == (1500, homepage.id)
        session_id = created.json()["session"]["id"]

        body["session"]["duration"] = 3000
        updated = await api.as_(member).put(f"{SESSIONS}/{session_id}", json=body)
        assert updated.status_code == 200, updated.text
        [bill] = await listed(api, member)
        assert bill["seconds"] == 3000

        deleted = await api.as_(member).delete(f"{SESSIONS}/{session_id}")
        assert deleted.status_code == 200
        assert await stored_bills(factory, member.organization) == []

    async def test_breaks_are_never_billed(self, api: Api, member: Member) -> None:
        body = {
            "session": {"startTimestamp": "2024-01-15T09:00:00Z", "duration": 300, "type": "break"}
        }
        response = await api.as_(member).post(SESSIONS, json=body)

        assert response.status_code == 201, response.text
        assert await listed(api, member) == []


class TestTimeBlocks:
    async def test_blocks_are_billed_in_their_users_day(
        self, api: Api, factory: Factory, member: Member, website: Project
    ) -> None:
        block = {
            "title": "Development",
            "start_time": "2024-01-08T09:00:00Z",
            "end_time": "2024-01-08T12:00:00Z",
            "project_id": website.id,
        }
        created = await api.as_(member).post(BLOCKS, json=block)
        assert created.status_code == 201, created.text
        [bill] = await listed(api, member)
        assert (bill["date"], bill["seconds"], bill["amount"]) == ("2024-01-08", 10800, 300.0)
        block_id = created.json()["data"]["id"]

        updated = await api.as_(member).put(f"{BLOCKS}/{block_id}", json={"is_billable": False})
        assert updated.status_code == 200, updated.text
        assert await stored_bills(factory, member.organization) == []

        await api.as_(member).put(f"{BLOCKS}/{block_id}", json={"is_billable": True})
        deleted = await api.as_(member).delete(f"{BLOCKS}/{block_id}")
        assert deleted.status_code == 200
        assert await stored_bills(factory, member.organization) == []


class TestBulk:
    async def test_set_billable_and_delete_bring_the_bills_along(
        self, api: Api, factory: Factory, member: Member, homepage: Task, checkout: Task
    ) -> None:
        ids = [
            (
                await entry_at(
                    api,
                    member,
                    f"2024-01-15T{hour}:00:00Z",
                    f"2024-01-15T{hour}:30:00Z",
                    task_id=task.id,
                )
            )["id"]
            for hour, task in ((10, homepage), (11, homepage), (12, checkout))
        ]
        assert len(await listed(api, member)) == 2

        off = await api.as_(member).post(
            BULK, json={"action": "set_billable", "entry_ids": ids[:2], "value": False}
        )
        assert off.status_code == 200, off.text
        [left] = await listed(api, member)
        assert left["task_id"] == checkout.id

        on = await api.as_(member).post(
            BULK, json={"action": "set_billable", "entry_ids": ids, "value": True}
        )
        assert on.json()["affected"] == 2
        bills = {bill["task_id"]: bill for bill in await listed(api, member)}
        assert bills[homepage.id]["entry_count"] == 2

        deleted = await api.as_(member).post(BULK, json={"action": "delete", "entry_ids": ids})
        assert deleted.json()["affected"] == 3
        assert await stored_bills(factory, member.organization) == []

    async def test_tags_and_paid_leave_bills_alone(
        self, api: Api, member: Member, homepage: Task
    ) -> None:
        entry = await entry_at(
            api, member, "2024-01-15T09:00:00Z", "2024-01-15T10:00:00Z", task_id=homepage.id
        )
        [before] = await listed(api, member)

        for body in (
            {"action": "add_tag", "entry_ids": [entry["id"]], "value": "design"},
            {"action": "set_paid", "entry_ids": [entry["id"]], "value": True},
        ):
            response = await api.as_(member).post(BULK, json=body)
            assert response.json()["affected"] == 1

        assert await listed(api, member) == [before]


class TestImport:
    async def test_imported_entries_are_billed_in_one_go(
        self, api: Api, owner: Member, member: Member, website: Project, acme: Client
    ) -> None:
        header = "date,start_time,end_time,user_email,client,project,task,billable\n"
        rows = "".join(
            f"2024-03-04,2024-03-04T{hour:02}:00:00Z,2024-03-04T{hour:02}:30:00Z,"
            f"{member.user.email},Acme Corp,Website,{task},true\n"
            for hour, task in ((9, "Homepage"), (10, "Homepage"), (11, "Search"))
        )
        response = await api.as_(owner).post(
            IMPORT, content=(header + rows).encode(), headers={"Content-Type": "text/csv"}
        )
        assert response.status_code == 201, response.text

        bills = sorted(await listed(api, owner), key=lambda bill: bill["entry_count"])
        assert [(bill["entry_count"], bill["seconds"]) for bill in bills] == [(1, 1800), (2, 3600)]
        assert {bill["user_id"] for bill in bills} == {member.id}
        assert {bill["amount"] for bill in bills} == {50.0, 100.0}


class TestProjectMove:
    async def test_bills_follow_their_project_to_another_client(
        self, api: Api, factory: Factory, owner: Member, member: Member, website: Project
    ) -> None:
        globex = await factory.client(owner.organization, name="Globex")
        await entry_at(
            api, member, "2024-01-15T09:00:00Z", "2024-01-15T10:00:00Z", project_id=website.id
        )

        moved = await api.as_(owner).patch(
            f"/api/v1/projects/{website.id}", json={"client_id": globex.id}
        )

        assert moved.status_code == 200, moved.text
        [bill] = await listed(api, owner)
        assert bill["client_id"] == globex.id
        assert await listed(api, owner, client_id=globex.id) == [bill]

    async def test_a_project_with_bills_cannot_be_deleted(
        self, api: Api, owner: Member, member: Member, website: Project
    ) -> None:
        await entry_at(
            api, member, "2024-01-15T09:00:00Z", "2024-01-15T10:00:00Z", project_id=website.id
        )

        response = await api.as_(owner).delete(f"/api/v1/projects/{website.id}?permanent=true")

        assert response.status_code == 409
        assert response.json()["usages"] == {"time_entries": 1, "time_bills": 1}
