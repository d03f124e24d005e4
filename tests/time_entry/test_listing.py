"""GET /time-entries: every filter of seeds 002 and 000, pagination, enrich, query counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from clocktower.models import Client, Project, Task, TimeEntry
from tests.conftest import QueryCounter
from tests.support import Api, Factory, Member
from tests.time_entry.conftest import (
    ENTRIES,
    add_entry,
    make_project,
    make_task,
    set_timezone,
    utc,
)


@dataclass
class Ledger:
    acme: Client
    globex: Client
    website: Project
    app: Project
    homepage: Task
    frontend: TimeEntry
    backend: TimeEntry
    owners: TimeEntry
    running: TimeEntry


@pytest.fixture
async def ledger(factory: Factory, owner: Member, member: Member) -> Ledger:
    """Three stopped entries and a running timer in one organisation:

    - member, 15 Jan 09:00-10:00, Website (Acme) / Homepage, billable, "development,frontend"
    - member, 16 Jan 13:00-15:00, App (Globex), not billable, paid, imported, "backend"
    - owner, 17 Jan 08:00-08:30, Website (Acme), billable
    - member, running timer on Website, started 18 Jan 07:00
    """
    organization = owner.organization
    acme = await factory.client(organization, name="Acme Corp")
    globex = await factory.client(organization, name="Globex")
    website = await make_project(factory, organization, name="Website", client_id=acme.id)
    app = await make_project(factory, organization, name="App", client_id=globex.id)
    homepage = await make_task(factory, website, name="Homepage")
    frontend = await add_entry(
        factory,
        member,
        utc("2024-01-15T09:00"),
        project=website,
        task=homepage,
        notes="Hero section",
        tags="development,frontend",
        billable=True,
    )
    backend = await add_entry(
        factory,
        member,
        utc("2024-01-16T13:00"),
        minutes=120,
        project=app,
        notes="API pagination",
        tags="backend",
        billable=False,
        paid=True,
        source="import",
    )
    owners = await add_entry(factory, owner, utc("2024-01-17T08:00"), minutes=30, project=website)
    running = await add_entry(
        factory, member, utc("2024-01-18T07:00"), minutes=None, project=website, source="timer"
    )
    return Ledger(acme, globex, website, app, homepage, frontend, backend, owners, running)


async def listed(api: Api, who: Member, **params: Any) -> list[int]:
    response = await api.as_(who).get(ENTRIES, params=params)
    assert response.status_code == 200, response.text
    return [entry["id"] for entry in response.json()["time_entries"]]


class TestList:
    async def test_newest_first_with_seed_pagination(
        self, api: Api, owner: Member, ledger: Ledger
    ) -> None:
        response = await api.as_(owner).get(ENTRIES)

        assert response.status_code == 200
        body = response.json()
        assert [e["id"] for e in body["time_entries"]] == [
            ledger.owners.id,
            ledger.backend.id,
            ledger.frontend.id,
        ]
        assert body["pagination"] == {
            "page": 1,
            "per_page": 50,
            "total": 3,
            "pages": 1,
            "has_next": False,
            "has_prev": False,
            "next_page": None,
            "prev_page": None,
        }
        first = body["time_entries"][2]
        assert first["start_time"] == "2024-01-15T09:00:00Z"
        assert first["end_time"] == "2024-01-15T10:00:00Z"
        assert first["duration_seconds"] == 3600
        assert first["duration_hours"] == 1.0
        assert first["tags"] == "development,frontend"
        assert first["client_id"] == ledger.acme.id
        assert set(first) == {
            "id",
            "user_id",
            "project_id",
            "task_id",
            "client_id",
            "start_time",
            "end_time",
            "duration_seconds",
            "duration_hours",
            "is_active",
            "notes",
            "tags",
            "billable",
            "paid",
            "source",
            "external_id",
            "created_at",
            "updated_at",
        }

    async def test_pages(self, api: Api, owner: Member, ledger: Ledger) -> None:
        response = await api.as_(owner).get(ENTRIES, params={"page": 2, "per_page": 2})

        body = response.json()
        assert [e["id"] for e in body["time_entries"]] == [ledger.frontend.id]
        assert body["pagination"] | {} == {
            "page": 2,
            "per_page": 2,
            "total": 3,
            "pages": 2,
            "has_next": False,
            "has_prev": True,
            "next_page": None,
            "prev_page": 1,
        }

    @pytest.mark.parametrize("params", [{"per_page": 101}, {"per_page": 0}, {"page": 0}])
    async def test_bad_pagination_is_refused(
        self, api: Api, owner: Member, params: dict[str, int]
    ) -> None:
        response = await api.as_(owner).get(ENTRIES, params=params)

        assert response.status_code == 400
        assert response.json()["error_code"] == "validation_error"

    async def test_running_timers_only_with_include_active(
        self, api: Api, member: Member, ledger: Ledger
    ) -> None:
        assert ledger.running.id not in await listed(api, member)
        with_running = await listed(api, member, include_active="true")

        assert with_running[0] == ledger.running.id
        response = await api.as_(member).get(ENTRIES, params={"include_active": "true"})
        running = response.json()["time_entries"][0]
        assert running["is_active"] is True
        assert running["end_time"] is None
        assert running["duration_seconds"] is None

    async def test_project_task_and_client(self, api: Api, owner: Member, ledger: Ledger) -> None:
        assert await listed(api, owner, project_id=ledger.website.id) == [
            ledger.owners.id,
            ledger.frontend.id,
        ]
        assert await listed(api, owner, task_id=ledger.homepage.id) == [ledger.frontend.id]
        assert await listed(api, owner, client_id=ledger.globex.id) == [ledger.backend.id]
        assert await listed(api, owner, project_id=ledger.app.id, client_id=ledger.acme.id) == []

    async def test_billable_paid_and_source(self, api: Api, owner: Member, ledger: Ledger) -> None:
        assert await listed(api, owner, billable="false") == [ledger.backend.id]
        assert await listed(api, owner, billable="true") == [ledger.owners.id, ledger.frontend.id]
        assert await listed(api, owner, paid="true") == [ledger.backend.id]
        assert ledger.backend.id not in await listed(api, owner, paid="false")
        assert await listed(api, owner, source="import") == [ledger.backend.id]
        assert await listed(api, owner, source="timer", include_active="true") == [
            ledger.running.id
        ]

    async def test_unknown_source_is_refused(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).get(ENTRIES, params={"source": "telepathy"})

        assert response.status_code == 400
        assert "source" in response.json()["errors"]

    async def test_tag_matches_whole_tags_in_any_case(
        self, api: Api, owner: Member, ledger: Ledger
    ) -> None:
        assert await listed(api, owner, tag="frontend") == [ledger.frontend.id]
        assert await listed(api, owner, tag="Development") == [ledger.frontend.id]
        assert await listed(api, owner, tag="front") == []
        assert await listed(api, owner, tag="%") == []

    async def test_search_in_notes_and_tags(self, api: Api, owner: Member, ledger: Ledger) -> None:
        assert await listed(api, owner, search="hero") == [ledger.frontend.id]
        assert await listed(api, owner, search="BACKEND") == [ledger.backend.id]
        assert await listed(api, owner, search="nothing like it") == []

    async def test_updated_since(
        self, api: Api, factory: Factory, owner: Member, ledger: Ledger
    ) -> None:
        ledger.backend.updated_at = utc("2030-01-01T12:00")
        await factory.session.commit()

        assert await listed(api, owner, updated_since="2030-01-01T11:59:59Z") == [ledger.backend.id]
        assert await listed(api, owner, updated_since="2030-01-01T12:00:00Z") == []
        # A naive instant is the caller's wall clock: 13:59 in Amsterdam is 12:59 UTC.
        await set_timezone(api, owner, "Europe/Amsterdam")
        assert await listed(api, owner, updated_since="2030-01-01T12:59:00") == [ledger.backend.id]
        assert await listed(api, owner, updated_since="2030-01-01T13:00:00") == []

    async def test_user_id_filter(
        self, api: Api, owner: Member, admin: Member, member: Member, ledger: Ledger
    ) -> None:
        assert await listed(api, owner, user_id=member.id) == [
            ledger.backend.id,
            ledger.frontend.id,
        ]
        assert await listed(api, admin, user_id=owner.id) == [ledger.owners.id]
        assert await listed(api, member, user_id=member.id) == [
            ledger.backend.id,
            ledger.frontend.id,
        ]

    async def test_members_see_their_own_and_may_not_ask_for_others(
        self, api: Api, owner: Member, member: Member, ledger: Ledger
    ) -> None:
        assert await listed(api, member) == [ledger.backend.id, ledger.frontend.id]

        response = await api.as_(member).get(ENTRIES, params={"user_id": owner.id})

        assert response.status_code == 403
        assert response.json()["error_code"] == "forbidden"

    @pytest.mark.parametrize(
        "params",
        [
            {"start_date": "yesterday"},
            {"end_date": "2024-13-01"},
            {"end_date": "9999-12-31"},
            {"start_date": "0001-01-01T00:00:00+01:00"},
            {"updated_since": "0001-01-01T00:00:00+01:00"},
            {"updated_since": "soon"},
            {"project_id": 0},
            {"billable": "maybe"},
        ],
    )
    async def test_malformed_filters_are_refused(
        self, api: Api, owner: Member, params: dict[str, Any]
    ) -> None:
        response = await api.as_(owner).get(ENTRIES, params=params)

        assert response.status_code == 400, response.text
        body = response.json()
        assert body["error_code"] == "validation_error"
        assert set(body["errors"]) == set(params)

    async def test_anonymous_is_unauthorized(self, api: Api) -> None:
        response = await api.get(ENTRIES)

        assert response.status_code == 401
        assert response.json()["error_code"] == "unauthorized"


class TestDates:
    async def test_date_only_end_includes_the_whole_day(
        self, api: Api, owner: Member, ledger: Ledger
    ) -> None:
        assert await listed(api, owner, start_date="2024-01-16", end_date="2024-01-16") == [
            ledger.backend.id
        ]
        assert await listed(api, owner, end_date="2024-01-16") == [
            ledger.backend.id,
            ledger.frontend.id,
        ]
        # The basic ISO form is a day as well.
        assert await listed(api, owner, end_date="20240116") == [
            ledger.backend.id,
            ledger.frontend.id,
        ]
        assert await listed(api, owner, start_date="2024-01-17") == [ledger.owners.id]

    async def test_days_are_the_callers_days(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        # 03:00 UTC on 16 Jan is 22:00 on 15 Jan in New York;
        # 04:30 UTC on 15 Jan is 23:30 on 14 Jan there.
        late = await add_entry(factory, member, utc("2024-01-16T03:00"))
        early = await add_entry(factory, member, utc("2024-01-15T04:30"))

        assert await listed(api, member, start_date="2024-01-15", end_date="2024-01-15") == [
            early.id
        ]
        await set_timezone(api, member, "America/New_York")
        assert await listed(api, member, start_date="2024-01-15", end_date="2024-01-15") == [
            late.id
        ]
        assert await listed(api, member, end_date="2024-01-14") == [early.id]
        assert await listed(api, member, start_date="2024-01-16") == []

    async def test_day_of_a_dst_change_is_23_hours(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        # Amsterdam, 31 Mar 2024: local midnight is 23:00 UTC the day before, and the
        # next midnight 22:00 UTC (the clocks went forward).
        await set_timezone(api, member, "Europe/Amsterdam")
        await add_entry(factory, member, utc("2024-03-30T22:59"))
        first = await add_entry(factory, member, utc("2024-03-30T23:00"))
        last = await add_entry(factory, member, utc("2024-03-31T21:59"))
        await add_entry(factory, member, utc("2024-03-31T22:00"))

        found = await listed(api, member, start_date="2024-03-31", end_date="2024-03-31")

        assert found == [last.id, first.id]

    async def test_instants_with_offsets_are_exact_and_inclusive(
        self, api: Api, owner: Member, ledger: Ledger
    ) -> None:
        # 10:00+02:00 is 08:00Z: the owner's entry starts exactly then.
        assert await listed(api, owner, start_date="2024-01-17T10:00:00+02:00") == [
            ledger.owners.id
        ]
        assert await listed(api, owner, start_date="2024-01-17T08:00:01Z") == []
        assert await listed(api, owner, end_date="2024-01-15T09:00:00Z") == [ledger.frontend.id]
        assert await listed(api, owner, end_date="2024-01-15T08:59:59Z") == []
        assert await listed(
            api, owner, start_date="2024-01-15T09:00:00Z", end_date="2024-01-16T08:00:00-05:00"
        ) == [ledger.backend.id, ledger.frontend.id]

    async def test_naive_instants_are_the_callers_wall_clock(
        self, api: Api, owner: Member, ledger: Ledger
    ) -> None:
        await set_timezone(api, owner, "Asia/Tokyo")

        # 17:00 in Tokyo is 08:00 UTC.
        assert await listed(api, owner, start_date="2024-01-17T17:00:00") == [ledger.owners.id]
        assert await listed(api, owner, start_date="2024-01-17T17:00:01") == []


class TestEnrich:
    async def test_enrich_embeds_user_project_task_and_client(
        self, api: Api, owner: Member, member: Member, ledger: Ledger
    ) -> None:
        response = await api.as_(owner).get(
            ENTRIES, params={"enrich": "true", "task_id": ledger.homepage.id}
        )

        (entry,) = response.json()["time_entries"]
        assert entry["user"] == {"id": member.id, "name": "Max Member"}
        assert entry["project"] == {"id": ledger.website.id, "name": "Website", "color": None}
        assert entry["task"] == {"id": ledger.homepage.id, "name": "Homepage"}
        assert entry["client"] == {"id": ledger.acme.id, "name": "Acme Corp"}

    async def test_enriched_entry_without_references_has_nulls(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        await add_entry(factory, member, utc("2024-01-15T09:00"))

        response = await api.as_(member).get(ENTRIES, params={"enrich": "true"})

        (entry,) = response.json()["time_entries"]
        assert entry["user"]["id"] == member.id
        assert (entry["project"], entry["task"], entry["client"]) == (None, None, None)

    @pytest.mark.parametrize("enrich", ["false", "true"])
    async def test_query_count_does_not_grow_with_the_page(
        self,
        api: Api,
        factory: Factory,
        owner: Member,
        queries: QueryCounter,
        enrich: str,
    ) -> None:
        organization = owner.organization
        await add_entry(factory, owner, utc("2024-01-01T09:00"))
        with queries:
            single = await api.as_(owner).get(ENTRIES, params={"enrich": enrich})
        one = queries.count
        for number in range(49):
            client = await factory.client(organization)
            project = await make_project(
                factory, organization, name=f"P{number}", client_id=client.id
            )
            task = await make_task(factory, project, name=f"T{number}")
            who = await factory.member(organization) if number % 10 == 0 else owner
            await add_entry(factory, who, utc("2024-01-02T09:00"), project=project, task=task)

        with queries:
            full = await api.as_(owner).get(ENTRIES, params={"enrich": enrich})

        assert len(single.json()["time_entries"]) == 1
        entries = full.json()["time_entries"]
        assert len(entries) == 50
        if enrich == "true":
            assert all(entry["task"]["name"].startswith("T") for entry in entries[:49])
        assert queries.count == one, (one, queries.statements)
