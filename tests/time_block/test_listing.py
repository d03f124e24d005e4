"""Listing time blocks: the range, filters, visibility, and `meta` computed in SQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from clocktower.kit.time import utcnow
from clocktower.models import Client, Project, TimeEntry, TimeEntrySyncState
from tests.conftest import QueryCounter
from tests.support import Api, Factory, Member
from tests.time_block.conftest import AMSTERDAM, BLOCKS, colleague
from tests.time_entry.conftest import add_entry, create_entry, make_project, make_task

WEEK = {"start": "2024-01-08", "end": "2024-01-14"}


def at(text: str) -> datetime:
    """A UTC instant from `2024-01-08T09:00`."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def listing(api: Api, who: Member, **params: Any) -> dict[str, Any]:
    response = await api.as_(who).get(BLOCKS, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ids(body: dict[str, Any]) -> list[int]:
    return [block["id"] for block in body["data"]]


class TestRange:
    async def test_start_and_end_are_required(self, api: Api, john: Member) -> None:
        for params in ({"end": "2024-01-14"}, {"start": "2024-01-08"}, {}):
            response = await api.as_(john).get(BLOCKS, params=params)

            assert response.status_code == 400, params
            body = response.json()
            assert body["error_code"] == "validation_error"
            assert set(body["errors"]) == {"start", "end"} - set(params)

    async def test_bad_dates_are_refused(self, api: Api, john: Member) -> None:
        for params in (
            {"start": "next week", "end": "2024-01-14"},
            {"start": "2024-01-08", "end": "2024-02-30"},
            {"start": "2024-01-08", "end": " "},
            {"start": "0001-01-01", "end": "0001-01-02"},
        ):
            response = await api.as_(john).get(BLOCKS, params=params)

            assert response.status_code == 400, params
            assert response.json()["error_code"] == "validation_error"

    async def test_end_before_start_is_refused(self, api: Api, john: Member) -> None:
        response = await api.as_(john).get(
            BLOCKS, params={"start": "2024-01-08", "end": "2024-01-07"}
        )

        assert response.status_code == 400
        assert response.json()["errors"] == {"end": ["end must not be before start"]}

    async def test_range_is_at_most_366_days(self, api: Api, john: Member) -> None:
        leap_year = await api.as_(john).get(
            BLOCKS, params={"start": "2024-01-01", "end": "2024-12-31"}
        )
        too_long = await api.as_(john).get(
            BLOCKS, params={"start": "2024-01-01", "end": "2025-01-01"}
        )

        assert leap_year.status_code == 200
        centuries = await api.as_(john).get(
            BLOCKS, params={"start": "1900-01-01", "end": "2999-12-31"}
        )

        assert too_long.status_code == 400
        assert "366" in too_long.json()["errors"]["end"][0]
        assert centuries.status_code == 400

    async def test_one_day_and_exact_instants(
        self, api: Api, factory: Factory, john: Member
    ) -> None:
        # 09:00-12:00 in Amsterdam.
        entry = await add_entry(factory, john, at("2024-01-08T08:00"), minutes=180)

        day = await listing(api, john, start="2024-01-08", end="2024-01-08")
        hour = await listing(
            api, john, start="2024-01-08T10:00:00", end="2024-01-08T11:00:00+01:00"
        )
        utc = await listing(api, john, start="2024-01-08T10:00:00Z", end="2024-01-08T23:00:00Z")
        before = await listing(api, john, start="2024-01-07", end="2024-01-08T09:00:00")

        assert ids(day) == [entry.id]
        assert day["meta"]["total_hours"] == 3.0
        # Only the time inside the range counts; the block itself shows whole.
        assert ids(hour) == [entry.id]
        assert hour["data"][0]["start_time"] == "2024-01-08T09:00:00+01:00"
        assert hour["meta"] == {
            "total_hours": 1.0,
            "billable_hours": 1.0,
            "by_day": {"2024-01-08": 1.0},
        }
        assert utc["meta"]["total_hours"] == 1.0
        # An instant as the end is inclusive, but the entry has no time before it.
        assert ids(before) == [entry.id]
        assert before["meta"] == {"total_hours": 0.0, "billable_hours": 0.0, "by_day": {}}


class TestBlocks:
    async def test_every_entry_of_the_range_is_a_block(
        self, api: Api, factory: Factory, john: Member, redesign: Project
    ) -> None:
        task = await make_task(factory, redesign, name="Homepage")
        made = await create_entry(
            api,
            john,
            start_time="2024-01-09T09:00:00Z",
            end_time="2024-01-09T10:30:00Z",
            task_id=task.id,
            billable=False,
        )
        earlier = await add_entry(factory, john, at("2024-01-08T08:00"), notes="Call\nwith Bob")
        # Started on Sunday evening, ends on Monday: it overlaps the week.
        overnight = await add_entry(factory, john, at("2024-01-07T22:00"), minutes=240)
        await add_entry(factory, john, at("2024-01-15T08:00"))  # next week
        await add_entry(factory, john, at("2024-01-06T08:00"))  # last week

        body = await listing(api, john, **WEEK)

        assert ids(body) == [overnight.id, earlier.id, made["id"]]
        block = body["data"][2]
        assert block["title"] == "Homepage"  # no title: the task's name
        assert block["start_time"] == "2024-01-09T10:00:00+01:00"
        assert block["timezone"] == AMSTERDAM  # no zone of its own: the reader's
        assert block["color"] == "#4285F4"  # no colour of its own: the project's
        assert block["is_billable"] is False
        assert block["project"] == {"id": redesign.id, "name": "Website Redesign"}
        assert block["client"]["name"] == "Acme Corp"
        assert block["calendar_sync_status"] is None  # never offered to a calendar
        assert block["external_ids"] == {"calendar_event_id": None, "invoicing_entry_id": None}
        assert body["data"][1]["title"] == "Call"  # the notes' first line
        assert body["data"][0]["title"] == "Untitled"
        # Sunday 23:00 to Monday 03:00 in Amsterdam: three hours are in the week.
        assert body["meta"] == {
            "total_hours": 5.5,
            "billable_hours": 4.0,
            "by_day": {"2024-01-08": 4.0, "2024-01-09": 1.5},
        }

    async def test_sync_states_and_external_ids(
        self, api: Api, factory: Factory, john: Member
    ) -> None:
        entry = await add_entry(factory, john, at("2024-01-08T08:00"), title="Standup")
        for target, external_id in (("calendar", "abc123"), ("invoicing", "456789")):
            factory.session.add(
                TimeEntrySyncState(
                    organization_id=john.organization.id,
                    time_entry_id=entry.id,
                    target=target,
                    status="synced",
                    external_id=external_id,
                    synced_at=utcnow(),
                    updated_at=utcnow(),
                )
            )
        await factory.session.commit()

        [block] = (await listing(api, john, **WEEK))["data"]

        assert block["title"] == "Standup"
        assert block["calendar_sync_status"] == "synced"
        assert block["invoicing_sync_status"] == "synced"
        assert block["external_ids"] == {
            "calendar_event_id": "abc123",
            "invoicing_entry_id": "456789",
        }

    async def test_a_block_shows_in_its_own_zone(
        self, api: Api, factory: Factory, john: Member
    ) -> None:
        await add_entry(factory, john, at("2024-01-08T14:00"), timezone="America/New_York")
        await add_entry(factory, john, at("2024-01-08T16:00"), timezone="UTC")

        body = await listing(api, john, **WEEK)

        new_york, utc = body["data"]
        assert new_york["start_time"] == "2024-01-08T09:00:00-05:00"
        assert new_york["timezone"] == "America/New_York"
        assert utc["end_time"] == "2024-01-08T17:00:00+00:00"
        # by_day stays in the reader's zone.
        assert body["meta"]["by_day"] == {"2024-01-08": 2.0}

    async def test_running_timer_shows_open_and_counts_up_to_now(
        self, api: Api, factory: Factory, john: Member
    ) -> None:
        started = utcnow() - timedelta(hours=2)
        timer = await add_entry(factory, john, started, minutes=None)
        today = started.astimezone(UTC).date()
        params = {
            "start": (today - timedelta(days=1)).isoformat(),
            "end": (today + timedelta(days=1)).isoformat(),
        }

        body = await listing(api, john, **params)

        [block] = body["data"]
        assert block["id"] == timer.id
        assert block["end_time"] is None
        assert 2.0 <= body["meta"]["total_hours"] <= 2.01
        # Two days if it crossed midnight, each rounded on its own.
        assert abs(sum(body["meta"]["by_day"].values()) - body["meta"]["total_hours"]) <= 0.01
        # It has no time yet in a range after now.
        later = {
            "start": (today + timedelta(days=3)).isoformat(),
            "end": (today + timedelta(days=9)).isoformat(),
        }
        assert (await listing(api, john, **later))["data"] == []

    async def test_a_timer_stopped_after_more_than_a_week_shows_to_its_end(
        self, api: Api, john: Member
    ) -> None:
        # Typed time is at most 7 days long, but a stopped timer records what happened:
        # a range may not look back only a week for the blocks that overlap it.
        started = (utcnow() - timedelta(days=10)).replace(microsecond=0)
        timer = await api.as_(john).post(
            "/api/v1/time-entries", json={"start_time": started.isoformat()}
        )
        assert timer.status_code == 201, timer.text
        stopped = await api.as_(john).post("/api/v1/timer/stop", json={})
        assert stopped.status_code == 200, stopped.text
        assert stopped.json()["timer"]["duration_seconds"] > 9 * 24 * 3600
        day = (started + timedelta(days=8)).astimezone(UTC).date().isoformat()

        body = await listing(api, john, start=day, end=day)

        assert ids(body) == [timer.json()["time_entry"]["id"]]
        assert body["meta"]["total_hours"] == 24.0

    async def test_filters(
        self, api: Api, factory: Factory, john: Member, acme: Client, redesign: Project
    ) -> None:
        admin = await colleague(factory, john, "admin", name="Ada Admin")
        other_project = await make_project(factory, john.organization, name="Internal")
        ours = await add_entry(factory, john, at("2024-01-08T08:00"), project=redesign)
        internal = await add_entry(factory, john, at("2024-01-09T08:00"), project=other_project)
        theirs = await add_entry(factory, admin, at("2024-01-10T08:00"))

        everyone = await listing(api, admin, **WEEK)
        by_user = await listing(api, admin, **WEEK, user_id=john.id)
        by_client = await listing(api, admin, **WEEK, client_id=acme.id)
        by_project = await listing(api, admin, **WEEK, project_id=other_project.id)
        by_calendar = await listing(api, admin, **WEEK, calendar_id=1)

        assert ids(everyone) == [ours.id, internal.id, theirs.id]
        assert everyone["meta"]["total_hours"] == 3.0
        assert ids(by_user) == [ours.id, internal.id]
        assert by_user["meta"]["total_hours"] == 2.0
        assert ids(by_client) == [ours.id]
        assert by_client["meta"]["by_day"] == {"2024-01-08": 1.0}
        assert ids(by_project) == [internal.id]
        assert by_calendar == {
            "data": [],
            "meta": {"total_hours": 0.0, "billable_hours": 0.0, "by_day": {}},
        }

    async def test_too_many_blocks_is_refused(
        self, api: Api, factory: Factory, john: Member
    ) -> None:
        start = at("2024-01-01T00:00")
        rows = [
            {
                "organization_id": john.organization.id,
                "user_id": john.id,
                "start_at": start + timedelta(minutes=5 * index),
                "end_at": start + timedelta(minutes=5 * index + 1),
                "duration_seconds": 60,
            }
            for index in range(5001)
        ]
        await factory.session.execute(insert(TimeEntry), rows)
        await factory.session.commit()

        response = await api.as_(john).get(
            BLOCKS, params={"start": "2024-01-01", "end": "2024-01-31"}
        )
        narrower = await api.as_(john).get(
            BLOCKS, params={"start": "2024-01-01", "end": "2024-01-10"}
        )

        assert response.status_code == 400
        assert response.json()["error_code"] == "too_many_time_blocks"
        assert narrower.status_code == 200


class TestVisibility:
    async def test_members_see_their_own_blocks(
        self, api: Api, factory: Factory, john: Member
    ) -> None:
        member = await colleague(factory, john, "member")
        mine = await add_entry(factory, member, at("2024-01-08T08:00"))
        await add_entry(factory, john, at("2024-01-08T10:00"))

        body = await listing(api, member, **WEEK)
        others = await api.as_(member).get(BLOCKS, params={**WEEK, "user_id": john.id})

        assert ids(body) == [mine.id]
        assert body["meta"]["total_hours"] == 1.0
        assert others.status_code == 403
        assert others.json()["required_permission"] == "time_entry.fetch.other"

    async def test_customers_see_only_their_clients_blocks(
        self, api: Api, factory: Factory, john: Member, acme: Client, redesign: Project
    ) -> None:
        other_client = await factory.client(john.organization, name="Globex")
        globex = await make_project(
            factory, john.organization, name="Globex site", client_id=other_client.id
        )
        visible = await add_entry(factory, john, at("2024-01-08T08:00"), project=redesign)
        await add_entry(factory, john, at("2024-01-08T10:00"), project=globex)
        await add_entry(factory, john, at("2024-01-08T12:00"))
        customer = await colleague(factory, john, "customer", client_id=acme.id)

        body = await listing(api, customer, **WEEK)

        assert ids(body) == [visible.id]
        assert body["meta"]["total_hours"] == 1.0

    async def test_other_organisations_blocks_are_never_listed(
        self, api: Api, factory: Factory, john: Member, other_owner: Member
    ) -> None:
        await add_entry(factory, other_owner, at("2024-01-08T08:00"))

        body = await listing(api, john, **WEEK, user_id=other_owner.id)
        everything = await listing(api, john, **WEEK)

        assert body["data"] == everything["data"] == []
        assert everything["meta"]["total_hours"] == 0.0

    async def test_list_needs_fetch_many(self, api: Api, factory: Factory, john: Member) -> None:
        from tests.support import api_token

        token = await api_token(factory, john, ["read:projects"])

        response = await api.as_(token).get(BLOCKS, params=WEEK)

        assert response.status_code == 403
        assert response.json()["required_scope"] == "read:time_entries"


class TestQueryCount:
    async def test_list_is_a_fixed_number_of_statements(
        self,
        api: Api,
        factory: Factory,
        john: Member,
        redesign: Project,
        queries: QueryCounter,
    ) -> None:
        await add_entry(factory, john, at("2024-01-08T08:00"), project=redesign)
        with queries:
            await listing(api, john, **WEEK)
        one = queries.count

        task = await make_task(factory, redesign)
        for day in range(2, 7):
            entry = await add_entry(
                factory, john, at(f"2024-01-{8 + day % 5:02d}T{8 + day}:00"), task=task
            )
            factory.session.add(
                TimeEntrySyncState(
                    organization_id=john.organization.id,
                    time_entry_id=entry.id,
                    target="calendar",
                    status="synced",
                    updated_at=utcnow(),
                )
            )
        await factory.session.commit()
        with queries:
            body = await listing(api, john, **WEEK)

        assert len(body["data"]) == 6
        assert len(body["meta"]["by_day"]) == 5
        assert queries.count == one, (one, queries.statements)


class TestMetaByDay:
    """by_day is in the reader's zone; entries crossing midnight or a DST change split."""

    async def test_entry_crossing_midnight_splits_between_days(
        self, api: Api, factory: Factory, john: Member
    ) -> None:
        # 22:00 to 02:00 in Amsterdam (UTC+1), half of it not billable.
        await add_entry(factory, john, at("2024-01-08T21:00"), minutes=240)
        await add_entry(factory, john, at("2024-01-09T22:30"), minutes=60, billable=False)

        body = await listing(api, john, **WEEK)

        assert body["meta"] == {
            "total_hours": 5.0,
            "billable_hours": 4.0,
            "by_day": {"2024-01-08": 2.0, "2024-01-09": 2.5, "2024-01-10": 0.5},
        }

    async def test_the_readers_zone_decides_the_day(
        self, api: Api, factory: Factory, john: Member
    ) -> None:
        utc_reader = await colleague(factory, john, "admin", timezone="UTC")
        await add_entry(factory, john, at("2024-01-08T21:00"), minutes=240)

        amsterdam = await listing(api, john, **WEEK)
        utc = await listing(api, utc_reader, **WEEK)

        assert amsterdam["meta"]["by_day"] == {"2024-01-08": 2.0, "2024-01-09": 2.0}
        assert utc["meta"]["by_day"] == {"2024-01-08": 3.0, "2024-01-09": 1.0}

    async def test_spring_forward_day_has_23_hours(
        self, api: Api, factory: Factory, john: Member
    ) -> None:
        # 2024-03-31: clocks go from 02:00 to 03:00 in Amsterdam.
        # Saturday 23:00 (+01:00) to Sunday 04:00 (+02:00) is four hours, not five.
        await add_entry(factory, john, at("2024-03-30T22:00"), minutes=240)
        # All of Sunday 31 March: 23 hours.
        await add_entry(factory, john, at("2024-03-30T23:00"), minutes=23 * 60)

        body = await listing(api, john, start="2024-03-30", end="2024-04-01")

        assert body["meta"]["by_day"] == {"2024-03-30": 1.0, "2024-03-31": 26.0}
        assert body["meta"]["total_hours"] == 27.0

    async def test_fall_back_day_has_25_hours(
        self, api: Api, factory: Factory, john: Member
    ) -> None:
        # 2024-10-27: clocks go from 03:00 back to 02:00; the day is 25 hours long.
        await add_entry(factory, john, at("2024-10-26T22:00"), minutes=25 * 60)
        # Sunday 23:00 (+01:00) to Monday 01:00.
        await add_entry(factory, john, at("2024-10-27T22:00"), minutes=120)

        body = await listing(api, john, start="2024-10-26", end="2024-10-28")

        assert body["meta"]["by_day"] == {"2024-10-27": 26.0, "2024-10-28": 1.0}
        [whole_day, _] = body["data"]
        assert whole_day["start_time"] == "2024-10-27T00:00:00+02:00"
        assert whole_day["end_time"] == "2024-10-28T00:00:00+01:00"

    async def test_hours_are_rounded_to_two_decimals(
        self, api: Api, factory: Factory, john: Member
    ) -> None:
        # 20 minutes = 0.333... h; three of them on one day are exactly one hour.
        for hour in (8, 10, 12):
            await add_entry(factory, john, at(f"2024-01-08T{hour:02d}:00"), minutes=20)
        await add_entry(factory, john, at("2024-01-09T08:00"), minutes=20)

        body = await listing(api, john, **WEEK)

        assert body["meta"] == {
            "total_hours": 1.33,
            "billable_hours": 1.33,
            "by_day": {"2024-01-08": 1.0, "2024-01-09": 0.33},
        }
