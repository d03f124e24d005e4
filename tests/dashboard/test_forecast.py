"""GET /api/v1/projects/{id}/forecast: velocity, budget, timeline, tasks, ai, visibility."""

from __future__ import annotations

from datetime import date
from typing import Any

from clocktower.models import Client, Project, ProjectUserRate, Task
from tests.conftest import QueryCounter
from tests.dashboard.conftest import Hold, forecast_url, local, utc
from tests.support import Api, Factory, Member
from tests.time_entry.conftest import (
    add_entry,
    make_project,
    make_role,
    make_task,
    set_timezone,
)

# Wednesday 15 April 2026, 10:00 UTC. The last 8 weeks start on these Mondays.
NOW = "2026-04-15T10:00"
MONDAYS = ["02-23", "03-02", "03-09", "03-16", "03-23", "03-30", "04-06", "04-13"]


async def task_with(factory: Factory, project: Project, name: str, **fields: Any) -> Task:
    task = await make_task(factory, project, name=name)
    for field, value in fields.items():
        setattr(task, field, value)
    await factory.session.commit()
    return task


async def arrange_website(factory: Factory, owner: Member, member: Member) -> Project:
    website = await make_project(
        factory,
        owner.organization,
        name="Website",
        budget_type="hours",
        budget_minutes=20 * 60,
        estimated_minutes=30 * 60,
    )
    elsewhere = await make_project(factory, owner.organization, name="Elsewhere")
    for who, start, hours in [
        (owner, "2026-02-02T09:00", 4),  # the first entry, before the 8 weeks
        (owner, "2026-03-17T09:00", 3),
        (member, "2026-03-24T09:00", 2),
        (owner, "2026-04-01T09:00", 4),
        (owner, "2026-04-07T09:00", 3),
        (owner, "2026-04-14T09:00", 2),  # the current week: not in the velocity
    ]:
        await add_entry(factory, who, utc(start), minutes=hours * 60, project=website)
    await add_entry(factory, owner, utc("2026-04-15T09:00"), minutes=None, project=website)
    await add_entry(factory, owner, utc("2026-04-14T09:00"), minutes=600, project=elsewhere)
    await task_with(factory, website, "Done", status="done", due_on=date(2026, 4, 10))
    await task_with(factory, website, "Late", status="todo", due_on=date(2026, 4, 10))
    await task_with(factory, website, "Soon", status="in_progress", due_on=date(2026, 4, 20))
    await task_with(factory, website, "Later", status="review", due_on=date(2026, 5, 30))
    await task_with(factory, website, "Someday", status="todo", estimated_minutes=120)
    return website


class TestForecast:
    async def test_hours_budget_velocity_timeline_and_tasks(
        self, api: Api, factory: Factory, owner: Member, member: Member, at: Hold
    ) -> None:
        at(utc(NOW))
        website = await arrange_website(factory, owner, member)

        response = await api.as_(member).get(forecast_url(website.id))

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["ok"] is True
        assert "ai" not in body
        forecast = body["forecast"]
        assert forecast == {
            "project_id": website.id,
            "project_name": "Website",
            "status": "active",
            "as_of": "2026-04-15",
            "generated_at": "2026-04-15T10:00:00Z",
            "velocity": {
                "hours_per_week": 3.0,
                "window_weeks": 4,
                "weekly": [
                    {"week_start": f"2026-{monday}", "hours": hours}
                    for monday, hours in zip(MONDAYS, [0, 0, 0, 3, 2, 4, 3, 2], strict=True)
                ],
                "first_tracked_date": "2026-02-02",
            },
            "budget": {
                "type": "hours",
                "currency": None,
                "limit": 20.0,
                "burned": 18.0,
                "remaining": 2.0,
                "percent": 90.0,
                "burn_per_week": 3.0,
                # 2 hours at 3 hours a week: 4.67 days, rounded up.
                "projected_exhaustion_date": "2026-04-20",
            },
            "timeline": {
                "estimated_hours": 30.0,
                "estimate_source": "project",
                "tracked_hours": 18.0,
                "remaining_hours": 12.0,
                "weeks_remaining": 4.0,
                "projected_finish_date": "2026-05-13",
                "next_due_date": "2026-04-20",
                "last_due_date": "2026-05-30",
                "on_track": True,
            },
            "tasks": {
                "total": 5,
                "open": 4,
                "done": 1,
                "overdue": 1,
                "due_next_7_days": 1,
                "by_status": {"todo": 2, "in_progress": 1, "review": 1, "done": 1},
                "completion_percent": 20.0,
            },
        }

    async def test_money_budget_burns_at_resolved_rates(
        self, api: Api, factory: Factory, owner: Member, member: Member, at: Hold
    ) -> None:
        at(utc(NOW))
        client = Client(organization_id=owner.organization.id, name="Acme", currency="USD")
        factory.session.add(client)
        await factory.session.commit()
        project = await make_project(
            factory,
            owner.organization,
            client_id=client.id,
            hourly_rate_cents=10000,
            budget_type="money",
            budget_amount_cents=100000,
        )
        design = await task_with(factory, project, "Design", hourly_rate_cents=15000)
        factory.session.add(
            ProjectUserRate(
                organization_id=owner.organization.id,
                project_id=project.id,
                user_id=member.id,
                hourly_rate_cents=12000,
            )
        )
        await factory.session.commit()
        await add_entry(factory, owner, utc("2026-04-07T09:00"), minutes=60, task=design)
        await add_entry(factory, owner, utc("2026-03-17T09:00"), minutes=120, project=project)
        await add_entry(factory, member, utc("2026-04-01T09:00"), minutes=60, project=project)
        await add_entry(
            factory, member, utc("2026-04-14T09:00"), minutes=60, project=project, billable=False
        )

        budget = (await api.as_(owner).get(forecast_url(project.id))).json()["forecast"]["budget"]

        assert budget == {
            "type": "money",
            "currency": "USD",
            "limit": 1000.0,
            "burned": 470.0,  # 150 (task rate) + 200 (project rate) + 120 (member's rate)
            "remaining": 530.0,
            "percent": 47.0,
            "burn_per_week": 117.5,
            "projected_exhaustion_date": "2026-05-17",
        }

    async def test_no_budget_and_no_estimate(
        self, api: Api, factory: Factory, owner: Member, at: Hold
    ) -> None:
        at(utc(NOW))
        project = await make_project(factory, owner.organization)
        await add_entry(factory, owner, utc("2026-04-14T09:00"), minutes=90, project=project)

        forecast = (await api.as_(owner).get(forecast_url(project.id))).json()["forecast"]

        # Time only in the current week: no complete week to average yet.
        assert forecast["velocity"]["hours_per_week"] is None
        assert forecast["velocity"]["window_weeks"] == 0
        assert forecast["budget"] == {
            "type": "none",
            "currency": None,
            "limit": None,
            "burned": 1.5,
            "remaining": None,
            "percent": None,
            "burn_per_week": None,
            "projected_exhaustion_date": None,
        }
        assert forecast["timeline"] == {
            "estimated_hours": None,
            "estimate_source": None,
            "tracked_hours": 1.5,
            "remaining_hours": None,
            "weeks_remaining": None,
            "projected_finish_date": None,
            "next_due_date": None,
            "last_due_date": None,
            "on_track": None,
        }
        assert forecast["tasks"]["total"] == 0
        assert forecast["tasks"]["completion_percent"] is None

    async def test_young_project_averages_its_own_weeks_and_task_estimates(
        self, api: Api, factory: Factory, owner: Member, at: Hold
    ) -> None:
        at(utc(NOW))
        project = await make_project(
            factory, owner.organization, budget_type="hours", budget_minutes=300
        )
        await task_with(factory, project, "A", estimated_minutes=600, due_on=date(2026, 4, 16))
        await task_with(factory, project, "B", estimated_minutes=300)
        await add_entry(factory, owner, utc("2026-04-08T09:00"), minutes=360, project=project)

        forecast = (await api.as_(owner).get(forecast_url(project.id))).json()["forecast"]

        assert forecast["velocity"]["window_weeks"] == 1
        assert forecast["velocity"]["hours_per_week"] == 6.0
        # Over budget: remaining is negative and there is nothing left to run out.
        assert forecast["budget"]["remaining"] == -1.0
        assert forecast["budget"]["percent"] == 120.0
        assert forecast["budget"]["projected_exhaustion_date"] is None
        assert forecast["timeline"]["estimated_hours"] == 15.0
        assert forecast["timeline"]["estimate_source"] == "tasks"
        assert forecast["timeline"]["remaining_hours"] == 9.0
        assert forecast["timeline"]["weeks_remaining"] == 1.5
        assert forecast["timeline"]["projected_finish_date"] == "2026-04-26"
        assert forecast["timeline"]["on_track"] is False

    async def test_weeks_are_local(
        self, api: Api, factory: Factory, owner: Member, at: Hold
    ) -> None:
        zone = "Pacific/Auckland"
        at(utc(NOW))
        await set_timezone(api, owner, zone)
        project = await make_project(factory, owner.organization)
        # Monday 00:30 in Auckland is still Sunday in UTC.
        await add_entry(factory, owner, local("2026-04-13T00:30", zone), project=project)
        await add_entry(factory, owner, local("2026-04-12T23:30", zone), project=project)

        weekly = (await api.as_(owner).get(forecast_url(project.id))).json()["forecast"][
            "velocity"
        ]["weekly"]

        assert weekly[-1] == {"week_start": "2026-04-13", "hours": 1.0}
        assert weekly[-2] == {"week_start": "2026-04-06", "hours": 1.0}


class TestAi:
    async def test_ai_reports_disabled_with_the_forecast(
        self, api: Api, factory: Factory, owner: Member, at: Hold
    ) -> None:
        at(utc(NOW))
        project = await make_project(factory, owner.organization)

        for truthy in ("true", "1", "yes", "on"):
            body = (
                await api.as_(owner).get(forecast_url(project.id), params={"ai": truthy})
            ).json()
            assert body["ok"] is True
            assert body["forecast"]["project_id"] == project.id
            assert body["ai"] == {
                "ok": False,
                "error_code": "ai_disabled",
                "error": "The AI helper is not enabled on this server",
            }
        plain = (await api.as_(owner).get(forecast_url(project.id), params={"ai": "0"})).json()
        assert "ai" not in plain


class TestVisibility:
    async def test_another_organisations_project_is_not_found(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member, at: Hold
    ) -> None:
        at(utc(NOW))
        theirs = await make_project(factory, other_owner.organization)

        response = await api.as_(owner).get(forecast_url(theirs.id))

        assert response.status_code == 404
        assert response.json()["error_code"] == "not_found"

    async def test_customers_see_only_their_clients_projects(
        self, api: Api, factory: Factory, owner: Member, at: Hold
    ) -> None:
        at(utc(NOW))
        acme = await factory.client(owner.organization, name="Acme")
        globex = await factory.client(owner.organization, name="Globex")
        ours = await make_project(factory, owner.organization, name="Ours", client_id=acme.id)
        theirs = await make_project(factory, owner.organization, name="Theirs", client_id=globex.id)
        customer = await factory.member(owner.organization, "customer", client_id=acme.id)

        assert (await api.as_(customer).get(forecast_url(ours.id))).status_code == 200
        assert (await api.as_(customer).get(forecast_url(theirs.id))).status_code == 404

    async def test_unknown_and_bad_ids(self, api: Api, owner: Member) -> None:
        assert (await api.as_(owner).get(forecast_url(999_999))).status_code == 404
        assert (await api.as_(owner).get("/api/v1/projects/0/forecast")).status_code in (400, 404)
        bad = await api.as_(owner).get("/api/v1/projects/abc/forecast")
        assert bad.status_code in (400, 404)
        assert "error_code" in bad.json()

    async def test_budget_hidden_from_readers_who_may_not_see_it(
        self, api: Api, factory: Factory, owner: Member, at: Hold
    ) -> None:
        at(utc(NOW))
        project = await make_project(
            factory, owner.organization, budget_type="hours", budget_minutes=600
        )
        role = await make_role(
            api, owner, "planner", ["report.fetch", "project.fetch", "obj.project.name"]
        )
        planner = await factory.member(owner.organization, role)

        forecast = (await api.as_(planner).get(forecast_url(project.id))).json()["forecast"]

        assert forecast["budget"] is None
        assert forecast["velocity"]["window_weeks"] == 0


class TestQueries:
    async def test_statements_do_not_grow_with_the_data(
        self, api: Api, factory: Factory, owner: Member, at: Hold, queries: QueryCounter
    ) -> None:
        at(utc(NOW))
        project = await make_project(
            factory,
            owner.organization,
            hourly_rate_cents=5000,
            budget_type="money",
            budget_amount_cents=500000,
        )
        first = await task_with(factory, project, "First")
        await add_entry(factory, owner, utc("2026-04-07T09:00"), task=first)
        with queries:
            await api.as_(owner).get(forecast_url(project.id), params={"refresh": "true"})
        one = queries.count
        for number in range(20):
            task = await task_with(factory, project, f"T{number}", hourly_rate_cents=100 * number)
            who = await factory.member(owner.organization) if number % 5 == 0 else owner
            await add_entry(factory, who, utc("2026-03-01T09:00"), task=task)

        with queries:
            body = (
                await api.as_(owner).get(forecast_url(project.id), params={"refresh": "true"})
            ).json()

        assert body["forecast"]["tasks"]["total"] == 21
        assert queries.count == one, queries.statements
