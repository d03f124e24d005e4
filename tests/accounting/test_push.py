"""The accounting push record and its job: written with each approval, re-armed by a
later approval, and marked `not_connected` by the job while no connector exists."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clocktower.models import AccountingPush, Job, Task
from clocktower.worker.runner import JobRunner
from tests.conftest import QueryCounter
from tests.support import Api, Factory, Member
from tests.time_bill.conftest import BILLS, approve, bill_url, entry_at, listed
from tests.time_entry.conftest import make_project, make_task


@pytest.fixture
async def homepage(factory: Factory, owner: Member) -> Task:
    acme = await factory.client(owner.organization, name="Acme Corp")
    website = await make_project(
        factory, owner.organization, name="Website", client_id=acme.id, hourly_rate_cents=10000
    )
    return await make_task(factory, website, name="Homepage")


async def pushes(factory: Factory, who: Member) -> list[tuple[int, str, int]]:
    result = await factory.session.execute(
        select(AccountingPush.object_id, AccountingPush.status, AccountingPush.attempts)
        .where(AccountingPush.organization_id == who.organization.id)
        .order_by(AccountingPush.object_id)
    )
    return [tuple(row) for row in result.all()]  # type: ignore[misc]


async def push_jobs(factory: Factory, who: Member) -> list[str]:
    result = await factory.session.execute(
        select(Job.status)
        .where(Job.organization_id == who.organization.id, Job.kind == "accounting.push")
        .order_by(Job.id)
    )
    return list(result.scalars())


async def bills_on_days(
    api: Api, member: Member, admin: Member, task: Task, days: int
) -> list[int]:
    for day in range(10, 10 + days):
        await entry_at(
            api, member, f"2024-02-{day}T09:00:00Z", f"2024-02-{day}T10:00:00Z", task_id=task.id
        )
    return sorted(bill["id"] for bill in await listed(api, admin))


class TestPush:
    async def test_the_job_marks_the_record_not_connected(
        self,
        api: Api,
        factory: Factory,
        member: Member,
        admin: Member,
        homepage: Task,
        runner: JobRunner,
    ) -> None:
        (bill_id,) = await bills_on_days(api, member, admin, homepage, 1)
        await approve(api, admin, bill_id)
        assert await pushes(factory, member) == [(bill_id, "pending", 0)]

        await runner.run_until_idle()

        assert await pushes(factory, member) == [(bill_id, "not_connected", 1)]
        assert await push_jobs(factory, member) == ["done"]

    async def test_reapproval_rearms_the_same_record(
        self,
        api: Api,
        factory: Factory,
        member: Member,
        admin: Member,
        homepage: Task,
        runner: JobRunner,
    ) -> None:
        (bill_id,) = await bills_on_days(api, member, admin, homepage, 1)
        await approve(api, admin, bill_id)
        await runner.run_until_idle()
        reopened = await api.as_(admin).patch(bill_url(bill_id), json={"status": "pending"})
        assert reopened.status_code == 200, reopened.text

        await approve(api, admin, bill_id)

        assert await pushes(factory, member) == [(bill_id, "pending", 1)]
        await runner.run_until_idle()
        assert await pushes(factory, member) == [(bill_id, "not_connected", 2)]
        assert await push_jobs(factory, member) == ["done", "done"]

    async def test_approve_all_queues_one_push_per_bill_in_constant_statements(
        self,
        api: Api,
        factory: Factory,
        member: Member,
        admin: Member,
        homepage: Task,
        queries: QueryCounter,
    ) -> None:
        counts = []
        for days in (2, 8):
            ids = await bills_on_days(api, member, admin, homepage, days)
            pushed = {object_id for object_id, _, _ in await pushes(factory, member)}
            fresh = [bill_id for bill_id in ids if bill_id not in pushed]
            with queries.counting() as counter:
                response = await api.as_(admin).post(
                    f"{BILLS}/approve-all", json={"bill_ids": fresh}
                )
            assert response.status_code == 200, response.text
            counts.append(counter.count)

        assert [object_id for object_id, _, _ in await pushes(factory, member)] == sorted(ids)
        assert len(await push_jobs(factory, member)) == len(ids)
        assert counts[0] == counts[1]
