"""GET /time-entries/export: CSV and XLSX content, every list filter, visibility, and
statements that grow with batches, not entries."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from sqlalchemy import insert

from clocktower.models import Client, Project, TimeEntry
from clocktower.time_entry.repository import STREAM_BATCH
from tests.conftest import QueryCounter
from tests.support import Api, Factory, Member
from tests.time_entry_io.conftest import EXPORT, add_entry, make_project, make_task

COLUMNS = [
    "date",
    "start_time",
    "end_time",
    "duration_hours",
    "user_email",
    "user_name",
    "client",
    "project",
    "task",
    "notes",
    "tags",
    "billable",
    "paid",
    "source",
]
MONDAY = datetime(2024, 3, 4, 9, tzinfo=UTC)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def export_csv(api: Api, who: Member, **params: Any) -> list[dict[str, str]]:
    response = await api.as_(who).get(EXPORT, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert reader.fieldnames == COLUMNS
    return list(reader)


@pytest.fixture
async def acme(factory: Factory, owner: Member) -> Client:
    client = Client(organization_id=owner.organization.id, name="Acme, Inc.")
    factory.session.add(client)
    await factory.session.commit()
    return client


class TestCsv:
    async def test_columns_and_values(
        self, api: Api, factory: Factory, owner: Member, acme: Client
    ) -> None:
        owner.user.timezone = "America/New_York"
        factory.session.add(owner.user)
        await factory.session.commit()
        website = await make_project(factory, owner.organization, name="Web", client_id=acme.id)
        homepage = await make_task(factory, website, name="Homepage")
        # 02:30 UTC on the 5th is still the 4th in New York.
        await add_entry(
            factory,
            owner,
            datetime(2024, 3, 5, 2, 30, tzinfo=UTC),
            minutes=95,
            project=website,
            task=homepage,
            notes='Said "hi",\nthen left',
            tags="design,frontend",
            billable=False,
            paid=True,
            source="timer",
        )

        response = await api.as_(owner).get(EXPORT)

        assert response.headers["content-disposition"].startswith(
            'attachment; filename="time-entries-'
        )
        assert response.headers["content-disposition"].endswith('.csv"')
        [row] = await export_csv(api, owner)
        assert row == {
            "date": "2024-03-04",
            "start_time": "2024-03-05T02:30:00Z",
            "end_time": "2024-03-05T04:05:00Z",
            "duration_hours": "1.58",
            "user_email": owner.user.email,
            "user_name": owner.user.name,
            "client": "Acme, Inc.",
            "project": "Web",
            "task": "Homepage",
            "notes": 'Said "hi",\nthen left',
            "tags": "design,frontend",
            "billable": "false",
            "paid": "true",
            "source": "timer",
        }

    async def test_oldest_first_and_running_entries_only_when_asked(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        later = await add_entry(factory, owner, MONDAY + timedelta(days=1), notes="later")
        await add_entry(factory, owner, MONDAY, notes="earlier")
        await add_entry(factory, owner, MONDAY + timedelta(days=2), minutes=None, notes="running")

        rows = await export_csv(api, owner)
        with_running = await export_csv(api, owner, include_active="true")

        assert [r["notes"] for r in rows] == ["earlier", "later"]
        assert [r["notes"] for r in with_running] == ["earlier", "later", "running"]
        assert with_running[2]["end_time"] == with_running[2]["duration_hours"] == ""
        assert later.id

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"start_date": "2024-03-05"}, ["tue-web", "wed-app"]),
            ({"end_date": "2024-03-04"}, ["mon-web"]),
            ({"start_date": "2024-03-05T00:00:00Z", "end_date": "2024-03-05"}, ["tue-web"]),
            ({"billable": "false"}, ["wed-app"]),
            ({"paid": "true"}, ["tue-web"]),
            ({"tag": "urgent"}, ["mon-web", "wed-app"]),
            ({"search": "TUE"}, ["tue-web"]),
            ({"source": "import"}, ["wed-app"]),
        ],
    )
    async def test_filters_match_the_list(
        self,
        api: Api,
        factory: Factory,
        owner: Member,
        params: dict[str, str],
        expected: list[str],
    ) -> None:
        web = await make_project(factory, owner.organization, name="Web")
        app = await make_project(factory, owner.organization, name="App")
        await add_entry(factory, owner, MONDAY, project=web, notes="mon-web", tags="urgent")
        tuesday, wednesday = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)
        await add_entry(factory, owner, tuesday, project=web, notes="tue-web", paid=True)
        await add_entry(
            factory,
            owner,
            wednesday,
            project=app,
            notes="wed-app",
            tags="urgent",
            billable=False,
            source="import",
        )

        rows = await export_csv(api, owner, **params)
        listed = await api.as_(owner).get("/api/v1/time-entries", params=params)

        assert [r["notes"] for r in rows] == expected
        assert sorted(e["notes"] for e in listed.json()["time_entries"]) == expected

    async def test_project_task_client_and_user_filters(
        self, api: Api, factory: Factory, owner: Member, member: Member, acme: Client
    ) -> None:
        web = await make_project(factory, owner.organization, name="Web", client_id=acme.id)
        homepage = await make_task(factory, web, name="Homepage")
        other = await make_project(factory, owner.organization, name="Other")
        await add_entry(factory, owner, MONDAY, project=web, task=homepage, notes="task")
        await add_entry(factory, owner, MONDAY, project=web, notes="web")
        await add_entry(factory, member, MONDAY, project=other, notes="member")

        by_project = await export_csv(api, owner, project_id=web.id)
        by_task = await export_csv(api, owner, task_id=homepage.id)
        by_client = await export_csv(api, owner, client_id=acme.id)
        by_user = await export_csv(api, owner, user_id=member.id)

        assert sorted(r["notes"] for r in by_project) == ["task", "web"]
        assert [r["notes"] for r in by_task] == ["task"]
        assert sorted(r["notes"] for r in by_client) == ["task", "web"]
        assert [(r["notes"], r["user_email"]) for r in by_user] == [("member", member.user.email)]

    async def test_bad_filters_are_400(self, api: Api, owner: Member) -> None:
        for params in ({"start_date": "last week"}, {"format": "pdf"}, {"project_id": 0}):
            response = await api.as_(owner).get(EXPORT, params=params)
            assert response.status_code == 400, params


class TestVisibility:
    async def test_member_exports_only_their_own_entries(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        await add_entry(factory, owner, MONDAY, notes="owner's")
        await add_entry(factory, member, MONDAY, notes="member's")

        rows = await export_csv(api, member)
        refused = await api.as_(member).get(EXPORT, params={"user_id": owner.id})

        assert [r["notes"] for r in rows] == ["member's"]
        assert refused.status_code == 403
        assert refused.json()["required_permission"] == "time_entry.fetch.other"

    async def test_customer_exports_only_their_clients_entries(
        self, api: Api, factory: Factory, owner: Member, acme: Client
    ) -> None:
        web = await make_project(factory, owner.organization, name="Web", client_id=acme.id)
        await add_entry(factory, owner, MONDAY, project=web, notes="acme")
        await add_entry(factory, owner, MONDAY, notes="internal")
        customer = await factory.member(owner.organization, "customer", client_id=acme.id)

        rows = await export_csv(api, customer)

        assert [r["notes"] for r in rows] == ["acme"]

    async def test_other_organisations_entries_are_never_exported(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member
    ) -> None:
        await add_entry(factory, other_owner, MONDAY, notes="foreign")

        assert await export_csv(api, owner) == []

    async def test_needs_fetch_many(self, api: Api, factory: Factory, owner: Member) -> None:
        outsider = await factory.member(owner.organization, "viewer")
        from tests.role.conftest import give_role

        await give_role(factory, outsider, ["organization.fetch"], only=True)

        response = await api.as_(outsider).get(EXPORT)

        assert response.status_code == 403
        assert response.json()["required_permission"] == "time_entry.fetch.many"


class TestXlsx:
    async def test_workbook_reads_back(
        self, api: Api, factory: Factory, owner: Member, acme: Client
    ) -> None:
        web = await make_project(factory, owner.organization, name="Web", client_id=acme.id)
        await add_entry(
            factory, owner, MONDAY, minutes=90, project=web, notes="=SUM(A1:A9)", tags="a,b"
        )
        await add_entry(factory, owner, MONDAY + timedelta(days=1), notes="bell\x07 rings")

        response = await api.as_(owner).get(EXPORT, params={"format": "xlsx"})

        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == XLSX
        assert response.headers["content-disposition"].endswith('.xlsx"')
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0]) == COLUMNS
        first = dict(zip(COLUMNS, rows[1], strict=True))
        assert first["date"].date() == date(2024, 3, 4)
        assert first["start_time"] == "2024-03-04T09:00:00Z"
        assert first["end_time"] == "2024-03-04T10:30:00Z"
        assert first["duration_hours"] == 1.5
        assert (first["client"], first["project"], first["task"]) == ("Acme, Inc.", "Web", None)
        # A formula-like note stays text.
        assert first["notes"] == "=SUM(A1:A9)"
        assert sheet.cell(row=2, column=10).data_type == "s"
        assert (first["tags"], first["billable"], first["paid"]) == ("a,b", True, False)
        assert rows[2][9] == "bell rings"
        assert len(rows) == 3


class TestStatements:
    async def test_statements_grow_with_batches_not_entries(
        self, api: Api, factory: Factory, owner: Member, project: Project, queries: QueryCounter
    ) -> None:
        async def seed(count: int, day: int) -> None:
            start = datetime(2024, 1, day, tzinfo=UTC)
            await factory.session.execute(
                insert(TimeEntry),
                [
                    {
                        "organization_id": owner.organization.id,
                        "user_id": owner.id,
                        "project_id": project.id,
                        "start_at": start + timedelta(seconds=i),
                        "end_at": start + timedelta(seconds=i + 60),
                        "duration_seconds": 60,
                    }
                    for i in range(count)
                ],
            )
            await factory.session.commit()

        await seed(10, 1)
        with queries:
            small = await api.as_(owner).get(EXPORT, params={"end_date": "2024-01-01"})
        few = queries.count
        await seed(2 * STREAM_BATCH + 500, 2)
        with queries:
            large = await api.as_(owner).get(EXPORT, params={"format": "xlsx"})

        assert small.status_code == large.status_code == 200
        entries = 2 * STREAM_BATCH + 510
        assert len(list(load_workbook(io.BytesIO(large.content)).active.iter_rows())) == (
            entries + 1
        )
        # Each further batch of entries costs one read of entries and one of their users.
        assert queries.count <= few + 2 * (entries // STREAM_BATCH), queries.statements
