"""GET /api/v1/stats/value-dashboard: seed 002's keys, null rules, local days and value."""

from __future__ import annotations

from datetime import timedelta

from clocktower.models import Client
from tests.conftest import QueryCounter
from tests.dashboard.conftest import VALUE, Hold, local, utc
from tests.support import Api, Factory, Member
from tests.time_entry.conftest import add_entry, make_project, set_timezone

# Wednesday 15 April 2026, 10:00 UTC.
NOW = "2026-04-15T10:00"


async def rated_client(factory: Factory, owner: Member, cents: int | None) -> Client:
    client = Client(
        organization_id=owner.organization.id, name=f"Rate {cents}", default_hourly_rate_cents=cents
    )
    factory.session.add(client)
    await factory.session.commit()
    return client


class TestEmpty:
    async def test_no_time_gives_zeros_nulls_and_seven_days(
        self, api: Api, member: Member, at: Hold
    ) -> None:
        at(utc(NOW))

        response = await api.as_(member).get(VALUE)

        assert response.status_code == 200, response.text
        assert response.json() == {
            "total_hours": 0.0,
            "entries_count": 0,
            "active_days": 0,
            "avg_session_length": 0.0,
            "most_productive_day": None,
            "this_week_hours": 0.0,
            "this_month_hours": 0.0,
            "last_7_days": [{"date": f"2026-04-{day:02d}", "hours": 0.0} for day in range(9, 16)],
            "estimated_value_tracked": None,
            "estimated_value_currency": "EUR",
        }


class TestTotals:
    async def test_every_field_from_finished_entries(
        self, api: Api, factory: Factory, owner: Member, at: Hold
    ) -> None:
        at(utc(NOW))
        client = await rated_client(factory, owner, 8000)
        website = await make_project(factory, owner.organization, hourly_rate_cents=10000)
        # Tuesday 14th: 1.5 h at the project's 100.00.
        await add_entry(factory, owner, utc("2026-04-14T09:00"), minutes=90, project=website)
        # Monday 13th: 1 h without project or rate.
        await add_entry(factory, owner, utc("2026-04-13T09:00"), minutes=60)
        # Friday 10th: 45 min for a client at its default 80.00 (entry client, no project).
        for_client = await add_entry(factory, owner, utc("2026-04-10T09:00"), minutes=45)
        for_client.client_id = client.id
        await factory.session.commit()
        # Wednesday 1st: 2 h not billable on the project: no value.
        await add_entry(
            factory, owner, utc("2026-04-01T09:00"), minutes=120, project=website, billable=False
        )
        # Tuesday 31 March: last month.
        await add_entry(factory, owner, utc("2026-03-31T09:00"), minutes=30)
        # A running timer and someone else's time never count.
        await add_entry(factory, owner, utc("2026-04-15T09:00"), minutes=None, project=website)
        colleague = await factory.member(owner.organization)
        await add_entry(factory, colleague, utc("2026-04-14T09:00"), minutes=600)

        body = (await api.as_(owner).get(VALUE)).json()

        assert body["total_hours"] == 5.75
        assert body["entries_count"] == 5
        assert body["active_days"] == 5
        assert body["avg_session_length"] == 1.15
        # Tuesday 2.0 h (14th and 31st) ties Wednesday 2.0 h: the earlier weekday wins.
        assert body["most_productive_day"] == "Tuesday"
        assert body["this_week_hours"] == 2.5
        assert body["this_month_hours"] == 5.25
        assert body["last_7_days"] == [
            {"date": "2026-04-09", "hours": 0.0},
            {"date": "2026-04-10", "hours": 0.75},
            {"date": "2026-04-11", "hours": 0.0},
            {"date": "2026-04-12", "hours": 0.0},
            {"date": "2026-04-13", "hours": 1.0},
            {"date": "2026-04-14", "hours": 1.5},
            {"date": "2026-04-15", "hours": 0.0},
        ]
        assert body["estimated_value_tracked"] == 210.0  # 150.00 + 60.00
        assert body["estimated_value_currency"] == "EUR"

    async def test_rate_falls_back_to_the_projects_client(
        self, api: Api, factory: Factory, owner: Member, at: Hold
    ) -> None:
        at(utc(NOW))
        client = await rated_client(factory, owner, 3333)
        project = await make_project(factory, owner.organization, client_id=client.id)
        # 20 minutes at 33.33 = 11.11; 40 minutes = 22.22: summed exactly, rounded once.
        await add_entry(factory, owner, utc("2026-04-14T09:00"), minutes=20, project=project)
        await add_entry(factory, owner, utc("2026-04-14T10:00"), minutes=40, project=project)

        body = (await api.as_(owner).get(VALUE)).json()

        assert body["estimated_value_tracked"] == 33.33

    async def test_value_is_null_without_any_rate(
        self, api: Api, factory: Factory, owner: Member, at: Hold
    ) -> None:
        at(utc(NOW))
        project = await make_project(factory, owner.organization)
        await add_entry(factory, owner, utc("2026-04-14T09:00"), minutes=60, project=project)

        body = (await api.as_(owner).get(VALUE)).json()

        assert body["total_hours"] == 1.0
        assert body["estimated_value_tracked"] is None

    async def test_currency_is_the_organisations(
        self, api: Api, factory: Factory, owner: Member, at: Hold
    ) -> None:
        at(utc(NOW))
        owner.organization.currency = "USD"
        factory.session.add(owner.organization)
        await factory.session.commit()

        body = (await api.as_(owner).get(VALUE)).json()

        assert body["estimated_value_currency"] == "USD"

    async def test_hours_round_half_up_once(
        self, api: Api, factory: Factory, owner: Member, at: Hold
    ) -> None:
        at(utc(NOW))
        # 18 s = 0.005 h: two of them are 0.01 h; each alone rounds half up to 0.01.
        for minute in range(2):
            start = utc("2026-04-14T09:00") + timedelta(minutes=minute)
            entry = await add_entry(factory, owner, start, minutes=0)
            entry.end_at = start + timedelta(seconds=18)
            entry.duration_seconds = 18
        await factory.session.commit()

        body = (await api.as_(owner).get(VALUE)).json()

        assert body["total_hours"] == 0.01
        assert body["last_7_days"][5] == {"date": "2026-04-14", "hours": 0.01}
        assert body["avg_session_length"] == 0.01


class TestTimeZones:
    async def test_auckland_days_and_weekday(
        self, api: Api, factory: Factory, owner: Member, at: Hold
    ) -> None:
        # 22:00 on Wednesday 15 April in Auckland (NZST, +12).
        at(utc(NOW))
        await set_timezone(api, owner, "Pacific/Auckland")
        # Tuesday 13:00 UTC is already 01:00 on Wednesday in Auckland.
        await add_entry(factory, owner, utc("2026-04-14T13:00"), minutes=60)
        # Sunday 12 April 11:30 UTC is 23:30 that Sunday; the week starts Monday 13th
        # 00:00 local = Sunday 12:00 UTC.
        await add_entry(factory, owner, utc("2026-04-12T11:30"), minutes=30)

        body = (await api.as_(owner).get(VALUE)).json()

        assert body["most_productive_day"] == "Wednesday"
        assert body["this_week_hours"] == 1.0
        assert [day["date"] for day in body["last_7_days"]][-1] == "2026-04-15"
        assert {day["date"]: day["hours"] for day in body["last_7_days"]}["2026-04-15"] == 1.0
        assert {day["date"]: day["hours"] for day in body["last_7_days"]}["2026-04-12"] == 0.5
        assert body["active_days"] == 2

    async def test_los_angeles_days_and_weekday(
        self, api: Api, factory: Factory, owner: Member, at: Hold
    ) -> None:
        # 03:00 on Wednesday 15 April in Los Angeles (PDT, -7).
        at(utc(NOW))
        await set_timezone(api, owner, "America/Los_Angeles")
        # Wednesday 05:00 UTC is still 22:00 on Tuesday in Los Angeles.
        await add_entry(factory, owner, utc("2026-04-15T05:00"), minutes=120)

        body = (await api.as_(owner).get(VALUE)).json()

        assert body["most_productive_day"] == "Tuesday"
        assert body["last_7_days"][-1] == {"date": "2026-04-15", "hours": 0.0}
        assert body["last_7_days"][-2] == {"date": "2026-04-14", "hours": 2.0}
        assert body["this_week_hours"] == 2.0

    async def test_days_across_the_spring_forward(
        self, api: Api, factory: Factory, owner: Member, at: Hold
    ) -> None:
        zone = "America/Los_Angeles"
        # Tuesday 10 March 2026, 13:00 PDT; clocks went forward on Sunday 8 March.
        at(local("2026-03-10T13:00", zone))
        await set_timezone(api, owner, zone)
        await add_entry(factory, owner, local("2026-03-07T23:30", zone), minutes=30)
        await add_entry(factory, owner, local("2026-03-08T00:30", zone), minutes=60)
        await add_entry(factory, owner, local("2026-03-08T23:30", zone), minutes=15)
        await add_entry(factory, owner, local("2026-03-09T00:00", zone), minutes=45)

        body = (await api.as_(owner).get(VALUE)).json()

        assert body["last_7_days"] == [
            {"date": "2026-03-04", "hours": 0.0},
            {"date": "2026-03-05", "hours": 0.0},
            {"date": "2026-03-06", "hours": 0.0},
            {"date": "2026-03-07", "hours": 0.5},
            {"date": "2026-03-08", "hours": 1.25},
            {"date": "2026-03-09", "hours": 0.75},
            {"date": "2026-03-10", "hours": 0.0},
        ]
        assert body["active_days"] == 3
        assert body["most_productive_day"] == "Sunday"
        assert body["this_week_hours"] == 0.75


class TestQueries:
    async def test_statements_do_not_grow_with_the_data(
        self, api: Api, factory: Factory, owner: Member, at: Hold, queries: QueryCounter
    ) -> None:
        at(utc(NOW))
        await add_entry(factory, owner, utc("2026-04-14T09:00"))
        with queries:
            await api.as_(owner).get(VALUE)
        one = queries.count
        for number in range(30):
            project = await make_project(
                factory, owner.organization, name=f"P{number}", hourly_rate_cents=100 * number
            )
            start = utc("2026-01-01T09:00") + timedelta(days=3 * number, hours=number % 5)
            await add_entry(factory, owner, start, project=project)

        with queries:
            body = (await api.as_(owner).get(VALUE)).json()

        assert body["entries_count"] == 31
        assert queries.count == one, queries.statements
