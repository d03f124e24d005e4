"""Bills follow entries written through /time-entries: one per user, task and local day,
made, changed and removed in the same request; rounding; pricing; follow-up bills."""

from __future__ import annotations

from typing import Any

from clocktower.models import Client, Project, Task
from tests.support import Api, Factory, Member
from tests.time_bill.conftest import (
    BILLS,
    approve,
    bill_keys,
    bill_url,
    create_entry,
    entry_at,
    entry_url,
    listed,
    make_project,
    set_organization_settings,
    set_timezone,
    stored_bills,
)


def key(who: Member, project: Project | None, task: Task | None, day: str) -> str:
    where = f"p{project.id}" if project else "-"
    return f"u{who.id}:{where}:{f't{task.id}' if task else '-'}:{day}"


class TestBillsFollowEntries:
    async def test_a_stopped_billable_entry_makes_a_pending_bill(
        self, api: Api, member: Member, acme: Client, website: Project, homepage: Task
    ) -> None:
        entry = await entry_at(
            api, member, "2024-01-15T09:00:00Z", "2024-01-15T10:30:00Z", task_id=homepage.id
        )

        [bill] = await listed(api, member)
        assert bill["bill_key"] == key(member, website, homepage, "2024-01-15")
        assert bill["user_id"] == member.id
        assert (bill["client_id"], bill["project_id"], bill["task_id"]) == (
            acme.id,
            website.id,
            homepage.id,
        )
        assert bill["date"] == "2024-01-15"
        assert (bill["entry_count"], bill["seconds"], bill["billable_seconds"]) == (1, 5400, 5400)
        assert (bill["hours"], bill["billable_hours"]) == (1.5, 1.5)
        assert (bill["hourly_rate"], bill["rate_source"], bill["amount"]) == (
            100.0,
            "project",
            150.0,
        )
        assert (bill["currency"], bill["status"]) == ("EUR", "pending")
        single = (await api.as_(member).get(bill_url(bill["id"]))).json()["time_bill"]
        assert single["entry_ids"] == [entry["id"]]

    async def test_entries_of_one_bucket_share_a_bill(
        self, api: Api, member: Member, homepage: Task
    ) -> None:
        await entry_at(
            api, member, "2024-01-15T09:00:00Z", "2024-01-15T10:00:00Z", task_id=homepage.id
        )
        await entry_at(
            api, member, "2024-01-15T14:00:00Z", "2024-01-15T14:30:00Z", task_id=homepage.id
        )

        [bill] = await listed(api, member)
        assert (bill["entry_count"], bill["seconds"], bill["amount"]) == (2, 5400, 150.0)

    async def test_another_task_day_or_user_is_another_bill(
        self,
        api: Api,
        member: Member,
        admin: Member,
        website: Project,
        homepage: Task,
        checkout: Task,
    ) -> None:
        for who, task, day in (
            (member, homepage, "15"),
            (member, checkout, "15"),
            (member, homepage, "16"),
            (admin, homepage, "15"),
        ):
            await entry_at(
                api, who, f"2024-01-{day}T09:00:00Z", f"2024-01-{day}T10:00:00Z", task_id=task.id
            )

        keys = sorted(bill["bill_key"] for bill in await listed(api, admin))
        assert keys == sorted(
            [
                key(member, website, homepage, "2024-01-15"),
                key(member, website, checkout, "2024-01-15"),
                key(member, website, homepage, "2024-01-16"),
                key(admin, website, homepage, "2024-01-15"),
            ]
        )

    async def test_without_a_project_the_client_or_nothing_names_the_bucket(
        self, api: Api, member: Member, acme: Client
    ) -> None:
        await entry_at(api, member, "2024-01-15T09:00:00Z", "2024-01-15T10:00:00Z")
        await entry_at(
            api, member, "2024-01-15T11:00:00Z", "2024-01-15T12:00:00Z", client_id=acme.id
        )

        keys = sorted(bill["bill_key"] for bill in await listed(api, member))
        assert keys == [f"u{member.id}:-:-:2024-01-15", f"u{member.id}:c{acme.id}:-:2024-01-15"]

    async def test_non_billable_entries_are_not_billed(
        self, api: Api, member: Member, homepage: Task
    ) -> None:
        await entry_at(
            api,
            member,
            "2024-01-15T09:00:00Z",
            "2024-01-15T10:00:00Z",
            task_id=homepage.id,
            billable=False,
        )

        assert await listed(api, member) == []

    async def test_a_running_timer_is_billed_when_it_stops(
        self, api: Api, member: Member, homepage: Task
    ) -> None:
        timer = await create_entry(
            api, member, start_time="2024-01-15T09:00:00Z", end_time=None, task_id=homepage.id
        )
        assert await listed(api, member) == []

        stopped = await api.as_(member).put(
            entry_url(timer["id"]), json={"end_time": "2024-01-15T09:45:00Z"}
        )

        assert stopped.status_code == 200, stopped.text
        [bill] = await listed(api, member)
        assert (bill["seconds"], bill["amount"]) == (2700, 75.0)

    async def test_an_entry_turning_non_billable_leaves_its_bill(
        self, api: Api, factory: Factory, member: Member, homepage: Task
    ) -> None:
        first = await entry_at(
            api, member, "2024-01-15T09:00:00Z", "2024-01-15T10:00:00Z", task_id=homepage.id
        )
        second = await entry_at(
            api, member, "2024-01-15T11:00:00Z", "2024-01-15T11:30:00Z", task_id=homepage.id
        )

        await api.as_(member).patch(entry_url(first["id"]), json={"billable": False})
        [bill] = await listed(api, member)
        assert (bill["entry_count"], bill["seconds"]) == (1, 1800)

        await api.as_(member).patch(entry_url(second["id"]), json={"billable": False})
        assert await stored_bills(factory, member.organization) == []

    async def test_moving_an_entry_moves_its_time(
        self, api: Api, member: Member, website: Project, homepage: Task, checkout: Task
    ) -> None:
        entry = await entry_at(
            api, member, "2024-01-15T09:00:00Z", "2024-01-15T10:00:00Z", task_id=homepage.id
        )

        await api.as_(member).put(entry_url(entry["id"]), json={"task_id": checkout.id})

        [bill] = await listed(api, member)
        assert bill["bill_key"] == key(member, website, checkout, "2024-01-15")
        assert bill["entry_count"] == 1

    async def test_a_new_duration_changes_the_bill(
        self, api: Api, member: Member, homepage: Task
    ) -> None:
        entry = await entry_at(
            api, member, "2024-01-15T09:00:00Z", "2024-01-15T10:00:00Z", task_id=homepage.id
        )

        await api.as_(member).patch(entry_url(entry["id"]), json={"duration_seconds": 7200})

        [bill] = await listed(api, member)
        assert (bill["seconds"], bill["amount"]) == (7200, 200.0)

    async def test_notes_leave_the_bill_alone(
        self, api: Api, member: Member, homepage: Task
    ) -> None:
        entry = await entry_at(
            api, member, "2024-01-15T09:00:00Z", "2024-01-15T10:00:00Z", task_id=homepage.id
        )
        [before] = await listed(api, member)

        response = await api.as_(member).post(
            f"{entry_url(entry['id'])}/notes", json={"notes": "Hero"}
        )

        assert response.status_code == 200
        assert await listed(api, member) == [before]

    async def test_deleting_the_last_entry_deletes_the_bill(
        self, api: Api, factory: Factory, member: Member, homepage: Task
    ) -> None:
        entry = await entry_at(
            api, member, "2024-01-15T09:00:00Z", "2024-01-15T10:00:00Z", task_id=homepage.id
        )

        response = await api.as_(member).delete(entry_url(entry["id"]))

        assert response.status_code == 200
        assert await stored_bills(factory, member.organization) == []

    async def test_an_entry_crossing_midnight_bills_on_its_start_day(
        self, api: Api, member: Member, homepage: Task
    ) -> None:
        await entry_at(
            api, member, "2024-01-15T23:00:00Z", "2024-01-16T01:00:00Z", task_id=homepage.id
        )

        [bill] = await listed(api, member)
        assert (bill["date"], bill["seconds"]) == ("2024-01-15", 7200)

    async def test_the_day_is_the_users_local_day(
        self, api: Api, member: Member, homepage: Task
    ) -> None:
        await set_timezone(api, member, "America/New_York")

        # 03:00 UTC on the 16th is 22:00 on the 15th in New York.
        await entry_at(
            api, member, "2024-01-16T03:00:00Z", "2024-01-16T04:00:00Z", task_id=homepage.id
        )

        [bill] = await listed(api, member)
        assert bill["date"] == "2024-01-15"
        assert bill["bill_key"].endswith(":2024-01-15")

    async def test_a_rejected_bill_is_pending_again_once_its_entries_change(
        self, api: Api, member: Member, admin: Member, homepage: Task
    ) -> None:
        entry = await entry_at(
            api, member, "2024-01-15T09:00:00Z", "2024-01-15T10:00:00Z", task_id=homepage.id
        )
        [bill] = await listed(api, member)
        rejected = await api.as_(admin).post(
            bill_url(bill["id"], "reject"), json={"rejection_note": "Too long"}
        )
        assert rejected.json()["time_bill"]["status"] == "rejected"

        await api.as_(member).patch(entry_url(entry["id"]), json={"duration_seconds": 1800})

        [after] = await listed(api, member)
        assert (after["id"], after["status"], after["seconds"]) == (bill["id"], "pending", 1800)
        assert after["rejection_note"] == "Too long"

    async def test_new_time_in_an_approved_bucket_opens_a_follow_up_bill(
        self, api: Api, factory: Factory, member: Member, admin: Member, homepage: Task
    ) -> None:
        await entry_at(
            api, member, "2024-01-15T09:00:00Z", "2024-01-15T10:00:00Z", task_id=homepage.id
        )
        [bill] = await listed(api, member)
        await approve(api, admin, bill["id"])

        late = await entry_at(
            api, member, "2024-01-15T16:00:00Z", "2024-01-15T16:30:00Z", task_id=homepage.id
        )

        bills = await bill_keys(factory, member.organization)
        follow_up = bills[bill["bill_key"] + "#2"]
        approved = bills[bill["bill_key"]]
        assert (approved.status, approved.entry_count, approved.seconds) == ("approved", 1, 3600)
        assert (follow_up.status, follow_up.entry_count, follow_up.seconds) == ("pending", 1, 1800)
        single = (await api.as_(member).get(bill_url(follow_up.id))).json()["time_bill"]
        assert single["entry_ids"] == [late["id"]]

    async def test_a_third_bill_follows_two_approved_ones(
        self,
        api: Api,
        factory: Factory,
        member: Member,
        admin: Member,
        website: Project,
        homepage: Task,
    ) -> None:
        for hour in (10, 11, 13):
            await entry_at(
                api,
                member,
                f"2024-01-15T{hour}:00:00Z",
                f"2024-01-15T{hour}:30:00Z",
                task_id=homepage.id,
            )
            for bill in await listed(api, member, status="pending"):
                await approve(api, admin, bill["id"])

        base = key(member, website, homepage, "2024-01-15")
        assert sorted(await bill_keys(factory, member.organization)) == [
            base,
            base + "#2",
            base + "#3",
        ]


class TestRounding:
    async def bill_after_two_entries(
        self, api: Api, owner: Member, member: Member, task: Task, mode: str, minutes: int
    ) -> dict[str, Any]:
        await set_organization_settings(api, owner, rounding={"mode": mode, "minutes": minutes})
        for hour in (10, 11):
            await entry_at(
                api,
                member,
                f"2024-01-15T{hour}:00:00Z",
                f"2024-01-15T{hour}:07:00Z",
                task_id=task.id,
            )
        [bill] = await listed(api, member)
        return bill

    async def test_per_entry_rounds_each_entry_up(
        self, api: Api, owner: Member, member: Member, homepage: Task
    ) -> None:
        bill = await self.bill_after_two_entries(api, owner, member, homepage, "per_entry", 15)

        # 7 + 7 minutes → 15 + 15.
        assert (bill["seconds"], bill["billable_seconds"], bill["amount"]) == (840, 1800, 50.0)

    async def test_per_bill_rounds_the_sum_up_once(
        self, api: Api, owner: Member, member: Member, homepage: Task
    ) -> None:
        bill = await self.bill_after_two_entries(api, owner, member, homepage, "per_bill", 15)

        # 14 minutes → 15.
        assert (bill["seconds"], bill["billable_seconds"], bill["amount"]) == (840, 900, 25.0)

    async def test_none_bills_the_tracked_seconds(
        self, api: Api, owner: Member, member: Member, homepage: Task
    ) -> None:
        bill = await self.bill_after_two_entries(api, owner, member, homepage, "none", 0)

        # 840 s at 100.00/h is 23.333… → 23.33.
        assert (bill["billable_seconds"], bill["amount"]) == (840, 23.33)

    async def test_an_exact_multiple_stays(
        self, api: Api, owner: Member, member: Member, homepage: Task
    ) -> None:
        await set_organization_settings(api, owner, rounding={"mode": "per_entry", "minutes": 6})

        await entry_at(
            api, member, "2024-01-15T09:00:00Z", "2024-01-15T09:12:00Z", task_id=homepage.id
        )

        [bill] = await listed(api, member)
        assert bill["billable_seconds"] == 720

    async def test_the_amount_rounds_half_up_once_per_bill(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        cheap = await make_project(factory, owner.organization, name="Cheap", hourly_rate_cents=100)

        # 18 s at 1.00/h is exactly half a cent.
        await entry_at(
            api, member, "2024-01-15T09:00:00Z", "2024-01-15T09:00:18Z", project_id=cheap.id
        )

        [bill] = await listed(api, member)
        assert bill["amount"] == 0.01


class TestPricing:
    async def test_the_clients_currency_and_default_rate(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        globex = Client(
            organization_id=owner.organization.id,
            name="Globex",
            currency="USD",
            default_hourly_rate_cents=8050,
        )
        factory.session.add(globex)
        await factory.session.commit()
        project = await make_project(factory, owner.organization, name="App", client_id=globex.id)

        await entry_at(
            api, member, "2024-01-15T09:00:00Z", "2024-01-15T11:00:00Z", project_id=project.id
        )

        [bill] = await listed(api, member)
        assert (bill["hourly_rate"], bill["rate_source"], bill["currency"]) == (
            80.5,
            "client",
            "USD",
        )
        assert bill["amount"] == 161.0

    async def test_without_any_rate_the_bill_has_no_amount(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        project = await make_project(factory, owner.organization, name="Unpriced")

        await entry_at(
            api, member, "2024-01-15T09:00:00Z", "2024-01-15T11:00:00Z", project_id=project.id
        )

        [bill] = await listed(api, member)
        assert (bill["hourly_rate"], bill["rate_source"], bill["amount"]) == (None, "none", 0.0)

    async def test_a_rate_change_waits_for_the_next_change_of_the_bill(
        self, api: Api, owner: Member, member: Member, homepage: Task
    ) -> None:
        entry = await entry_at(
            api, member, "2024-01-15T09:00:00Z", "2024-01-15T10:00:00Z", task_id=homepage.id
        )
        response = await api.as_(owner).put(
            f"/api/v1/rates/users/{member.id}", json={"hourly_rate": 60}
        )
        assert response.status_code == 200
        # The project's rate still wins over the person's; a person-on-project rate does not.
        response = await api.as_(owner).put(
            f"/api/v1/rates/projects/{homepage.project_id}/users/{member.id}",
            json={"hourly_rate": 120},
        )
        assert response.status_code == 201
        [unchanged] = await listed(api, member)
        assert unchanged["amount"] == 100.0

        await api.as_(member).patch(entry_url(entry["id"]), json={"duration_seconds": 3601})

        [repriced] = await listed(api, member)
        assert (repriced["hourly_rate"], repriced["rate_source"]) == (120.0, "project_user")
        assert repriced["amount"] == 120.03


async def test_bills_of_another_organisation_are_not_listed(
    api: Api, member: Member, other_owner: Member, homepage: Task
) -> None:
    await entry_at(api, member, "2024-01-15T09:00:00Z", "2024-01-15T10:00:00Z", task_id=homepage.id)

    response = await api.as_(other_owner).get(BILLS)

    assert response.json()["time_bills"] == []
