"""Seed 000 active timers: GET, PUT and DELETE /active-timers/{user_id}."""

from __future__ import annotations

from clocktower.models import Project, Task
from tests.support import Api, Factory, Member
from tests.time_entry.conftest import make_project, make_task
from tests.timer.conftest import (
    STATUS,
    active_timer,
    allow_several_timers,
    iso,
    running_entries,
    start,
    stored_entry,
    webhook_events,
)


class TestGetActiveTimer:
    async def test_own_running_timer(
        self, api: Api, member: Member, project: Project, task: Task
    ) -> None:
        started = await start(api, member, task_id=task.id)

        response = await api.as_(member).get(active_timer(member.id))

        assert response.status_code == 200
        timer = response.json()["active_timer"]
        assert timer["id"] == started["id"]
        assert timer["is_active"] is True
        assert timer["project"]["name"] == "Website"

    async def test_none_running_is_not_found(self, api: Api, member: Member) -> None:
        response = await api.as_(member).get(active_timer(member.id))

        assert response.status_code == 404
        assert response.json()["error_code"] == "active_timer_not_found"

    async def test_member_cannot_read_anothers(
        self, api: Api, member: Member, admin: Member, project: Project
    ) -> None:
        await start(api, admin, project_id=project.id)

        response = await api.as_(member).get(active_timer(admin.id))

        assert response.status_code == 403
        assert response.json()["required_permission"] == "time_entry.fetch.other"

    async def test_admin_reads_anothers(
        self, api: Api, member: Member, admin: Member, project: Project
    ) -> None:
        started = await start(api, member, project_id=project.id)

        response = await api.as_(admin).get(active_timer(member.id))

        assert response.status_code == 200
        assert response.json()["active_timer"]["id"] == started["id"]

    async def test_viewer_reads_anothers(
        self, api: Api, viewer: Member, member: Member, project: Project
    ) -> None:
        await start(api, member, project_id=project.id)

        response = await api.as_(viewer).get(active_timer(member.id))

        assert response.status_code == 200

    async def test_user_of_another_organisation_is_not_found(
        self, api: Api, admin: Member, other_owner: Member, factory: Factory
    ) -> None:
        other_project = await make_project(factory, other_owner.organization)
        await start(api, other_owner, project_id=other_project.id)

        response = await api.as_(admin).get(active_timer(other_owner.id))

        assert response.status_code == 404
        assert response.json()["error_code"] == "not_found"

    async def test_unknown_user_is_not_found(self, api: Api, admin: Member) -> None:
        response = await api.as_(admin).get(active_timer(987654))

        assert response.status_code == 404

    async def test_customer_sees_only_their_clients_timer(
        self, api: Api, factory: Factory, owner: Member, member: Member, project: Project
    ) -> None:
        acme = await factory.client(owner.organization, name="Acme")
        customer = await factory.member(owner.organization, "customer", client_id=acme.id)
        await start(api, member, project_id=project.id)  # internal work, no client

        response = await api.as_(customer).get(active_timer(member.id))

        assert response.status_code == 404
        assert response.json()["error_code"] == "active_timer_not_found"


class TestPutActiveTimer:
    async def test_starts_a_timer_when_none_runs(
        self, api: Api, factory: Factory, member: Member, project: Project, task: Task
    ) -> None:
        response = await api.as_(member).put(
            active_timer(member.id),
            json={"task_id": task.id, "notes": "Draft", "start_time": iso(10)},
        )

        assert response.status_code == 201, response.text
        body = response.json()
        assert body["message"] == "Active timer started"
        timer = body["active_timer"]
        assert (timer["project_id"], timer["task_id"]) == (project.id, task.id)
        assert timer["notes"] == "Draft"
        assert timer["source"] == "timer"
        [running] = await running_entries(factory, member)
        assert running.id == timer["id"]
        assert ("timer.started", timer["id"]) in await webhook_events(factory, member)

    async def test_changes_the_running_timer(
        self, api: Api, factory: Factory, member: Member, project: Project, task: Task
    ) -> None:
        started = await start(api, member, task_id=task.id, notes="Draft", tags="a")

        response = await api.as_(member).put(
            active_timer(member.id), json={"notes": "Final", "billable": False}
        )

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["message"] == "Active timer updated"
        timer = body["active_timer"]
        assert timer["id"] == started["id"]
        assert (timer["notes"], timer["billable"]) == ("Final", False)
        # What was not sent stays as it was.
        assert (timer["task_id"], timer["tags"], timer["start_time"]) == (
            task.id,
            "a",
            started["start_time"],
        )
        assert timer["is_active"] is True
        assert len(await running_entries(factory, member)) == 1
        assert ("time_entry.updated", started["id"]) in await webhook_events(factory, member)

    async def test_moves_the_timer_to_another_task_and_start(
        self, api: Api, factory: Factory, owner: Member, member: Member, task: Task
    ) -> None:
        started = await start(api, member, task_id=task.id)
        intranet = await make_project(factory, owner.organization, name="Intranet")
        login = await make_task(factory, intranet, name="Login")

        earlier = iso(45)

        response = await api.as_(member).put(
            active_timer(member.id), json={"task_id": login.id, "start_time": earlier}
        )

        assert response.status_code == 200, response.text
        timer = response.json()["active_timer"]
        assert timer["id"] == started["id"]
        assert (timer["project_id"], timer["task_id"]) == (intranet.id, login.id)
        assert timer["project"]["name"] == "Intranet"
        assert timer["start_time"] == earlier

    async def test_null_project_clears_project_and_task(
        self, api: Api, member: Member, task: Task
    ) -> None:
        await start(api, member, task_id=task.id)

        response = await api.as_(member).put(active_timer(member.id), json={"project_id": None})

        assert response.status_code == 200
        timer = response.json()["active_timer"]
        assert (timer["project_id"], timer["task_id"], timer["project"]) == (None, None, None)

    async def test_empty_body_changes_nothing(
        self, api: Api, factory: Factory, member: Member, project: Project
    ) -> None:
        started = await start(api, member, project_id=project.id)
        before = await webhook_events(factory, member)

        response = await api.as_(member).put(active_timer(member.id), json={})

        assert response.status_code == 200
        assert response.json()["active_timer"]["updated_at"] == started["updated_at"]
        assert await webhook_events(factory, member) == before

    async def test_null_start_time_is_refused(
        self, api: Api, member: Member, project: Project
    ) -> None:
        await start(api, member, project_id=project.id)

        response = await api.as_(member).put(active_timer(member.id), json={"start_time": None})

        assert response.status_code == 400
        assert "start_time" in response.json()["errors"]

    async def test_future_start_is_refused(
        self, api: Api, factory: Factory, member: Member, project: Project
    ) -> None:
        started = await start(api, member, project_id=project.id)

        response = await api.as_(member).put(
            active_timer(member.id), json={"start_time": iso(-120)}
        )

        assert response.status_code == 400
        stored = await stored_entry(factory, started["id"])
        assert stored is not None
        assert stored.start_at.isoformat().replace("+00:00", "Z") == started["start_time"]

    async def test_unknown_task_is_an_invalid_reference(
        self, api: Api, factory: Factory, member: Member, other_task: Task
    ) -> None:
        response = await api.as_(member).put(
            active_timer(member.id), json={"task_id": other_task.id}
        )

        assert response.status_code == 422
        assert response.json()["error_code"] == "invalid_reference"
        assert await running_entries(factory, member) == []

    async def test_inactive_project_is_refused(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        archived = await make_project(factory, owner.organization, name="Old", status="archived")

        response = await api.as_(member).put(
            active_timer(member.id), json={"project_id": archived.id}
        )

        assert response.status_code == 400
        assert response.json()["error_code"] == "project_inactive"

    async def test_member_cannot_replace_anothers(
        self, api: Api, factory: Factory, member: Member, admin: Member, project: Project
    ) -> None:
        started = await start(api, admin, project_id=project.id, notes="Mine")

        response = await api.as_(member).put(active_timer(admin.id), json={"notes": "Yours"})

        assert response.status_code == 403
        assert response.json()["required_permission"] == "time_entry.update.other"
        stored = await stored_entry(factory, started["id"])
        assert stored is not None
        assert stored.notes == "Mine"

    async def test_admin_starts_and_changes_a_members_timer(
        self, api: Api, factory: Factory, admin: Member, member: Member, project: Project
    ) -> None:
        created = await api.as_(admin).put(active_timer(member.id), json={"project_id": project.id})
        changed = await api.as_(admin).put(active_timer(member.id), json={"notes": "Set by Ada"})

        assert created.status_code == 201
        assert changed.status_code == 200
        timer = changed.json()["active_timer"]
        assert timer["user_id"] == member.id
        assert timer["notes"] == "Set by Ada"
        assert [e.id for e in await running_entries(factory, member)] == [timer["id"]]
        assert await running_entries(factory, admin) == []

    async def test_user_of_another_organisation_is_not_found(
        self, api: Api, admin: Member, other_owner: Member, project: Project
    ) -> None:
        response = await api.as_(admin).put(
            active_timer(other_owner.id), json={"project_id": project.id}
        )

        assert response.status_code == 404

    async def test_viewer_cannot_write(self, api: Api, viewer: Member, project: Project) -> None:
        response = await api.as_(viewer).put(
            active_timer(viewer.id), json={"project_id": project.id}
        )

        assert response.status_code == 403

    async def test_customer_cannot_write(
        self, api: Api, factory: Factory, owner: Member, project: Project
    ) -> None:
        acme = await factory.client(owner.organization, name="Acme")
        customer = await factory.member(owner.organization, "customer", client_id=acme.id)

        response = await api.as_(customer).put(
            active_timer(customer.id), json={"project_id": project.id}
        )

        assert response.status_code == 403

    async def test_changes_the_latest_of_several(
        self, api: Api, factory: Factory, owner: Member, member: Member, project: Project
    ) -> None:
        await allow_several_timers(api, owner)
        older = await start(api, member, project_id=project.id, start_time=iso(30))
        newer = await start(api, member, project_id=project.id, start_time=iso(10))

        response = await api.as_(member).put(active_timer(member.id), json={"notes": "Latest"})

        assert response.json()["active_timer"]["id"] == newer["id"]
        stored = await stored_entry(factory, older["id"])
        assert stored is not None
        assert stored.notes is None


class TestDeleteActiveTimer:
    async def test_discards_the_running_timer(
        self, api: Api, factory: Factory, member: Member, project: Project
    ) -> None:
        started = await start(api, member, project_id=project.id)

        response = await api.as_(member).delete(active_timer(member.id))

        assert response.status_code == 200
        assert response.json() == {"message": "Active timer deleted"}
        assert await stored_entry(factory, started["id"]) is None
        assert (await api.as_(member).get(STATUS)).json() == {"active": False, "timer": None}
        events = await webhook_events(factory, member)
        assert ("time_entry.deleted", started["id"]) in events
        assert ("timer.stopped", started["id"]) not in events

    async def test_none_running_is_not_found(self, api: Api, member: Member) -> None:
        response = await api.as_(member).delete(active_timer(member.id))

        assert response.status_code == 404
        assert response.json()["error_code"] == "active_timer_not_found"

    async def test_stopped_entries_are_kept(
        self, api: Api, factory: Factory, member: Member, project: Project
    ) -> None:
        started = await start(api, member, project_id=project.id, start_time=iso(20))
        await api.as_(member).post("/api/v1/timer/stop")

        response = await api.as_(member).delete(active_timer(member.id))

        assert response.status_code == 404
        assert await stored_entry(factory, started["id"]) is not None

    async def test_member_cannot_delete_anothers(
        self, api: Api, factory: Factory, member: Member, admin: Member, project: Project
    ) -> None:
        await start(api, admin, project_id=project.id)

        response = await api.as_(member).delete(active_timer(admin.id))

        assert response.status_code == 403
        assert len(await running_entries(factory, admin)) == 1

    async def test_admin_deletes_a_members(
        self, api: Api, factory: Factory, member: Member, admin: Member, project: Project
    ) -> None:
        await start(api, member, project_id=project.id)

        response = await api.as_(admin).delete(active_timer(member.id))

        assert response.status_code == 200
        assert await running_entries(factory, member) == []

    async def test_user_of_another_organisation_is_not_found(
        self, api: Api, factory: Factory, admin: Member, other_owner: Member
    ) -> None:
        other_project = await make_project(factory, other_owner.organization)
        await start(api, other_owner, project_id=other_project.id)

        response = await api.as_(admin).delete(active_timer(other_owner.id))

        assert response.status_code == 404
        assert len(await running_entries(factory, other_owner)) == 1

    async def test_viewer_cannot_delete(
        self, api: Api, factory: Factory, viewer: Member, member: Member, project: Project
    ) -> None:
        await start(api, member, project_id=project.id)

        response = await api.as_(viewer).delete(active_timer(member.id))

        assert response.status_code == 403
        assert len(await running_entries(factory, member)) == 1
