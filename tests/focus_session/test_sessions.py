"""GET, PUT and DELETE /sessions: ranges, pagination, edits, whose sessions, tenancy."""

from __future__ import annotations

from typing import Any

from clocktower.models import FocusSession, Project, Task
from tests.client.conftest import customer_of
from tests.conftest import QueryCounter
from tests.focus_session.conftest import SESSIONS, body, create_session, row_count, session_url
from tests.support import Api, Factory, Member, api_token
from tests.time_entry.conftest import make_task


async def listed(api: Api, who: Member, **params: Any) -> Any:
    response = await api.as_(who).get(SESSIONS, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def session_at(api: Api, who: Member, start: str, **fields: Any) -> int:
    created = await create_session(api, who, start=start, **fields)
    session_id: int = created["session"]["id"]
    return session_id


class TestListSessions:
    async def test_range_start_inclusive_end_exclusive(self, api: Api, member: Member) -> None:
        early = await session_at(api, member, "2024-01-15T08:00:00Z")
        on_start = await session_at(api, member, "2024-01-15T09:00:00Z", type="break")
        on_end = await session_at(api, member, "2024-01-15T10:00:00Z")

        everything = await listed(api, member)
        window = await listed(api, member, start="2024-01-15T09:00:00Z", end="2024-01-15T10:00:00Z")
        from_start = await listed(api, member, start="2024-01-15T09:00:00Z")
        before_end = await listed(api, member, end="2024-01-15T10:00:00Z")

        assert [s["id"] for s in everything["sessions"]] == [early, on_start, on_end]
        assert [s["id"] for s in window["sessions"]] == [on_start]
        assert [s["id"] for s in from_start["sessions"]] == [on_start, on_end]
        assert [s["id"] for s in before_end["sessions"]] == [early, on_start]

    async def test_days_are_read_in_the_callers_zone(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        tokyo = await factory.member(owner.organization, timezone="Asia/Tokyo")
        # 23:30 UTC on the 14th is 08:30 on the 15th in Tokyo.
        local_15th = await session_at(api, tokyo, "2024-01-14T23:30:00Z")
        await session_at(api, tokyo, "2024-01-15T16:00:00Z")  # 01:00 on the 16th there

        found = await listed(api, tokyo, start="2024-01-15", end="2024-01-15")

        assert [s["id"] for s in found["sessions"]] == [local_15th]

    async def test_pagination(self, api: Api, member: Member) -> None:
        for hour in range(3):
            await session_at(api, member, f"2024-01-15T0{hour}:00:00Z")

        page = await listed(api, member, per_page=2, page=2)

        assert len(page["sessions"]) == 1
        assert page["pagination"] == {
            "page": 2,
            "per_page": 2,
            "total": 3,
            "pages": 2,
            "has_next": False,
            "has_prev": True,
            "next_page": None,
            "prev_page": 1,
        }

    async def test_bad_ranges_are_400(self, api: Api, member: Member) -> None:
        for params in (
            {"start": "soon"},
            {"end": "2024-13-45"},
            {"start": "2024-01-16", "end": "2024-01-15"},
            {"per_page": 101},
            {"user_id": 0},
        ):
            response = await api.as_(member).get(SESSIONS, params=params)
            assert response.status_code == 400, params
            assert response.json()["error_code"] == "validation_error"

    async def test_own_sessions_only_unless_reading_others(
        self, api: Api, owner: Member, admin: Member, member: Member, viewer: Member
    ) -> None:
        mine = await session_at(api, member, "2024-01-15T09:00:00Z")
        await session_at(api, owner, "2024-01-15T09:00:00Z")

        own = await listed(api, member)
        admins_own = await listed(api, admin)
        by_admin = await listed(api, admin, user_id=member.id)
        by_viewer = await listed(api, viewer, user_id=member.id)
        refused = await api.as_(member).get(SESSIONS, params={"user_id": owner.id})

        assert [s["id"] for s in own["sessions"]] == [mine]
        assert admins_own["sessions"] == []
        assert [s["id"] for s in by_admin["sessions"]] == [mine]
        assert [s["id"] for s in by_viewer["sessions"]] == [mine]
        assert refused.status_code == 403
        assert refused.json()["required_permission"] == "time_entry.fetch.other"

    async def test_customers_read_no_one_elses(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        await session_at(api, member, "2024-01-15T09:00:00Z")
        customer = await customer_of(factory, owner, await factory.client(owner.organization))

        own = await listed(api, customer)
        other = await api.as_(customer).get(SESSIONS, params={"user_id": member.id})

        assert own["sessions"] == []
        assert other.status_code == 403
        assert other.json()["error_code"] == "focus_session_internal_only"

    async def test_other_organisations_sessions_never_show(
        self, api: Api, owner: Member, other_owner: Member
    ) -> None:
        await session_at(api, other_owner, "2024-01-15T09:00:00Z")

        found = await listed(api, owner, user_id=other_owner.id)

        assert found["sessions"] == []

    async def test_query_count_does_not_grow_with_rows(
        self,
        api: Api,
        factory: Factory,
        member: Member,
        project: Project,
        task: Task,
        queries: QueryCounter,
    ) -> None:
        await create_session(api, member, task={"id": task.id})
        with queries:
            first = await api.as_(member).get(SESSIONS)
        one = queries.count
        assert len(first.json()["sessions"]) == 1
        for number in range(5):
            other = await make_task(factory, project, name=f"T{number}")
            kind = "session" if number % 2 else "break"
            await create_session(api, member, task={"id": other.id}, type=kind)

        with queries:
            response = await api.as_(member).get(SESSIONS)

        assert len(response.json()["sessions"]) == 6
        assert queries.count == one, (one, queries.statements)


class TestGetSession:
    async def test_own_session(self, api: Api, member: Member) -> None:
        created = (await create_session(api, member))["session"]

        response = await api.as_(member).get(session_url(created["id"]))

        assert response.status_code == 200
        assert response.json() == {"session": created}

    async def test_whose_sessions_can_be_read(
        self, api: Api, member: Member, admin: Member, other_owner: Member
    ) -> None:
        mine = (await create_session(api, member))["session"]["id"]
        admins = (await create_session(api, admin))["session"]["id"]
        elsewhere = (await create_session(api, other_owner))["session"]["id"]

        assert (await api.as_(admin).get(session_url(mine))).status_code == 200
        for who, session_id in ((member, admins), (member, elsewhere), (admin, elsewhere)):
            response = await api.as_(who).get(session_url(session_id))
            assert response.status_code == 404, (who.user.name, session_id)
            assert response.json()["error_code"] == "not_found"
        assert (await api.as_(member).get(session_url(999_999))).status_code == 404


class TestUpdateSession:
    async def test_edit_workflow(self, api: Api, member: Member, task: Task) -> None:
        created = (
            await create_session(api, member, task={"id": task.id}, note="a", retroAdded=True)
        )["session"]

        response = await api.as_(member).put(
            session_url(created["id"]),
            json={
                "session": {
                    "start_timestamp": "2024-01-15T09:05:00Z",
                    "duration": 1200,
                    "type": "session",
                }
            },
        )

        assert response.status_code == 200, response.text
        answer = response.json()
        assert set(answer) == {"message", "session"}
        session = answer["session"]
        assert session["edited"] is True
        assert session["start_timestamp"] == "2024-01-15T09:05:00Z"
        assert session["duration"] == 1200
        # Omitted: task, note and retro_added keep their values.
        assert session["task_id"] == task.id
        assert session["note"] == "a"
        assert session["retro_added"] is True

    async def test_null_task_and_note_clear(self, api: Api, member: Member, task: Task) -> None:
        created = (await create_session(api, member, task={"id": task.id}, note="a"))["session"]

        sent = body(note=None)
        sent["task"] = None
        response = await api.as_(member).put(session_url(created["id"]), json=sent)

        session = response.json()["session"]
        assert session["task_id"] is None
        assert session["note"] is None
        entry = await api.as_(member).get(f"/api/v1/time-entries/{session['time_entry_id']}")
        assert entry.json()["time_entry"]["task_id"] is None
        assert entry.json()["time_entry"]["project_id"] is None

    async def test_edit_can_create_task_and_project(self, api: Api, member: Member) -> None:
        created = (await create_session(api, member, type="break"))["session"]

        response = await api.as_(member).put(
            session_url(created["id"]),
            json=body(type="break", task={"title": "Plan"}, project={"title": "Planning"}),
        )

        assert response.status_code == 200, response.text
        answer = response.json()
        assert answer["task"]["title"] == "Plan"
        assert answer["project"]["title"] == "Planning"
        assert answer["session"]["task_id"] == answer["task"]["id"]

    async def test_bad_edits(self, api: Api, member: Member, other_task: Task) -> None:
        session_id = (await create_session(api, member))["session"]["id"]

        no_session = await api.as_(member).put(session_url(session_id), json={})
        project_alone = await api.as_(member).put(
            session_url(session_id), json=body(project={"title": "X"})
        )
        foreign_task = await api.as_(member).put(
            session_url(session_id), json=body(task={"id": other_task.id})
        )

        assert no_session.status_code == project_alone.status_code == 400
        assert foreign_task.status_code == 422

    async def test_whose_sessions_can_be_changed(
        self, api: Api, member: Member, admin: Member, viewer: Member, other_owner: Member
    ) -> None:
        members = (await create_session(api, member))["session"]
        admins = (await create_session(api, admin))["session"]["id"]
        elsewhere = (await create_session(api, other_owner))["session"]["id"]
        change = body(type="session", duration=600)

        by_admin = await api.as_(admin).put(session_url(members["id"]), json=change)
        by_viewer = await api.as_(viewer).put(session_url(members["id"]), json=change)
        on_admins = await api.as_(member).put(session_url(admins), json=change)
        on_elsewhere = await api.as_(admin).put(session_url(elsewhere), json=change)
        unknown = await api.as_(member).put(session_url(999_999), json=change)

        assert by_admin.status_code == 200, by_admin.text
        assert by_admin.json()["session"]["duration"] == 600
        assert by_viewer.status_code == 403
        assert on_admins.status_code == on_elsewhere.status_code == unknown.status_code == 404
        entry = await api.as_(member).get(f"/api/v1/time-entries/{members['time_entry_id']}")
        assert entry.json()["time_entry"]["user_id"] == member.id
        assert entry.json()["time_entry"]["duration_seconds"] == 600

    async def test_an_admin_turning_a_break_into_work_books_the_owner(
        self, api: Api, admin: Member, member: Member
    ) -> None:
        rest = (await create_session(api, member, type="break"))["session"]

        response = await api.as_(admin).put(session_url(rest["id"]), json=body())

        entry_id = response.json()["session"]["time_entry_id"]
        entry = await api.as_(admin).get(f"/api/v1/time-entries/{entry_id}")
        assert entry.json()["time_entry"]["user_id"] == member.id


class TestDeleteSession:
    async def test_whose_sessions_can_be_deleted(
        self,
        api: Api,
        factory: Factory,
        member: Member,
        admin: Member,
        viewer: Member,
        other_owner: Member,
    ) -> None:
        members = (await create_session(api, member))["session"]["id"]
        admins = (await create_session(api, admin))["session"]["id"]
        elsewhere = (await create_session(api, other_owner))["session"]["id"]

        assert (await api.as_(viewer).delete(session_url(members))).status_code == 403
        assert (await api.as_(member).delete(session_url(admins))).status_code == 404
        assert (await api.as_(admin).delete(session_url(elsewhere))).status_code == 404
        assert (await api.as_(member).delete(session_url(999_999))).status_code == 404
        assert await row_count(factory, FocusSession) == 3
        assert (await api.as_(admin).delete(session_url(members))).status_code == 200
        assert await row_count(factory, FocusSession) == 2

    async def test_member_without_other_users_rights_via_token(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        session_id = (await create_session(api, member))["session"]["id"]
        token = await api_token(factory, member, ["read:time_entries"])

        response = await api.as_(token).delete(session_url(session_id))

        assert response.status_code == 403
        assert response.json()["required_scope"] == "write:time_entries"
