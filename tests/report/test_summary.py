"""GET /reports/summary: seed 002's answer, its period and defaults, every filter and
grouping, time zones and DST, and what counts (running timers never, focus work once)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from clocktower.models import TimeEntry
from tests.focus_session.conftest import create_session
from tests.report.conftest import JANUARY, Ledger, summary_of, summary_response
from tests.support import Api, Factory, Member
from tests.time_entry.conftest import add_entry, set_timezone, utc


def hours_of(rows: list[dict[str, object]], key: str) -> dict[object, object]:
    return {row[key]: row["hours"] for row in rows}


class TestSeedAnswer:
    async def test_totals_and_by_project_as_seed_002_shows_them(
        self, api: Api, owner: Member, ledger: Ledger
    ) -> None:
        summary = await summary_of(api, owner, **JANUARY)

        assert summary == {
            "start_date": "2024-01-01T00:00:00Z",
            "end_date": "2024-01-31T23:59:59Z",
            # 1 h + 2 h + 0.5 h + 0.75 h; the running timer and February are not counted.
            "total_hours": 4.25,
            "billable_hours": 2.25,
            "total_entries": 4,
            "by_project": [
                {
                    "project_id": ledger.app.id,
                    "project_name": "App",
                    "hours": 2.0,
                    "billable_hours": 0.0,
                    "entries": 1,
                },
                {
                    "project_id": ledger.website.id,
                    "project_name": "Website",
                    "hours": 1.5,
                    "billable_hours": 1.5,
                    "entries": 2,
                },
                {
                    "project_id": None,
                    "project_name": None,
                    "hours": 0.75,
                    "billable_hours": 0.75,
                    "entries": 1,
                },
            ],
        }

    async def test_no_entries_is_zeros_and_an_empty_list(self, api: Api, owner: Member) -> None:
        summary = await summary_of(api, owner, **JANUARY)

        assert summary["total_hours"] == summary["billable_hours"] == 0
        assert summary["total_entries"] == 0
        assert summary["by_project"] == []

    async def test_hours_round_half_up_to_two_decimals(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        # 18 seconds are 0.005 hours: half up gives 0.01 (banker's rounding would give 0).
        await factory.session.execute(
            insert(TimeEntry),
            [
                {
                    "organization_id": owner.organization.id,
                    "user_id": owner.id,
                    "start_at": utc("2024-01-11T09:00"),
                    "end_at": utc("2024-01-11T09:00") + timedelta(seconds=18),
                    "duration_seconds": 18,
                }
            ],
        )
        await factory.session.commit()

        summary = await summary_of(api, owner, **JANUARY)

        assert summary["total_hours"] == 0.01
        assert summary["total_entries"] == 1

    async def test_running_timers_are_never_counted(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        await add_entry(factory, owner, utc("2024-01-10T09:00"), minutes=None)

        summary = await summary_of(api, owner, **JANUARY, include_active="true")

        assert summary["total_entries"] == 0

    async def test_focus_work_counts_once_and_breaks_never(self, api: Api, owner: Member) -> None:
        await create_session(api, owner, start="2024-01-15T09:00:00Z", duration=1800)
        await create_session(api, owner, type="break", start="2024-01-15T09:30:00Z", duration=300)
        await create_session(
            api, owner, type="long-break", start="2024-01-15T09:35:00Z", duration=900
        )

        summary = await summary_of(api, owner, **JANUARY, group_by="day")

        assert summary["total_hours"] == 0.5
        assert summary["total_entries"] == 1
        assert hours_of(summary["by_day"], "period")["2024-01-15"] == 0.5


class TestPeriod:
    async def test_days_are_the_callers_local_days(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        await set_timezone(api, owner, "Europe/Amsterdam")
        # 31 Dec 23:30 UTC is 1 Jan 00:30 in Amsterdam; 31 Jan 23:30 UTC is 1 Feb there.
        await add_entry(factory, owner, utc("2023-12-31T23:30"))
        await add_entry(factory, owner, utc("2024-01-31T23:30"))

        summary = await summary_of(api, owner, **JANUARY)

        assert summary["start_date"] == "2023-12-31T23:00:00Z"
        assert summary["end_date"] == "2024-01-31T22:59:59Z"
        assert summary["total_entries"] == 1

    async def test_instants_are_exact_and_the_end_instant_is_included(
        self, api: Api, owner: Member, ledger: Ledger
    ) -> None:
        summary = await summary_of(
            api, owner, start_date="2024-01-15T09:00:00Z", end_date="2024-01-17T08:00:00Z"
        )

        assert summary["start_date"] == "2024-01-15T09:00:00Z"
        assert summary["end_date"] == "2024-01-17T08:00:00Z"
        assert summary["total_entries"] == 3

    async def test_naive_instants_are_wall_clock_times_of_the_callers_zone(
        self, api: Api, owner: Member, ledger: Ledger
    ) -> None:
        await set_timezone(api, owner, "America/New_York")

        summary = await summary_of(
            api, owner, start_date="2024-01-15T04:00:00", end_date="2024-01-15T04:30:00"
        )

        # 04:00 in New York (EST) is 09:00 UTC: the 15 Jan entry starts then.
        assert summary["start_date"] == "2024-01-15T09:00:00Z"
        assert summary["total_entries"] == 1

    async def test_without_dates_the_current_local_month(self, api: Api, owner: Member) -> None:
        await set_timezone(api, owner, "Pacific/Auckland")
        zone = ZoneInfo("Pacific/Auckland")
        first = datetime.now(zone).date().replace(day=1)

        summary = await summary_of(api, owner)

        expected = datetime(first.year, first.month, 1, tzinfo=zone).astimezone(UTC)
        assert summary["start_date"] == expected.isoformat().replace("+00:00", "Z")
        following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        last = datetime(following.year, following.month, 1, tzinfo=zone).astimezone(UTC)
        shown = (last - timedelta(seconds=1)).isoformat().replace("+00:00", "Z")
        assert summary["end_date"] == shown

    async def test_a_start_alone_runs_to_the_end_of_its_month(
        self, api: Api, owner: Member
    ) -> None:
        summary = await summary_of(api, owner, start_date="2024-02-10")

        assert summary["start_date"] == "2024-02-10T00:00:00Z"
        assert summary["end_date"] == "2024-02-29T23:59:59Z"

    async def test_an_end_alone_starts_on_the_first_of_its_month(
        self, api: Api, owner: Member
    ) -> None:
        summary = await summary_of(api, owner, end_date="2024-03-10T12:00:00Z")

        assert summary["start_date"] == "2024-03-01T00:00:00Z"
        assert summary["end_date"] == "2024-03-10T12:00:00Z"

    async def test_end_before_start_is_a_validation_error(self, api: Api, owner: Member) -> None:
        response = await summary_response(
            api, owner, start_date="2024-02-01", end_date="2024-01-31"
        )

        assert response.status_code == 400
        assert response.json()["error_code"] == "validation_error"
        assert "end_date" in response.json()["errors"]

    async def test_unreadable_dates_are_validation_errors(self, api: Api, owner: Member) -> None:
        for name, value in (
            ("start_date", "yesterday"),
            ("end_date", "2024-13-01"),
            ("start_date", "0999-01-01"),
            ("end_date", "x" * 41),
        ):
            response = await summary_response(api, owner, **{name: value})

            assert response.status_code == 400, (name, value)
            assert response.json()["error_code"] == "validation_error"
            assert name in response.json()["errors"], response.json()


class TestFilters:
    async def test_project(self, api: Api, owner: Member, ledger: Ledger) -> None:
        summary = await summary_of(api, owner, **JANUARY, project_id=ledger.website.id)

        assert summary["total_hours"] == 1.5
        assert hours_of(summary["by_project"], "project_id") == {ledger.website.id: 1.5}

    async def test_client(self, api: Api, owner: Member, ledger: Ledger) -> None:
        summary = await summary_of(api, owner, **JANUARY, client_id=ledger.globex.id)

        assert (summary["total_hours"], summary["total_entries"]) == (2.0, 1)

    async def test_task(self, api: Api, owner: Member, ledger: Ledger) -> None:
        summary = await summary_of(api, owner, **JANUARY, task_id=ledger.homepage.id)

        assert (summary["total_hours"], summary["total_entries"]) == (1.0, 1)

    async def test_user(self, api: Api, owner: Member, member: Member, ledger: Ledger) -> None:
        summary = await summary_of(api, owner, **JANUARY, user_id=member.id)

        assert (summary["total_hours"], summary["total_entries"]) == (3.0, 2)

    async def test_billable(self, api: Api, owner: Member, ledger: Ledger) -> None:
        billable = await summary_of(api, owner, **JANUARY, billable="true")
        not_billable = await summary_of(api, owner, **JANUARY, billable="false")

        assert (billable["total_hours"], billable["billable_hours"]) == (2.25, 2.25)
        assert (not_billable["total_hours"], not_billable["billable_hours"]) == (2.0, 0.0)

    async def test_filters_combine(
        self, api: Api, owner: Member, member: Member, ledger: Ledger
    ) -> None:
        summary = await summary_of(
            api, owner, **JANUARY, user_id=owner.id, client_id=ledger.acme.id, billable="true"
        )

        assert (summary["total_hours"], summary["total_entries"]) == (0.5, 1)

    async def test_bad_ids_and_flags_are_validation_errors(self, api: Api, owner: Member) -> None:
        for name, value in (
            ("project_id", "0"),
            ("user_id", "abc"),
            ("client_id", str(2**63)),
            ("task_id", "-1"),
            ("billable", "maybe"),
        ):
            response = await summary_response(api, owner, **{name: value})

            assert response.status_code == 400, (name, value)
            assert response.json()["error_code"] == "validation_error"


class TestGroupBy:
    async def test_by_client_user_and_task(
        self, api: Api, owner: Member, member: Member, ledger: Ledger
    ) -> None:
        summary = await summary_of(api, owner, **JANUARY, group_by="task,user,client")

        assert summary["by_client"] == [
            {
                "client_id": ledger.globex.id,
                "client_name": "Globex",
                "hours": 2.0,
                "billable_hours": 0.0,
                "entries": 1,
            },
            {
                "client_id": ledger.acme.id,
                "client_name": "Acme Corp",
                "hours": 1.5,
                "billable_hours": 1.5,
                "entries": 2,
            },
            {
                "client_id": None,
                "client_name": None,
                "hours": 0.75,
                "billable_hours": 0.75,
                "entries": 1,
            },
        ]
        assert summary["by_user"] == [
            {
                "user_id": member.id,
                "user_name": "Max Member",
                "hours": 3.0,
                "billable_hours": 1.0,
                "entries": 2,
            },
            {
                "user_id": owner.id,
                "user_name": owner.user.name,
                "hours": 1.25,
                "billable_hours": 1.25,
                "entries": 2,
            },
        ]
        assert [(t["task_id"], t["task_name"], t["project_id"]) for t in summary["by_task"]] == [
            (ledger.api_task.id, "API", ledger.app.id),
            (None, None, None),
            (ledger.homepage.id, "Homepage", ledger.website.id),
        ]
        assert [t["hours"] for t in summary["by_task"]] == [2.0, 1.25, 1.0]
        assert "by_day" not in summary

    async def test_without_group_by_only_by_project(
        self, api: Api, owner: Member, ledger: Ledger
    ) -> None:
        summary = await summary_of(api, owner, **JANUARY, group_by="")

        assert {key for key in summary if key.startswith("by_")} == {"by_project"}

    async def test_by_day_is_dense(self, api: Api, owner: Member, ledger: Ledger) -> None:
        summary = await summary_of(
            api, owner, start_date="2024-01-14", end_date="2024-01-21", group_by="day"
        )

        assert summary["by_day"][0] == {
            "period": "2024-01-14",
            "hours": 0.0,
            "billable_hours": 0.0,
            "entries": 0,
        }
        assert [(d["period"], d["hours"]) for d in summary["by_day"]] == [
            ("2024-01-14", 0.0),
            ("2024-01-15", 1.0),
            ("2024-01-16", 2.0),
            ("2024-01-17", 0.5),
            ("2024-01-18", 0.0),
            ("2024-01-19", 0.0),
            ("2024-01-20", 0.75),
            ("2024-01-21", 0.0),
        ]

    async def test_by_week_is_iso_weeks_from_monday(
        self, api: Api, owner: Member, ledger: Ledger
    ) -> None:
        summary = await summary_of(api, owner, **JANUARY, group_by="week")

        # 1 Jan 2024 is a Monday; the week of 29 Jan reaches into February but only
        # January's entries are in the period.
        assert [(w["period"], w["hours"], w["entries"]) for w in summary["by_week"]] == [
            ("2024-01-01", 0.0, 0),
            ("2024-01-08", 0.0, 0),
            ("2024-01-15", 4.25, 4),
            ("2024-01-22", 0.0, 0),
            ("2024-01-29", 0.0, 0),
        ]

    async def test_by_month(self, api: Api, owner: Member, ledger: Ledger) -> None:
        summary = await summary_of(
            api, owner, start_date="2023-12-15", end_date="2024-02-29", group_by="month"
        )

        assert [(m["period"], m["hours"]) for m in summary["by_month"]] == [
            ("2023-12-01", 0.0),
            ("2024-01-01", 4.25),
            ("2024-02-01", 1.5),
        ]
        assert summary["total_hours"] == 5.75

    async def test_names_are_case_insensitive_trimmed_and_deduplicated(
        self, api: Api, owner: Member, ledger: Ledger
    ) -> None:
        summary = await summary_of(api, owner, **JANUARY, group_by=" Month, month ,USER,")

        assert len(summary["by_month"]) == 1
        assert len(summary["by_user"]) == 2

    async def test_unknown_grouping_is_a_validation_error(self, api: Api, owner: Member) -> None:
        response = await summary_response(api, owner, group_by="day,project,year")

        assert response.status_code == 400
        assert response.json()["error_code"] == "validation_error"
        assert "project, year" in response.json()["errors"]["group_by"][0]

    async def test_dense_lists_are_bounded(self, api: Api, owner: Member) -> None:
        too_many_days = await summary_response(
            api, owner, start_date="2024-01-01", end_date="2025-01-01", group_by="day"
        )
        a_leap_year = await summary_response(
            api, owner, start_date="2024-01-01", end_date="2024-12-31", group_by="day"
        )
        centuries = await summary_response(
            api, owner, start_date="1900-01-01", end_date="2999-12-31", group_by="week"
        )
        without_grouping = await summary_response(
            api, owner, start_date="1900-01-01", end_date="2999-12-31"
        )

        assert too_many_days.status_code == 400
        assert too_many_days.json()["errors"]["group_by"]
        assert a_leap_year.status_code == 200
        assert len(a_leap_year.json()["summary"]["by_day"]) == 366
        assert centuries.status_code == 400
        assert without_grouping.status_code == 200


class TestTimeZones:
    async def test_an_entry_counts_whole_on_its_local_start_day(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        await set_timezone(api, owner, "America/New_York")
        # 15 Jan 22:00 to 16 Jan 02:00 in New York: four hours, all on the 15th.
        await add_entry(factory, owner, utc("2024-01-16T03:00"), minutes=240)
        # 16 Jan 04:59 UTC is 23:59 on the 15th in New York.
        await add_entry(factory, owner, utc("2024-01-16T04:59"), minutes=60)

        summary = await summary_of(
            api, owner, start_date="2024-01-15", end_date="2024-01-16", group_by="day"
        )

        assert hours_of(summary["by_day"], "period") == {"2024-01-15": 5.0, "2024-01-16": 0.0}

    async def test_by_day_across_the_spring_dst_change(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        await set_timezone(api, owner, "Europe/Amsterdam")
        # 31 Mar 2024 has 23 hours in Amsterdam: it runs 30 Mar 23:00 to 31 Mar 22:00 UTC.
        await add_entry(factory, owner, utc("2024-03-30T22:30"), minutes=30)  # 30th 23:30
        await add_entry(factory, owner, utc("2024-03-30T23:00"), minutes=60)  # 31st 00:00
        await add_entry(factory, owner, utc("2024-03-31T21:30"), minutes=15)  # 31st 23:30
        await add_entry(factory, owner, utc("2024-03-31T22:00"), minutes=45)  # 1 Apr 00:00

        summary = await summary_of(
            api, owner, start_date="2024-03-30", end_date="2024-04-01", group_by="day,week"
        )

        assert hours_of(summary["by_day"], "period") == {
            "2024-03-30": 0.5,
            "2024-03-31": 1.25,
            "2024-04-01": 0.75,
        }
        # Sunday 31 March closes the week of Monday 25 March.
        assert hours_of(summary["by_week"], "period") == {"2024-03-25": 1.75, "2024-04-01": 0.75}
        assert summary["end_date"] == "2024-04-01T21:59:59Z"

    async def test_by_day_across_the_autumn_dst_change(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        await set_timezone(api, owner, "America/New_York")
        # 3 Nov 2024 has 25 hours in New York: it runs 3 Nov 04:00 to 4 Nov 05:00 UTC.
        await add_entry(factory, owner, utc("2024-11-03T04:00"), minutes=60)  # 3rd 00:00
        await add_entry(factory, owner, utc("2024-11-04T04:30"), minutes=30)  # 3rd 23:30
        await add_entry(factory, owner, utc("2024-11-04T05:00"), minutes=90)  # 4th 00:00

        summary = await summary_of(
            api, owner, start_date="2024-11-03", end_date="2024-11-04", group_by="day"
        )

        assert hours_of(summary["by_day"], "period") == {"2024-11-03": 1.5, "2024-11-04": 1.5}

    async def test_the_same_entries_in_two_zones(
        self, api: Api, factory: Factory, owner: Member, admin: Member
    ) -> None:
        await set_timezone(api, owner, "Asia/Kolkata")
        await set_timezone(api, admin, "America/Los_Angeles")
        await add_entry(factory, owner, utc("2024-01-15T20:00"), minutes=60)

        in_kolkata = await summary_of(api, owner, **JANUARY, group_by="day")
        in_los_angeles = await summary_of(api, admin, **JANUARY, group_by="day")

        assert hours_of(in_kolkata["by_day"], "period")["2024-01-16"] == 1.0
        assert hours_of(in_los_angeles["by_day"], "period")["2024-01-15"] == 1.0
