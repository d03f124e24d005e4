"""Budget alerts (S2.3): the `project.check_budget` job queued by every entry write emails
owners and admins once at 80 % and once at 100 %, with exact hours and money."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from clocktower.kit.time import utcnow
from clocktower.models import Client, Job, MembershipRole, Project, Task, User
from clocktower.organization.repository import RoleRepository
from clocktower.project.budget import CHECK_BUDGET_JOB
from clocktower.worker import enqueue_job
from clocktower.worker.runner import JobRunner
from tests.support import Api, Factory, Member

PROJECTS = "/api/v1/projects"
ENTRIES = "/api/v1/time-entries"
EMAILS = "/api/v1/emails"
HOUR = 3600


async def budgeted(api: Api, who: Member, **fields: Any) -> dict[str, Any]:
    body = {"name": "Website", "budget_type": "hours", "budget_hours": 10, **fields}
    response = await api.as_(who).post(PROJECTS, json=body)
    assert response.status_code == 201, response.text
    project: dict[str, Any] = response.json()["project"]
    return project


async def track(
    api: Api, who: Member, project_id: int, seconds: int, *, day: int = 1, **fields: Any
) -> dict[str, Any]:
    """A finished entry of `seconds` on day `day` of January 2024, through the API."""
    body = {
        "project_id": project_id,
        "start_time": f"2024-01-{day:02d}T08:00:00Z",
        "duration_seconds": seconds,
        **fields,
    }
    response = await api.as_(who).post(ENTRIES, json=body)
    assert response.status_code == 201, response.text
    entry: dict[str, Any] = response.json()["time_entry"]
    return entry


async def alerts(api: Api, owner: Member) -> list[dict[str, Any]]:
    """The organisation's budget alert emails, oldest first."""
    response = await api.as_(owner).get(EMAILS, params={"per_page": 100})
    assert response.status_code == 200, response.text
    found = [mail for mail in response.json()["emails"] if mail["template"] == "budget_alert"]
    return sorted(found, key=lambda mail: mail["id"])


async def marks(factory: Factory, project_id: int) -> tuple[bool, bool]:
    """(80 % sent, 100 % sent) as stored."""
    row = await factory.session.execute(
        select(Project.budget_alert_80_sent_at, Project.budget_alert_100_sent_at)
        .where(Project.id == project_id)
        .execution_options(populate_existing=True)
    )
    at_80, at_100 = row.one()
    return at_80 is not None, at_100 is not None


async def budget_jobs(factory: Factory) -> int:
    found = await factory.session.execute(
        select(func.count()).select_from(Job).where(Job.kind == CHECK_BUDGET_JOB)
    )
    return int(found.scalar_one())


class TestHoursBudget:
    async def test_80_then_100_percent_each_once_to_owners_and_admins(
        self,
        api: Api,
        owner: Member,
        admin: Member,
        member: Member,
        viewer: Member,
        runner: JobRunner,
        factory: Factory,
    ) -> None:
        project = await budgeted(api, admin, name="Website Redesign")

        await track(api, member, project["id"], 7 * HOUR, day=1)
        await runner.run_until_idle()
        assert await alerts(api, owner) == []
        assert await marks(factory, project["id"]) == (False, False)

        await track(api, member, project["id"], 1 * HOUR, day=2)  # 8 of 10 hours
        await runner.run_until_idle()
        first = await alerts(api, owner)
        assert sorted(mail["to"] for mail in first) == sorted([owner.user.email, admin.user.email])
        assert {mail["subject"] for mail in first} == {
            "Budget alert: Website Redesign reached 80 % of its budget"
        }
        assert "used 80 % of its budget: 8.00 of 10.00 hours tracked" in first[0]["body"]
        assert first[0]["status"] == "logged"  # the email.send job ran too (no SMTP)
        assert await marks(factory, project["id"]) == (True, False)

        await track(api, member, project["id"], 1 * HOUR, day=3)  # 9 of 10: nothing new
        await runner.run_until_idle()
        assert len(await alerts(api, owner)) == 2

        await track(api, member, project["id"], 2 * HOUR, day=4)  # 11 of 10
        await runner.run_until_idle()
        latest = (await alerts(api, owner))[2:]
        assert sorted(mail["to"] for mail in latest) == sorted([owner.user.email, admin.user.email])
        assert {mail["subject"] for mail in latest} == {
            "Budget alert: Website Redesign has used its whole budget"
        }
        assert "used 110 % of its budget: 11.00 of 10.00 hours tracked" in latest[0]["body"]
        assert await marks(factory, project["id"]) == (True, True)

        await track(api, member, project["id"], 1 * HOUR, day=5)
        await runner.run_until_idle()
        assert len(await alerts(api, owner)) == 4

    async def test_threshold_is_exact_to_the_second(
        self, api: Api, owner: Member, runner: JobRunner
    ) -> None:
        project = await budgeted(api, owner)  # 10 h: 80 % is 28,800 s

        await track(api, owner, project["id"], 28_799)
        await runner.run_until_idle()
        assert await alerts(api, owner) == []

        await track(api, owner, project["id"], 1, day=2)
        await runner.run_until_idle()
        assert len(await alerts(api, owner)) == 1

    async def test_jumping_past_100_sends_only_the_100_alert(
        self, api: Api, owner: Member, runner: JobRunner, factory: Factory
    ) -> None:
        project = await budgeted(api, owner, budget_hours=1)

        await track(api, owner, project["id"], 2 * HOUR)
        await runner.run_until_idle()

        [alert] = await alerts(api, owner)
        assert alert["subject"].endswith("has used its whole budget")
        assert await marks(factory, project["id"]) == (True, True)

    async def test_non_billable_time_counts_towards_hours(
        self, api: Api, owner: Member, runner: JobRunner
    ) -> None:
        project = await budgeted(api, owner, budget_hours=1)

        await track(api, owner, project["id"], HOUR, billable=False)
        await runner.run_until_idle()

        assert len(await alerts(api, owner)) == 1

    async def test_client_name_in_the_subject(
        self, api: Api, owner: Member, acme: Client, runner: JobRunner
    ) -> None:
        project = await budgeted(api, owner, client_id=acme.id, budget_hours=1)

        await track(api, owner, project["id"], HOUR)
        await runner.run_until_idle()

        [alert] = await alerts(api, owner)
        assert alert["subject"] == "Budget alert: Website for Acme Corp has used its whole budget"


class TestRunningAndRemovedTime:
    async def test_running_timer_counts_once_stopped(
        self, api: Api, owner: Member, runner: JobRunner
    ) -> None:
        project = await budgeted(api, owner, budget_hours=1)
        started = (utcnow() - timedelta(hours=2)).isoformat()
        response = await api.as_(owner).post(
            ENTRIES, json={"project_id": project["id"], "start_time": started}
        )
        assert response.status_code == 201, response.text
        timer = response.json()["time_entry"]

        await runner.run_until_idle()
        assert await alerts(api, owner) == []

        stopped = await api.as_(owner).patch(
            f"{ENTRIES}/{timer['id']}", json={"end_time": utcnow().isoformat()}
        )
        assert stopped.status_code == 200, stopped.text
        await runner.run_until_idle()
        assert len(await alerts(api, owner)) == 1

    async def test_deleted_time_no_longer_counts(
        self, api: Api, owner: Member, runner: JobRunner
    ) -> None:
        project = await budgeted(api, owner, budget_hours=10)
        mistake = await track(api, owner, project["id"], 7 * HOUR)
        await api.as_(owner).delete(f"{ENTRIES}/{mistake['id']}")
        await runner.run_until_idle()

        await track(api, owner, project["id"], 2 * HOUR, day=2)
        await runner.run_until_idle()

        assert await alerts(api, owner) == []


class TestMoneyBudget:
    @pytest.mark.parametrize("source", ["task", "project", "client", "organisation"])
    async def test_rate_comes_from_the_nearest_level(
        self,
        api: Api,
        owner: Member,
        factory: Factory,
        runner: JobRunner,
        source: str,
    ) -> None:
        """60.00/h from `source`; every level further away holds a rate that would blow
        the budget, so an 80 % alert (not 100 %) proves which rate applied."""
        levels = ["task", "project", "client", "organisation"]
        rates = {
            level: (60 if level == source else 6000) for level in levels[levels.index(source) :]
        }
        if "organisation" in rates:
            answer = await api.as_(owner).put(
                "/api/v1/settings", json={"default_hourly_rate": rates["organisation"]}
            )
            assert answer.status_code == 200, answer.text
        client = await factory.client(owner.organization, name="Acme Corp")
        client.default_hourly_rate_cents = rates["client"] * 100 if "client" in rates else None
        await factory.session.commit()
        project = await budgeted(
            api,
            owner,
            client_id=client.id,
            budget_type="money",
            budget_hours=None,
            budget_amount=100,
            **({"hourly_rate": rates["project"]} if "project" in rates else {}),
        )
        task_id = None
        if source == "task":
            task = Task(
                organization_id=owner.organization.id,
                project_id=project["id"],
                name="Homepage",
                hourly_rate_cents=6000,
            )
            factory.session.add(task)
            await factory.session.commit()
            task_id = task.id

        # 80 minutes at 60.00 is exactly 80.00 of 100.00.
        await track(api, owner, project["id"], 79 * 60 + 59, task_id=task_id)
        await runner.run_until_idle()
        assert await alerts(api, owner) == []
        await track(api, owner, project["id"], 1, day=2, task_id=task_id)
        await runner.run_until_idle()

        [alert] = await alerts(api, owner)
        assert alert["subject"].endswith("reached 80 % of its budget")
        assert "80.00 of 100.00 EUR of billable time" in alert["body"]

    async def test_only_billable_time_counts(
        self, api: Api, owner: Member, runner: JobRunner
    ) -> None:
        project = await budgeted(
            api, owner, budget_type="money", budget_hours=None, budget_amount=100, hourly_rate=50
        )

        await track(api, owner, project["id"], 3 * HOUR, billable=False)
        await track(api, owner, project["id"], HOUR, day=2)
        await runner.run_until_idle()
        assert await alerts(api, owner) == []

        await track(api, owner, project["id"], HOUR, day=3)  # 100.00 billable
        await runner.run_until_idle()
        [alert] = await alerts(api, owner)
        assert alert["subject"].endswith("has used its whole budget")

    async def test_cents_are_exact(self, api: Api, owner: Member, runner: JobRunner) -> None:
        """33.33/h: 3 hours is 99.99, one more second passes 100.00."""
        project = await budgeted(
            api,
            owner,
            budget_type="money",
            budget_hours=None,
            budget_amount=99.99,
            hourly_rate=33.33,
        )

        await track(api, owner, project["id"], 3 * HOUR - 1)
        await runner.run_until_idle()
        [early] = await alerts(api, owner)
        assert early["subject"].endswith("reached 80 % of its budget")

        await track(api, owner, project["id"], 1, day=2)
        await runner.run_until_idle()
        [_, full] = await alerts(api, owner)
        assert full["subject"].endswith("has used its whole budget")
        assert "99.99 of 99.99 EUR" in full["body"]

    async def test_time_without_any_rate_never_alerts(
        self, api: Api, owner: Member, runner: JobRunner
    ) -> None:
        project = await budgeted(
            api, owner, budget_type="money", budget_hours=None, budget_amount=1
        )

        await track(api, owner, project["id"], 8 * HOUR)
        await runner.run_until_idle()

        assert await alerts(api, owner) == []

    async def test_client_currency_is_named(
        self, api: Api, owner: Member, factory: Factory, runner: JobRunner
    ) -> None:
        client = await factory.client(owner.organization, name="Globex")
        client.currency = "USD"
        await factory.session.commit()
        project = await budgeted(
            api,
            owner,
            client_id=client.id,
            budget_type="money",
            budget_hours=None,
            budget_amount=1000,
            hourly_rate=1250,
        )

        await track(api, owner, project["id"], HOUR)
        await runner.run_until_idle()

        [alert] = await alerts(api, owner)
        assert "1,250.00 of 1,000.00 USD of billable time" in alert["body"]


class TestIdempotence:
    async def test_repeated_checks_send_nothing_new(
        self, api: Api, owner: Member, runner: JobRunner, factory: Factory
    ) -> None:
        project = await budgeted(api, owner, budget_hours=1)
        await track(api, owner, project["id"], HOUR)
        for _ in range(3):  # at-least-once delivery: the same check, again and again
            await enqueue_job(
                factory.session,
                CHECK_BUDGET_JOB,
                organization_id=owner.organization.id,
                project_id=project["id"],
            )
        await factory.session.commit()

        await runner.run_until_idle()

        assert len(await alerts(api, owner)) == 1

    async def test_check_of_a_deleted_project_does_nothing(
        self, api: Api, owner: Member, runner: JobRunner, factory: Factory
    ) -> None:
        await enqueue_job(
            factory.session,
            CHECK_BUDGET_JOB,
            organization_id=owner.organization.id,
            project_id=987_654,
        )
        await factory.session.commit()

        await runner.run_until_idle()

        status = await factory.session.execute(
            select(Job.status).where(Job.kind == CHECK_BUDGET_JOB)
        )
        assert status.scalars().all() == ["done"]
        assert await alerts(api, owner) == []

    async def test_no_check_is_queued_without_a_budget(
        self, api: Api, owner: Member, factory: Factory
    ) -> None:
        response = await api.as_(owner).post(PROJECTS, json={"name": "Open-ended"})
        project = response.json()["project"]

        await track(api, owner, project["id"], HOUR)

        assert await budget_jobs(factory) == 0

    async def test_no_check_is_queued_after_the_100_alert(
        self, api: Api, owner: Member, runner: JobRunner, factory: Factory
    ) -> None:
        project = await budgeted(api, owner, budget_hours=1)
        await track(api, owner, project["id"], HOUR)
        await runner.run_until_idle()
        queued = await budget_jobs(factory)

        await track(api, owner, project["id"], HOUR, day=2)

        assert await budget_jobs(factory) == queued


class TestBudgetChanges:
    async def test_new_budget_rearms_the_alerts(
        self, api: Api, owner: Member, runner: JobRunner, factory: Factory
    ) -> None:
        project = await budgeted(api, owner, budget_hours=10)
        await track(api, owner, project["id"], 8 * HOUR)
        await runner.run_until_idle()
        assert await marks(factory, project["id"]) == (True, False)

        changed = await api.as_(owner).patch(
            f"{PROJECTS}/{project['id']}", json={"budget_hours": 20}
        )
        assert changed.status_code == 200, changed.text
        assert await marks(factory, project["id"]) == (False, False)
        await runner.run_until_idle()
        assert len(await alerts(api, owner)) == 1  # 8 of 20: nothing to say yet

        await track(api, owner, project["id"], 8 * HOUR, day=2)  # 16 of 20
        await runner.run_until_idle()
        [_, again] = await alerts(api, owner)
        assert "16.00 of 20.00 hours" in again["body"]

    async def test_budget_lowered_below_the_tracked_time_alerts_at_once(
        self, api: Api, owner: Member, runner: JobRunner
    ) -> None:
        project = await budgeted(api, owner, budget_hours=100)
        await track(api, owner, project["id"], 5 * HOUR)
        await runner.run_until_idle()

        await api.as_(owner).put(f"{PROJECTS}/{project['id']}", json={"budget_hours": 5})
        await runner.run_until_idle()

        [alert] = await alerts(api, owner)
        assert alert["subject"].endswith("has used its whole budget")

    async def test_switching_budget_type_rearms(
        self, api: Api, owner: Member, runner: JobRunner, factory: Factory
    ) -> None:
        project = await budgeted(api, owner, budget_hours=1, hourly_rate=10)
        await track(api, owner, project["id"], HOUR)
        await runner.run_until_idle()
        assert await marks(factory, project["id"]) == (True, True)

        await api.as_(owner).patch(
            f"{PROJECTS}/{project['id']}",
            json={"budget_type": "money", "budget_hours": None, "budget_amount": 12.5},
        )
        await runner.run_until_idle()

        assert await marks(factory, project["id"]) == (True, False)  # 10.00 of 12.50
        assert (await alerts(api, owner))[-1]["body"].count("10.00 of 12.50 EUR") == 1

    async def test_unchanged_budget_keeps_its_marks(
        self, api: Api, owner: Member, runner: JobRunner, factory: Factory
    ) -> None:
        project = await budgeted(api, owner, budget_hours=10)
        await track(api, owner, project["id"], 8 * HOUR)
        await runner.run_until_idle()

        await api.as_(owner).put(
            f"{PROJECTS}/{project['id']}",
            json={"name": "Website 2", "budget_type": "hours", "budget_hours": 10},
        )
        await runner.run_until_idle()

        assert await marks(factory, project["id"]) == (True, False)
        assert len(await alerts(api, owner)) == 1

    async def test_new_project_rate_is_checked(
        self, api: Api, owner: Member, runner: JobRunner
    ) -> None:
        project = await budgeted(
            api, owner, budget_type="money", budget_hours=None, budget_amount=100, hourly_rate=10
        )
        await track(api, owner, project["id"], 5 * HOUR)
        await runner.run_until_idle()
        assert await alerts(api, owner) == []

        await api.as_(owner).patch(f"{PROJECTS}/{project['id']}", json={"hourly_rate": 20})
        await runner.run_until_idle()

        [alert] = await alerts(api, owner)
        assert "100.00 of 100.00 EUR" in alert["body"]


class TestRecipients:
    async def test_customers_inactive_users_and_other_organisations_hear_nothing(
        self,
        api: Api,
        owner: Member,
        admin: Member,
        acme: Client,
        other_owner: Member,
        factory: Factory,
        runner: JobRunner,
    ) -> None:
        await factory.member(owner.organization, "customer", client_id=acme.id)
        retired = await factory.member(owner.organization, "admin", name="Retired Admin")
        user = await factory.session.get(User, retired.id)
        assert user is not None
        user.is_active = False
        await factory.session.commit()
        project = await budgeted(api, owner, client_id=acme.id, budget_hours=1)

        await track(api, owner, project["id"], HOUR)
        await runner.run_until_idle()

        assert sorted(mail["to"] for mail in await alerts(api, owner)) == sorted(
            [owner.user.email, admin.user.email]
        )
        assert await alerts(api, other_owner) == []

    async def test_a_member_holding_owner_and_admin_gets_one_email(
        self, api: Api, owner: Member, factory: Factory, runner: JobRunner
    ) -> None:
        admin_role = await RoleRepository(factory.session).by_moniker(
            owner.organization.id, "admin"
        )
        assert admin_role is not None
        factory.session.add(
            MembershipRole(membership_id=owner.membership.id, role_id=admin_role.id)
        )
        await factory.session.commit()
        project = await budgeted(api, owner, budget_hours=1)

        await track(api, owner, project["id"], HOUR)
        await runner.run_until_idle()

        assert [mail["to"] for mail in await alerts(api, owner)] == [owner.user.email]
