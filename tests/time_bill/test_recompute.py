"""POST /time-bills/recompute (seed 000 backfill): rebuilds bills from the entries,
deterministically; a second run changes nothing; approved and invoiced bills are
reported and left alone; the scope narrows by days and user."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update

from clocktower.models import Project, Task, TimeBill
from tests.support import Api, Factory, Member
from tests.time_bill.conftest import (
    BILLS,
    approve,
    bill_keys,
    entry_at,
    listed,
    set_timezone,
    stored_bills,
)
from tests.time_entry.conftest import add_entry

RECOMPUTE = f"{BILLS}/recompute"
NOTHING = {"created": 0, "updated": 0, "deleted": 0, "unchanged": 0}


async def recompute(api: Api, who: Member, **body: Any) -> dict[str, Any]:
    response = await api.as_(who).post(RECOMPUTE, json=body or None)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def counts(result: dict[str, Any]) -> dict[str, int]:
    return {name: result[name] for name in ("created", "updated", "deleted", "unchanged")}


class TestRebuild:
    async def test_bills_appear_for_entries_written_without_the_ledger(
        self, api: Api, factory: Factory, admin: Member, member: Member, homepage: Task
    ) -> None:
        for day in (15, 16):
            await add_entry(factory, member, datetime(2024, 1, day, 9, tzinfo=UTC), task=homepage)

        result = await recompute(api, admin)

        assert counts(result) == {"created": 2, "updated": 0, "deleted": 0, "unchanged": 0}
        assert result["locked"] == []
        assert result["message"] == "Time bills recomputed"
        assert [bill["amount"] for bill in await listed(api, admin)] == [100.0, 100.0]

    async def test_running_it_again_changes_nothing(
        self, api: Api, factory: Factory, admin: Member, member: Member, homepage: Task
    ) -> None:
        for day in (15, 16, 17):
            await add_entry(factory, member, datetime(2024, 1, day, 9, tzinfo=UTC), task=homepage)
        await recompute(api, admin)
        before = await listed(api, admin)

        again = await recompute(api, admin)

        assert counts(again) == NOTHING | {"unchanged": 3}
        assert await listed(api, admin) == before

    async def test_damaged_bills_are_repaired_and_strays_removed(
        self, api: Api, factory: Factory, owner: Member, admin: Member, homepage: Task
    ) -> None:
        await entry_at(
            api, admin, "2024-01-15T09:00:00Z", "2024-01-15T10:00:00Z", task_id=homepage.id
        )
        await entry_at(
            api, admin, "2024-01-16T09:00:00Z", "2024-01-16T10:00:00Z", task_id=homepage.id
        )
        bills = await stored_bills(factory, owner.organization)
        await factory.session.execute(
            update(TimeBill).where(TimeBill.id == bills[0].id).values(amount_cents=1, seconds=5)
        )
        stray = TimeBill(
            organization_id=owner.organization.id,
            bill_key=f"u{admin.id}:-:-:2024-01-20",
            user_id=admin.id,
            day=datetime(2024, 1, 20).date(),
            currency="EUR",
        )
        factory.session.add(stray)
        await factory.session.commit()

        result = await recompute(api, admin)

        assert counts(result) == {"created": 0, "updated": 1, "deleted": 1, "unchanged": 1}
        repaired = await bill_keys(factory, owner.organization)
        assert stray.bill_key not in repaired
        assert {(bill.seconds, bill.amount_cents) for bill in repaired.values()} == {(3600, 10000)}

    async def test_new_rates_reach_pending_bills_only(
        self,
        api: Api,
        factory: Factory,
        owner: Member,
        admin: Member,
        website: Project,
        homepage: Task,
    ) -> None:
        for day in (15, 16):
            await entry_at(
                api,
                admin,
                f"2024-01-{day}T09:00:00Z",
                f"2024-01-{day}T10:00:00Z",
                task_id=homepage.id,
            )
        first = (await listed(api, admin, start_date="2024-01-15", end_date="2024-01-15"))[0]
        await approve(api, admin, first["id"])
        website.hourly_rate_cents = 15000
        factory.session.add(website)
        await factory.session.commit()

        result = await recompute(api, admin)

        assert counts(result) == NOTHING | {"updated": 1}
        assert result["locked"] == [{"bill_id": first["id"], "reason": "approved"}]
        amounts = {bill["date"]: bill["amount"] for bill in await listed(api, admin)}
        assert amounts == {"2024-01-15": 100.0, "2024-01-16": 150.0}
        assert counts(await recompute(api, admin)) == NOTHING | {"unchanged": 1}

    async def test_invoiced_bills_are_reported_and_untouched(
        self, api: Api, factory: Factory, owner: Member, admin: Member, homepage: Task
    ) -> None:
        await entry_at(
            api, admin, "2024-01-15T09:00:00Z", "2024-01-15T10:00:00Z", task_id=homepage.id
        )
        [bill] = await stored_bills(factory, owner.organization)
        bill.status = "invoiced"
        bill.amount_cents = 1
        await factory.session.commit()

        result = await recompute(api, admin)

        assert result["locked"] == [{"bill_id": bill.id, "reason": "invoiced"}]
        assert counts(result) == NOTHING
        [after] = await stored_bills(factory, owner.organization)
        assert (after.status, after.amount_cents) == ("invoiced", 1)

    async def test_a_new_time_zone_moves_time_to_its_new_day(
        self, api: Api, factory: Factory, owner: Member, member: Member, homepage: Task
    ) -> None:
        await entry_at(
            api, member, "2024-01-16T03:00:00Z", "2024-01-16T04:00:00Z", task_id=homepage.id
        )
        await set_timezone(api, member, "America/New_York")

        result = await recompute(api, owner)

        assert counts(result) == {"created": 1, "updated": 0, "deleted": 1, "unchanged": 0}
        [bill] = await listed(api, member)
        assert bill["date"] == "2024-01-15"

    async def test_the_scope_limits_days_and_user(
        self,
        api: Api,
        factory: Factory,
        owner: Member,
        admin: Member,
        member: Member,
        homepage: Task,
    ) -> None:
        for who in (admin, member):
            for day in (14, 15, 16):
                await add_entry(factory, who, datetime(2024, 1, day, 9, tzinfo=UTC), task=homepage)

        result = await recompute(
            api, owner, start_date="2024-01-15", end_date="2024-01-15", user_id=member.id
        )

        assert result["created"] == 1
        [bill] = await stored_bills(factory, owner.organization)
        assert (bill.user_id, bill.day.isoformat()) == (member.id, "2024-01-15")
        wider = await recompute(api, owner, start_date="2024-01-15")
        assert wider["created"] == 3

    async def test_other_organisations_are_left_alone(
        self, api: Api, factory: Factory, other_owner: Member, admin: Member, homepage: Task
    ) -> None:
        await add_entry(factory, admin, datetime(2024, 1, 15, 9, tzinfo=UTC), task=homepage)

        result = await recompute(api, other_owner)

        assert counts(result) == NOTHING
        assert await listed(api, admin) == []


class TestAccess:
    async def test_members_cannot_recompute(self, api: Api, member: Member) -> None:
        response = await api.as_(member).post(RECOMPUTE)

        assert response.status_code == 403
        assert response.json()["required_permission"] == "time_bill.recompute"

    async def test_bad_scopes_are_400(self, api: Api, admin: Member) -> None:
        for body in (
            {"start_date": "2024-01-02", "end_date": "2024-01-01"},
            {"start_date": "soon"},
            {"user_id": 0},
            {"everything": True},
        ):
            response = await api.as_(admin).post(RECOMPUTE, json=body)

            assert response.status_code == 400, body
