"""GET /api/v1/reports/week-comparison: partial weeks, dense days, change_percent."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import QueryCounter
from tests.dashboard.conftest import WEEK, Hold, local, utc
from tests.support import Api, Factory, Member
from tests.time_entry.conftest import add_entry, set_timezone

# Wednesday 15 April 2026, 10:00 UTC.
NOW = "2026-04-15T10:00"


class TestWeekComparison:
    async def test_partial_week_against_the_same_span_last_week(
        self, api: Api, factory: Factory, owner: Member, at: Hold
    ) -> None:
        at(utc(NOW))
        for start, minutes in [
            ("2026-04-05T12:00", 60),  # Sunday before last week: outside
            ("2026-04-06T09:00", 120),
            ("2026-04-07T09:00", 180),
            ("2026-04-08T09:00", 60),  # last Wednesday before 10:00: counts
            ("2026-04-08T11:00", 60),  # last Wednesday after 10:00: later than "now"
            ("2026-04-09T09:00", 240),  # last Thursday: outside
            ("2026-04-13T09:00", 90),
            ("2026-04-14T09:00", 120),
            ("2026-04-15T08:00", 30),
            ("2026-04-15T11:00", 60),  # later today: not yet
        ]:
            await add_entry(factory, owner, utc(start), minutes=minutes)
        await add_entry(factory, owner, utc("2026-04-15T09:00"), minutes=None)  # running
        colleague = await factory.member(owner.organization)
        await add_entry(factory, colleague, utc("2026-04-14T09:00"), minutes=600)

        response = await api.as_(owner).get(WEEK)

        assert response.status_code == 200, response.text
        assert response.json() == {
            "current_week": {
                "total_hours": 4.0,
                "by_day": [
                    {"day": "2026-04-13", "hours": 1.5},
                    {"day": "2026-04-14", "hours": 2.0},
                    {"day": "2026-04-15", "hours": 0.5},
                ],
            },
            "last_week": {
                "total_hours": 6.0,
                "by_day": [
                    {"day": "2026-04-06", "hours": 2.0},
                    {"day": "2026-04-07", "hours": 3.0},
                    {"day": "2026-04-08", "hours": 1.0},
                ],
            },
            "change_percent": -33.3,
        }

    async def test_change_is_null_when_last_week_is_empty(
        self, api: Api, factory: Factory, member: Member, at: Hold
    ) -> None:
        at(utc(NOW))
        await add_entry(factory, member, utc("2026-04-14T09:00"), minutes=60)

        body = (await api.as_(member).get(WEEK)).json()

        assert body["current_week"]["total_hours"] == 1.0
        assert body["last_week"] == {
            "total_hours": 0.0,
            "by_day": [
                {"day": "2026-04-06", "hours": 0.0},
                {"day": "2026-04-07", "hours": 0.0},
                {"day": "2026-04-08", "hours": 0.0},
            ],
        }
        assert body["change_percent"] is None

    async def test_change_rounds_to_one_decimal(
        self, api: Api, factory: Factory, member: Member, at: Hold
    ) -> None:
        # Seed 002's example: 18.5 h against 22.0 h is -15.9 %.
        at(utc("2026-04-19T23:00"))  # Sunday evening: whole weeks
        await add_entry(factory, member, utc("2026-04-06T00:00"), minutes=22 * 60)
        await add_entry(factory, member, utc("2026-04-13T00:00"), minutes=18 * 60 + 30)

        body = (await api.as_(member).get(WEEK)).json()

        assert len(body["current_week"]["by_day"]) == 7
        assert len(body["last_week"]["by_day"]) == 7
        assert body["change_percent"] == -15.9

    async def test_monday_morning_compares_one_day(
        self, api: Api, factory: Factory, member: Member, at: Hold
    ) -> None:
        at(utc("2026-04-13T00:30"))
        await add_entry(factory, member, utc("2026-04-13T00:00"), minutes=15)
        await add_entry(factory, member, utc("2026-04-06T00:00"), minutes=10)
        await add_entry(factory, member, utc("2026-04-06T00:45"), minutes=10)  # after 00:30

        body = (await api.as_(member).get(WEEK)).json()

        assert body["current_week"]["by_day"] == [{"day": "2026-04-13", "hours": 0.25}]
        assert body["last_week"]["by_day"] == [{"day": "2026-04-06", "hours": 0.17}]
        assert body["change_percent"] == 47.1  # 0.25 against 0.17, as shown

    async def test_auckland_weeks_start_at_local_monday(
        self, api: Api, factory: Factory, owner: Member, at: Hold
    ) -> None:
        zone = "Pacific/Auckland"
        at(utc(NOW))  # Wednesday 22:00 in Auckland
        await set_timezone(api, owner, zone)
        await add_entry(factory, owner, local("2026-04-13T00:30", zone), minutes=60)
        await add_entry(factory, owner, local("2026-04-12T23:30", zone), minutes=60)  # Sunday
        await add_entry(factory, owner, local("2026-04-08T21:00", zone), minutes=60)

        body = (await api.as_(owner).get(WEEK)).json()

        assert body["current_week"]["by_day"][0] == {"day": "2026-04-13", "hours": 1.0}
        assert body["current_week"]["total_hours"] == 1.0
        assert body["last_week"]["by_day"][-1] == {"day": "2026-04-08", "hours": 1.0}
        assert body["change_percent"] == 0.0

    async def test_a_week_after_the_clocks_change_compares_wall_clock_times(
        self, api: Api, factory: Factory, owner: Member, at: Hold
    ) -> None:
        zone = "America/Los_Angeles"
        # Wednesday 11 March 2026, 10:00 PDT; a week ago it was 10:00 PST (an hour more
        # than 7 * 24 hours earlier).
        at(local("2026-03-11T10:00", zone))
        await set_timezone(api, owner, zone)
        await add_entry(factory, owner, local("2026-03-04T09:30", zone), minutes=30)
        await add_entry(factory, owner, local("2026-03-04T10:30", zone), minutes=30)
        await add_entry(factory, owner, local("2026-03-01T23:30", zone), minutes=30)  # Sunday
        await add_entry(factory, owner, local("2026-03-09T00:30", zone), minutes=30)

        body = (await api.as_(owner).get(WEEK)).json()

        assert body["last_week"] == {
            "total_hours": 0.5,
            "by_day": [
                {"day": "2026-03-02", "hours": 0.0},
                {"day": "2026-03-03", "hours": 0.0},
                {"day": "2026-03-04", "hours": 0.5},
            ],
        }
        assert body["current_week"]["by_day"][0] == {"day": "2026-03-09", "hours": 0.5}
        assert body["change_percent"] == 0.0

    async def test_one_statement_whatever_the_data(
        self, api: Api, factory: Factory, owner: Member, at: Hold, queries: QueryCounter
    ) -> None:
        at(utc(NOW))
        with queries:
            await api.as_(owner).get(WEEK)
        empty = queries.count
        for number in range(40):
            await add_entry(factory, owner, utc("2026-04-06T00:00") + timedelta(hours=5 * number))

        with queries:
            body = (await api.as_(owner).get(WEEK)).json()

        assert body["current_week"]["total_hours"] > 0
        assert queries.count == empty, queries.statements
