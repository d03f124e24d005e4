"""GET /api/v1/productivity/stats: every sub-object, the period parameter, time zones."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.conftest import QueryCounter
from tests.dashboard.conftest import PRODUCTIVITY, Hold, local, utc
from tests.support import Api, Factory, Member
from tests.time_entry.conftest import add_entry, make_project, make_task, set_timezone

# Wednesday 15 April 2026, 10:00 UTC.
NOW = "2026-04-15T10:00"


async def arrange_fortnight(factory: Factory, owner: Member) -> None:
    website = await make_project(factory, owner.organization, name="Website", color="#FF0000")
    backend = await make_project(factory, owner.organization, name="Backend")
    for start, minutes, project, billable in [
        ("2026-04-15T08:00", 60, website, True),
        ("2026-04-14T09:00", 120, website, True),
        ("2026-04-14T14:00", 3, None, False),  # too short to be a focus session
        ("2026-04-13T09:00", 90, backend, False),
        ("2026-04-12T10:00", 60, backend, True),
        ("2026-04-11T10:00", 30, website, True),
        ("2026-04-01T09:00", 400, website, True),
        ("2026-02-01T09:00", 60, None, True),  # in the heatmap, before the period
    ]:
        await add_entry(
            factory, owner, utc(start), minutes=minutes, project=project, billable=billable
        )


class TestProductivity:
    async def test_every_sub_object(
        self, api: Api, factory: Factory, owner: Member, at: Hold
    ) -> None:
        at(utc(NOW))
        await arrange_fortnight(factory, owner)

        response = await api.as_(owner).get(PRODUCTIVITY)

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["ok"] is True
        assert body["period"] == 30
        assert body["summary"] == {
            "today_hours": 1.0,
            "week_hours": 4.55,
            "week_billable_hours": 3.0,
            "billable_percent_week": 65.9,
            "week_goal_hours": 40.0,
            "week_goal_percent": 11.4,
            "top_project_week": {
                "project_id": body["projects"][0]["project_id"],
                "name": "Website",
                "hours": 3.0,
            },
            "active_timer": None,
        }
        daily = body["daily_breakdown"]
        assert [day["date"] for day in daily] == [
            (date(2026, 4, 2) + timedelta(days=i)).isoformat() for i in range(14)
        ]
        assert daily[-2] == {
            "date": "2026-04-14",
            "hours": 2.05,
            "billable_hours": 2.0,
            "entry_count": 2,
            "goal_hours": 8.0,
        }
        assert daily[-4]["goal_hours"] == 0.0  # Sunday 12th is not a work day
        assert body["streak"] == {
            "current_streak": 5,
            "longest_streak": 5,
            "tracked_days_this_month": 6,
            "total_days_this_month": 15,
        }
        focus = body["focus"]
        assert focus == {
            "entries": 7,
            "tracked_days": 6,
            "avg_session_minutes": 126.7,
            "longest_session_hours": 6.67,
            "entries_per_day": 1.17,
            "most_productive_hour": 9,
            "most_productive_day": "Wednesday",
            "hour_distribution": [
                {8: 1.0, 9: 10.17, 10: 1.5, 14: 0.05}.get(hour, 0.0) for hour in range(24)
            ],
        }
        assert [
            (p["name"], p["color"], p["hours"], p["billable_hours"], p["entry_count"], p["percent"])
            for p in body["projects"]
        ] == [
            ("Website", "#FF0000", 10.17, 10.17, 4, 79.9),
            ("Backend", None, 2.5, 1.0, 2, 19.7),
            (None, None, 0.05, 0.0, 1, 0.4),
        ]
        assert body["projects"][2]["project_id"] is None
        heatmap = body["heatmap"]
        assert len(heatmap) == 84
        assert heatmap[0]["date"] == "2026-01-22"
        assert heatmap[-1]["date"] == "2026-04-15"
        levels = {day["date"]: (day["hours"], day["level"]) for day in heatmap}
        assert levels["2026-04-01"] == (6.67, 4)
        assert levels["2026-04-14"] == (2.05, 2)
        assert levels["2026-04-15"] == (1.0, 1)
        assert levels["2026-02-01"] == (1.0, 1)
        assert levels["2026-04-02"] == (0.0, 0)
        assert body["insights"] == [
            "You have tracked time 5 days in a row.",
            "Your most productive hour starts at 09:00 (09:00-10:00).",
            "Website took 80% of your tracked time in the last 30 days.",
            "66% of your time this week is billable.",
        ]

    async def test_nothing_tracked(self, api: Api, member: Member, at: Hold) -> None:
        at(utc(NOW))

        body = (await api.as_(member).get(PRODUCTIVITY)).json()

        assert body["summary"]["today_hours"] == 0.0
        assert body["summary"]["billable_percent_week"] is None
        assert body["summary"]["top_project_week"] is None
        assert body["streak"] == {
            "current_streak": 0,
            "longest_streak": 0,
            "tracked_days_this_month": 0,
            "total_days_this_month": 15,
        }
        assert body["focus"]["avg_session_minutes"] is None
        assert body["focus"]["entries_per_day"] is None
        assert body["focus"]["most_productive_hour"] is None
        assert body["focus"]["most_productive_day"] is None
        assert body["focus"]["hour_distribution"] == [0.0] * 24
        assert body["projects"] == []
        assert len(body["daily_breakdown"]) == 14
        assert {day["level"] for day in body["heatmap"]} == {0}
        assert body["insights"] == []

    async def test_the_period_frames_focus_and_projects(
        self, api: Api, factory: Factory, owner: Member, at: Hold
    ) -> None:
        at(utc(NOW))
        await arrange_fortnight(factory, owner)

        week = (await api.as_(owner).get(PRODUCTIVITY, params={"period": 7})).json()
        quarter = (await api.as_(owner).get(PRODUCTIVITY, params={"period": 90})).json()

        assert week["period"] == 7
        assert week["focus"]["entries"] == 6  # 9 to 15 April: not the 1st
        assert week["focus"]["most_productive_day"] == "Tuesday"
        assert [p["hours"] for p in week["projects"]] == [3.5, 2.5, 0.05]
        assert quarter["focus"]["entries"] == 8
        assert len(quarter["daily_breakdown"]) == 14
        assert len(quarter["heatmap"]) == 84

    async def test_streaks_count_consecutive_local_days(
        self, api: Api, factory: Factory, owner: Member, at: Hold
    ) -> None:
        at(utc(NOW))
        # A run of 6 days in March, then a gap, then yesterday and the day before.
        for day in range(1, 7):
            await add_entry(factory, owner, utc(f"2026-03-{day:02d}T09:00"), minutes=10)
        await add_entry(factory, owner, utc("2026-04-13T09:00"), minutes=10)
        await add_entry(factory, owner, utc("2026-04-14T09:00"), minutes=10)
        await add_entry(factory, owner, utc("2026-04-14T11:00"), minutes=10)

        streak = (await api.as_(owner).get(PRODUCTIVITY)).json()["streak"]

        # Today has no time yet: the run through yesterday still counts.
        assert streak["current_streak"] == 2
        assert streak["longest_streak"] == 6

    async def test_a_streak_ending_before_yesterday_is_over(
        self, api: Api, factory: Factory, owner: Member, at: Hold
    ) -> None:
        at(utc(NOW))
        await add_entry(factory, owner, utc("2026-04-12T09:00"), minutes=10)
        await add_entry(factory, owner, utc("2026-04-13T09:00"), minutes=10)

        streak = (await api.as_(owner).get(PRODUCTIVITY)).json()["streak"]

        assert streak == {
            "current_streak": 0,
            "longest_streak": 2,
            "tracked_days_this_month": 2,
            "total_days_this_month": 15,
        }

    async def test_running_timer_is_reported_but_not_counted(
        self, api: Api, factory: Factory, owner: Member, at: Hold
    ) -> None:
        at(utc(NOW))
        project = await make_project(factory, owner.organization, name="Website")
        task = await make_task(factory, project, name="Homepage")
        timer = await add_entry(
            factory, owner, utc("2026-04-15T09:15"), minutes=None, project=project, task=task
        )

        summary = (await api.as_(owner).get(PRODUCTIVITY)).json()["summary"]

        assert summary["today_hours"] == 0.0
        assert summary["active_timer"] == {
            "id": timer.id,
            "project_id": project.id,
            "project_name": "Website",
            "task_id": task.id,
            "task_name": "Homepage",
            "started_at": "2026-04-15T09:15:00Z",
            "elapsed_seconds": 2700,
        }

    async def test_goals_follow_the_work_schedule(
        self, api: Api, factory: Factory, owner: Member, at: Hold
    ) -> None:
        at(utc(NOW))
        response = await api.as_(owner).put(
            "/api/v1/preferences",
            json={
                "work_days": ["mon", "tue", "wed", "thu"],
                "work_hours_start": "08:30",
                "work_hours_end": "15:00",
            },
        )
        assert response.status_code == 200, response.text
        await add_entry(factory, owner, utc("2026-04-13T09:00"), minutes=13 * 60)

        body = (await api.as_(owner).get(PRODUCTIVITY)).json()

        assert body["summary"]["week_goal_hours"] == 26.0
        assert body["summary"]["week_goal_percent"] == 50.0
        goals = {day["date"]: day["goal_hours"] for day in body["daily_breakdown"]}
        assert goals["2026-04-13"] == 6.5
        assert goals["2026-04-10"] == 0.0  # a Friday

    async def test_week_insight_compares_the_same_days(
        self, api: Api, factory: Factory, owner: Member, at: Hold
    ) -> None:
        at(utc(NOW))
        await add_entry(factory, owner, utc("2026-04-06T09:00"), minutes=120)
        await add_entry(factory, owner, utc("2026-04-09T09:00"), minutes=600)  # a Thursday
        await add_entry(factory, owner, utc("2026-04-13T09:00"), minutes=150)

        insights = (await api.as_(owner).get(PRODUCTIVITY)).json()["insights"]

        assert insights[0] == "You tracked 25% more time this week than on the same days last week."


class TestTimeZones:
    async def test_auckland_hours_and_days(
        self, api: Api, factory: Factory, owner: Member, at: Hold
    ) -> None:
        zone = "Pacific/Auckland"
        at(utc(NOW))  # Wednesday 22:00 in Auckland
        await set_timezone(api, owner, zone)
        await add_entry(factory, owner, local("2026-04-15T07:00", zone), minutes=60)
        await add_entry(factory, owner, local("2026-04-14T23:30", zone), minutes=60)

        body = (await api.as_(owner).get(PRODUCTIVITY)).json()

        assert body["summary"]["today_hours"] == 1.0
        assert body["daily_breakdown"][-1]["date"] == "2026-04-15"
        assert body["daily_breakdown"][-2]["hours"] == 1.0
        assert body["focus"]["hour_distribution"][7] == 1.0
        assert body["focus"]["hour_distribution"][23] == 1.0
        assert body["focus"]["most_productive_hour"] == 7
        assert body["streak"]["current_streak"] == 2

    async def test_los_angeles_hours_across_the_spring_forward(
        self, api: Api, factory: Factory, owner: Member, at: Hold
    ) -> None:
        zone = "America/Los_Angeles"
        at(local("2026-03-10T13:00", zone))
        await set_timezone(api, owner, zone)
        await add_entry(factory, owner, local("2026-03-07T09:00", zone), minutes=30)  # PST
        await add_entry(factory, owner, local("2026-03-09T09:00", zone), minutes=60)  # PDT

        body = (await api.as_(owner).get(PRODUCTIVITY)).json()

        assert body["focus"]["hour_distribution"][9] == 1.5
        assert body["focus"]["most_productive_day"] == "Monday"
        days = {day["date"]: day["hours"] for day in body["daily_breakdown"]}
        assert days["2026-03-07"] == 0.5
        assert days["2026-03-08"] == 0.0
        assert days["2026-03-09"] == 1.0


class TestPeriodParameter:
    @pytest.mark.parametrize("period", ["0", "91", "-3", "abc", "1.5", ""])
    async def test_bad_periods_are_400_in_the_standard_body(
        self, api: Api, member: Member, period: str
    ) -> None:
        response = await api.as_(member).get(PRODUCTIVITY, params={"period": period})

        assert response.status_code == 400, response.text
        body: dict[str, Any] = response.json()
        assert body["error_code"] == "validation_error"
        assert "period" in body["errors"]
        assert "ok" not in body

    async def test_bounds_are_accepted(self, api: Api, member: Member, at: Hold) -> None:
        at(utc(NOW))
        for period in (1, 90):
            response = await api.as_(member).get(PRODUCTIVITY, params={"period": period})
            assert response.status_code == 200, response.text
            assert response.json()["period"] == period


class TestQueries:
    async def test_statements_do_not_grow_with_the_data(
        self, api: Api, factory: Factory, owner: Member, at: Hold, queries: QueryCounter
    ) -> None:
        at(utc(NOW))
        await add_entry(factory, owner, utc("2026-04-14T09:00"))
        with queries:
            await api.as_(owner).get(PRODUCTIVITY)
        one = queries.count
        for number in range(30):
            project = await make_project(factory, owner.organization, name=f"P{number}")
            start = utc("2026-03-20T09:00") + timedelta(hours=13 * number)
            await add_entry(factory, owner, start, project=project)

        with queries:
            body = (await api.as_(owner).get(PRODUCTIVITY)).json()

        assert len(body["projects"]) == 10
        assert queries.count == one, queries.statements
