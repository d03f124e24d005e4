"""POST /time-entries/import-csv (seed 002): transports, formats, row errors, names, users,
limits, permissions and what an import emits."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from clocktower.main import create_app
from clocktower.models import Client, TimeEntry
from clocktower.project.budget import CHECK_BUDGET_JOB
from tests.conftest import QueryCounter
from tests.conftest import test_settings as settings_for
from tests.role.conftest import give_role
from tests.support import Api, Factory, Member
from tests.time_entry_io.conftest import (
    IMPORT,
    count_entries,
    entries_of,
    events,
    jobs_of_kind,
    make_project,
    make_task,
    names_of,
    sample,
)

NATIVE_HEADER = (
    "date,start_time,end_time,duration_hours,user_email,user_name,client,project,task,"
    "notes,tags,billable,paid,source\n"
)


@pytest.fixture
async def ada(factory: Factory, owner: Member) -> Member:
    """An admin in Berlin: wall-clock times of other trackers' files are hers."""
    return await factory.member(
        owner.organization,
        "admin",
        name="Ada Lovelace",
        email="ada@acme.example",
        timezone="Europe/Berlin",
    )


@pytest.fixture
async def max_(factory: Factory, owner: Member) -> Member:
    return await factory.member(
        owner.organization, "member", name="Max Mustermann", email="max@acme.example"
    )


async def import_csv(api: Api, who: Member, text: str, status: int = 201) -> dict[str, Any]:
    response = await api.as_(who).post(
        IMPORT, content=text.encode(), headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == status, response.text
    answer: dict[str, Any] = response.json()
    return answer


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def shape(entry: TimeEntry) -> tuple[Any, ...]:
    return (
        entry.user_id,
        entry.start_at,
        entry.end_at,
        entry.duration_seconds,
        entry.notes,
        entry.tags,
        entry.billable,
        entry.paid,
        entry.source,
    )


class TestTransports:
    async def test_multipart_file(self, api: Api, ada: Member, max_: Member) -> None:
        response = await api.as_(ada).post(
            IMPORT,
            files={"file": ("toggl.csv", sample("toggl_detailed.csv").encode(), "text/csv")},
        )

        assert response.status_code == 201, response.text
        assert response.json()["imported"] == 3
        assert response.json()["format"] == "toggl"

    @pytest.mark.parametrize("key", ["csv", "data"])
    async def test_json_body(self, api: Api, ada: Member, max_: Member, key: str) -> None:
        response = await api.as_(ada).post(IMPORT, json={key: sample("kimai.csv")})

        assert response.status_code == 201, response.text
        assert response.json()["imported"] == 2

    @pytest.mark.parametrize("content_type", ["text/csv", "text/plain; charset=utf-8"])
    async def test_raw_body(self, api: Api, ada: Member, max_: Member, content_type: str) -> None:
        response = await api.as_(ada).post(
            IMPORT,
            content=sample("clockify_detailed.csv").encode(),
            headers={"Content-Type": content_type},
        )

        assert response.status_code == 201, response.text
        assert response.json() == {
            "message": "Imported 2 time entries",
            "imported": 2,
            "format": "clockify",
            "created": {"clients": 2, "projects": 4, "tasks": 1},
        }

    async def test_windows_1252_file_is_read(
        self, api: Api, factory: Factory, admin: Member
    ) -> None:
        text = (
            NATIVE_HEADER + "2024-03-04,2024-03-04T09:00:00Z,2024-03-04T10:00:00Z,1,,,,,,Café,,,,\n"
        )

        response = await api.as_(admin).post(
            IMPORT, content=text.encode("cp1252"), headers={"Content-Type": "text/csv"}
        )

        assert response.status_code == 201, response.text
        [entry] = await entries_of(factory, admin.organization.id)
        assert entry.notes == "Café"

    @pytest.mark.parametrize(
        ("kwargs", "status", "code"),
        [
            ({"content": b"<xml/>", "headers": {"Content-Type": "application/xml"}}, 415, None),
            ({"json": {"csv": "a", "data": "b"}}, 400, "validation_error"),
            ({"json": {}}, 400, "validation_error"),
            ({"json": {"csv": 3}}, 400, "validation_error"),
            ({"json": {"file": "x"}}, 400, "validation_error"),
            ({"json": ["csv"]}, 400, "validation_error"),
            (
                {"content": b"{nope", "headers": {"Content-Type": "application/json"}},
                400,
                "invalid_json",
            ),
            ({"files": {"upload": ("x.csv", b"a,b\n")}}, 400, "import_unreadable"),
            (
                {"content": b"--x\r\nbroken", "headers": {"Content-Type": "multipart/form-data"}},
                400,
                "import_unreadable",
            ),
        ],
    )
    async def test_unusable_requests_are_4xx(
        self,
        api: Api,
        factory: Factory,
        admin: Member,
        kwargs: dict[str, Any],
        status: int,
        code: str | None,
    ) -> None:
        response = await api.as_(admin).post(IMPORT, **kwargs)

        assert response.status_code == status, response.text
        body = response.json()
        assert {"error", "message", "error_code"} <= body.keys()
        if code is not None:
            assert body["error_code"] == code
        assert await count_entries(factory, admin.organization.id) == 0


class TestFormats:
    async def test_toggl_detailed_export(
        self, api: Api, factory: Factory, ada: Member, max_: Member
    ) -> None:
        answer = await import_csv(api, ada, sample("toggl_detailed.csv"))

        assert answer["format"] == "toggl"
        # Acme Corp's General Support project is made with the client, as always.
        assert answer["created"] == {"clients": 1, "projects": 3, "tasks": 1}
        entries = await entries_of(factory, ada.organization.id)
        # Berlin wall-clock times (UTC+1 in early March).
        assert [shape(e) for e in entries] == [
            (ada.id, at("2024-03-04T08:00"), at("2024-03-04T09:30"), 5400,
             "Hero section, first draft", "design,frontend", True, False, "import"),
            (ada.id, at("2024-03-04T10:00"), at("2024-03-04T10:45"), 2700,
             "Weekly sync", None, False, False, "import"),
            (max_.id, at("2024-03-04T22:30"), at("2024-03-04T23:15"), 2700,
             'Timesheets "March"', "admin", False, False, "import"),
        ]  # fmt: skip
        assert await names_of(factory, ada.organization.id) == {
            "clients": ["Acme Corp"],
            "projects": ["-/Internal", "Acme Corp/General Support", "Acme Corp/Website Redesign"],
            "tasks": ["Homepage"],
        }
        first, second, third = entries
        assert first.project_id == second.project_id
        assert first.task_id is not None
        assert second.task_id is None
        assert first.client_id is not None
        assert third.client_id is None

    async def test_clockify_detailed_report(
        self, api: Api, factory: Factory, ada: Member, max_: Member
    ) -> None:
        await import_csv(api, ada, sample("clockify_detailed.csv"))

        entries = await entries_of(factory, ada.organization.id)
        assert [shape(e) for e in entries] == [
            (ada.id, at("2024-03-04T08:00"), at("2024-03-04T09:30"), 5400,
             "Hero section", "design,frontend", True, False, "import"),
            (max_.id, at("2024-03-04T12:00"), at("2024-03-04T14:15"), 8100,
             "Push notifications", None, False, False, "import"),
        ]  # fmt: skip
        assert await names_of(factory, ada.organization.id) == {
            "clients": ["Acme Corp", "Globex"],
            "projects": [
                "Acme Corp/General Support",
                "Acme Corp/Website Redesign",
                "Globex/General Support",
                "Globex/Mobile App",
            ],
            "tasks": ["Homepage"],
        }

    async def test_clockify_day_first_dates(
        self, api: Api, factory: Factory, admin: Member
    ) -> None:
        text = (
            "Project,Client,Description,Task,User,Email,Tags,Billable,Start Date,Start Time,"
            "End Date,End Time,Duration (h),Duration (decimal)\n"
            "Ops,,One,,,,,No,25/03/2024,09:00,25/03/2024,10:00,01:00:00,1.00\n"
            "Ops,,Two,,,,,No,04/03/2024,09:00,04/03/2024,10:00,01:00:00,1.00\n"
        )

        await import_csv(api, admin, text)

        starts = [e.start_at for e in await entries_of(factory, admin.organization.id)]
        assert starts == [at("2024-03-04T09:00"), at("2024-03-25T09:00")]

    async def test_kimai_export(
        self, api: Api, factory: Factory, ada: Member, max_: Member
    ) -> None:
        answer = await import_csv(api, ada, sample("kimai.csv"))

        assert answer["format"] == "kimai"
        entries = await entries_of(factory, ada.organization.id)
        # Kimai's To earlier than From is the next day.
        assert [shape(e) for e in entries] == [
            (ada.id, at("2024-03-04T08:00"), at("2024-03-04T09:30"), 5400,
             "Hero section", "design,frontend", True, False, "import"),
            (max_.id, at("2024-03-04T21:00"), at("2024-03-05T00:00"), 10800,
             "Late night release", None, False, False, "import"),
        ]  # fmt: skip
        assert (await names_of(factory, ada.organization.id))["tasks"] == [
            "Design",
            "Development",
        ]

    async def test_kimai_1_begin_end_without_emails_is_the_callers(
        self, api: Api, factory: Factory, admin: Member
    ) -> None:
        text = (
            "Date,Begin,End,Duration,Rate,User,Customer,Project,Activity,Description,"
            "Exported,Tags,Hourly rate,Fixed rate\n"
            "15.01.2024,08:15,12:00,03:45,0,Someone Else,Initech,TPS,Reports,Cover sheets,"
            "No,,0,\n"
        )

        await import_csv(api, admin, text)

        [entry] = await entries_of(factory, admin.organization.id)
        assert (entry.user_id, entry.start_at, entry.duration_seconds) == (
            admin.id,
            at("2024-01-15T08:15"),
            13500,
        )

    async def test_clocktower_csv(
        self, api: Api, factory: Factory, ada: Member, max_: Member
    ) -> None:
        answer = await import_csv(api, ada, sample("clocktower.csv"))

        assert answer["format"] == "clocktower"
        entries = await entries_of(factory, ada.organization.id)
        assert [shape(e) for e in entries] == [
            (ada.id, at("2024-03-04T09:00"), at("2024-03-04T10:30"), 5400,
             "Hero section, first draft", "design", True, False, "import"),
            (max_.id, at("2024-03-05T13:00"), at("2024-03-05T15:00"), 7200,
             None, None, False, True, "import"),
        ]  # fmt: skip

    async def test_semicolons_and_duration_only_rows(
        self, api: Api, factory: Factory, admin: Member
    ) -> None:
        text = "start_time;duration_hours;notes\n2024-03-04T09:00:00+01:00;1,5;Offset kept\n"

        await import_csv(api, admin, text)

        [entry] = await entries_of(factory, admin.organization.id)
        assert (entry.start_at, entry.end_at, entry.notes) == (
            at("2024-03-04T08:00"),
            at("2024-03-04T09:30"),
            "Offset kept",
        )

    async def test_project_billable_is_the_default(
        self, api: Api, factory: Factory, admin: Member
    ) -> None:
        await make_project(factory, admin.organization, name="Internal", billable=False)
        text = NATIVE_HEADER + "x,2024-03-04T09:00:00Z,2024-03-04T10:00:00Z,,,,,internal,,,,,,\n"

        await import_csv(api, admin, text)

        [entry] = await entries_of(factory, admin.organization.id)
        assert entry.billable is False


class TestRowErrors:
    async def test_one_bad_row_imports_nothing_and_names_the_row(
        self, api: Api, factory: Factory, ada: Member, max_: Member
    ) -> None:
        lines = sample("toggl_detailed.csv").splitlines()
        lines[2] = lines[2].replace("11:45:00", "10:45:00")  # ends before it starts

        answer = await import_csv(api, ada, "\n".join(lines), status=400)

        assert answer["error_code"] == "import_invalid_rows"
        assert answer["errors"] == [
            {"row": 3, "field": "End time", "message": "end_time must be after start_time"}
        ]
        assert await count_entries(factory, ada.organization.id) == 0
        assert await names_of(factory, ada.organization.id) == {
            "clients": [],
            "projects": [],
            "tasks": [],
        }
        assert await events(factory, ada.organization.id, "time_entry.created") == []

    async def test_every_problem_is_reported_with_its_line(
        self, api: Api, factory: Factory, admin: Member
    ) -> None:
        text = (
            NATIVE_HEADER
            + 'x,2024-03-04T09:00:00Z,2024-03-04T10:00:00Z,,,,,,,"two\nlines",,,,\n'
            + "x,yesterday,2024-03-04T10:00:00Z,,,,,,,,,,,\n"
            + "x,2024-03-04T09:00:00Z,2024-03-04T10:00:00Z,,nobody@else.example,,,,,,,,,\n"
            + "x,2024-03-04T09:00:00Z,2024-03-04T10:00:00Z,,,,,,,,,maybe,,\n"
            + "x,2024-03-04T09:00:00Z,2024-03-05T10:00:00Z,,,,,,,,,,,\n"
            + "x,2024-03-04T09:00:00Z,,,,,,,,,,,,\n"
            + "x,2024-03-04T09:00:00Z,2024-03-04T10:00:00Z,,,,,,Task,,,,,\n"
            + f"x,2024-03-04T09:00:00Z,2024-03-04T10:00:00Z,,,,,,,,{'t' * 51},,,\n"
        )

        answer = await import_csv(api, admin, text, status=400)

        assert [(e["row"], e["field"]) for e in answer["errors"]] == [
            (4, "start_time"),
            (5, "user_email"),
            (6, "billable"),
            (7, "end_time"),
            (8, "end_time"),
            (9, "task"),
            (10, "tags"),
        ]
        messages = {e["row"]: e["message"] for e in answer["errors"]}
        assert "ISO 8601" in messages[4]
        assert messages[5] == "nobody@else.example is not a member of this organisation"
        assert "allow_entries_over_24h" in messages[7]
        assert messages[8] == "end_time (or duration_hours) is required"
        assert messages[9] == "A task needs a project"
        assert answer["error_count"] == 7
        assert await count_entries(factory, admin.organization.id) == 0

    async def test_over_24_hours_is_allowed_when_the_organisation_allows_it(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        settings = await api.as_(owner).put(
            "/api/v1/settings", json={"allow_entries_over_24h": True}
        )
        assert settings.status_code == 200, settings.text
        text = NATIVE_HEADER + "x,2024-03-04T09:00:00Z,2024-03-05T10:00:00Z,,,,,,,,,,,\n"

        await import_csv(api, owner, text)

        assert await count_entries(factory, owner.organization.id) == 1

    @pytest.mark.parametrize(
        ("text", "code", "message"),
        [
            ("", "import_invalid_rows", "The file is empty"),
            ("\n\n", "import_invalid_rows", "The file is empty"),
            ("name,hours\nAda,3\n", "import_format_unknown", "matches no known format"),
            (NATIVE_HEADER, "import_invalid_rows", "no rows"),
            (
                NATIVE_HEADER.strip() + "\nx,2024-03-04T09:00:00Z,,,,,,,,,,,,,,extra,\n",
                "import_invalid_rows",
                "values but the header",
            ),
        ],
    )
    async def test_file_level_problems(
        self, api: Api, admin: Member, text: str, code: str, message: str
    ) -> None:
        answer = await import_csv(api, admin, text, status=400)

        assert answer["error_code"] == code
        assert message in answer["errors"][0]["message"]

    async def test_inactive_projects_refuse_time(
        self, api: Api, factory: Factory, admin: Member
    ) -> None:
        await make_project(factory, admin.organization, name="Old", status="archived")
        await make_project(factory, admin.organization, name="Paused", status="on_hold")
        text = (
            NATIVE_HEADER
            + "x,2024-03-04T09:00:00Z,2024-03-04T10:00:00Z,,,,,Old,,,,,,\n"
            + "x,2024-03-04T09:00:00Z,2024-03-04T10:00:00Z,,,,,paused,,,,,,\n"
        )

        answer = await import_csv(api, admin, text, status=400)

        assert [(e["row"], e["field"], e["message"]) for e in answer["errors"]] == [
            (2, "project", "The project 'Old' is archived: time cannot be tracked on it"),
            (3, "project", "The project 'paused' is on hold: time cannot be tracked on it"),
        ]

    async def test_reported_errors_are_capped(self, api: Api, admin: Member) -> None:
        text = NATIVE_HEADER + "x,never,never,,,,,,,,,,,\n" * 250

        answer = await import_csv(api, admin, text, status=400)

        assert len(answer["errors"]) == 200
        assert answer["error_count"] == 250


class TestNames:
    async def test_existing_names_match_case_insensitively(
        self, api: Api, factory: Factory, ada: Member, max_: Member
    ) -> None:
        client = Client(organization_id=ada.organization.id, name="ACME corp")
        factory.session.add(client)
        await factory.session.commit()
        website = await make_project(
            factory, ada.organization, name="website redesign", client_id=client.id
        )
        homepage = await make_task(factory, website, name="HOMEPAGE")
        internal = await make_project(factory, ada.organization, name="internal")

        answer = await import_csv(api, ada, sample("toggl_detailed.csv"))

        assert answer["created"] == {"clients": 0, "projects": 0, "tasks": 0}
        first, second, third = await entries_of(factory, ada.organization.id)
        assert (first.client_id, first.project_id, first.task_id) == (
            client.id,
            website.id,
            homepage.id,
        )
        assert second.project_id == website.id
        assert third.project_id == internal.id

    async def test_a_project_without_client_column_is_found_under_its_client(
        self, api: Api, factory: Factory, admin: Member
    ) -> None:
        client = Client(organization_id=admin.organization.id, name="Acme")
        factory.session.add(client)
        await factory.session.commit()
        website = await make_project(factory, admin.organization, name="Web", client_id=client.id)
        text = NATIVE_HEADER + "x,2024-03-04T09:00:00Z,2024-03-04T10:00:00Z,,,,,Web,,,,,,\n"

        await import_csv(api, admin, text)

        [entry] = await entries_of(factory, admin.organization.id)
        assert (entry.project_id, entry.client_id) == (website.id, client.id)

    async def test_the_same_project_name_under_two_clients_needs_the_client(
        self, api: Api, factory: Factory, admin: Member
    ) -> None:
        for name in ("Acme", "Globex"):
            client = Client(organization_id=admin.organization.id, name=name)
            factory.session.add(client)
            await factory.session.commit()
            await make_project(factory, admin.organization, name="Support", client_id=client.id)
        text = NATIVE_HEADER + "x,2024-03-04T09:00:00Z,2024-03-04T10:00:00Z,,,,,Support,,,,,,\n"

        answer = await import_csv(api, admin, text, status=400)

        assert answer["errors"][0]["message"] == (
            "Several clients have a project named 'Support': name the client"
        )

    async def test_names_are_created_once_each(
        self, api: Api, factory: Factory, admin: Member
    ) -> None:
        row = "x,2024-03-04T09:00:00Z,2024-03-04T10:00:00Z,,,,Initech,TPS,Cover,,,,,\n"
        again = "x,2024-03-05T09:00:00Z,2024-03-05T10:00:00Z,,,,initech,tps,cover,,,,,\n"

        answer = await import_csv(api, admin, NATIVE_HEADER + row + again)

        assert answer["created"] == {"clients": 1, "projects": 2, "tasks": 1}
        first, second = await entries_of(factory, admin.organization.id)
        assert (first.client_id, first.project_id, first.task_id) == (
            second.client_id,
            second.project_id,
            second.task_id,
        )

    async def test_general_support_is_not_made_when_the_organisation_switched_it_off(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        switched = await api.as_(owner).put(
            "/api/v1/settings", json={"auto_create_general_support_project": False}
        )
        assert switched.status_code == 200, switched.text
        row = "x,2024-03-04T09:00:00Z,2024-03-04T10:00:00Z,,,,Initech,TPS,,,,,,\n"

        answer = await import_csv(api, owner, NATIVE_HEADER + row)

        assert answer["created"] == {"clients": 1, "projects": 1, "tasks": 0}

    async def test_a_member_cannot_create_clients(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        text = (
            NATIVE_HEADER
            + "x,2024-03-04T09:00:00Z,2024-03-04T10:00:00Z,,,,Initech,TPS,Cover,,,,,\n"
            + "x,2024-03-04T11:00:00Z,2024-03-04T12:00:00Z,,,,,Own project,Cover,,,,,\n"
        )

        answer = await import_csv(api, member, text, status=400)

        assert answer["errors"] == [
            {
                "row": 2,
                "field": "client",
                "message": "There is no client named 'Initech', and creating one needs the "
                "client.create permission",
            }
        ]
        assert await names_of(factory, member.organization.id) == {
            "clients": [],
            "projects": [],
            "tasks": [],
        }

    async def test_another_organisations_names_are_never_used(
        self, api: Api, factory: Factory, admin: Member, other_owner: Member
    ) -> None:
        foreign = await make_project(factory, other_owner.organization, name="Secret")
        text = NATIVE_HEADER + "x,2024-03-04T09:00:00Z,2024-03-04T10:00:00Z,,,,,Secret,,,,,,\n"

        answer = await import_csv(api, admin, text)

        assert answer["created"]["projects"] == 1
        [entry] = await entries_of(factory, admin.organization.id)
        assert entry.project_id != foreign.id


class TestUsers:
    async def test_member_imports_their_own_time(
        self, api: Api, factory: Factory, max_: Member
    ) -> None:
        text = NATIVE_HEADER + (
            "x,2024-03-04T09:00:00Z,2024-03-04T10:00:00Z,,MAX@acme.example,,,,,,,,,\n"
            "x,2024-03-04T11:00:00Z,2024-03-04T12:00:00Z,,,,,,,,,,,\n"
        )

        await import_csv(api, max_, text)

        assert [e.user_id for e in await entries_of(factory, max_.organization.id)] == [
            max_.id,
            max_.id,
        ]

    async def test_time_for_others_needs_update_other(
        self, api: Api, factory: Factory, ada: Member, max_: Member
    ) -> None:
        response = await api.as_(max_).post(IMPORT, json={"csv": sample("clocktower.csv")})

        assert response.status_code == 403
        assert response.json()["required_permission"] == "time_entry.update.other"
        assert await count_entries(factory, ada.organization.id) == 0

    async def test_members_of_another_organisation_are_unknown(
        self, api: Api, factory: Factory, admin: Member, other_owner: Member
    ) -> None:
        text = NATIVE_HEADER + (
            f"x,2024-03-04T09:00:00Z,2024-03-04T10:00:00Z,,{other_owner.user.email},,,,,,,,,\n"
        )

        answer = await import_csv(api, admin, text, status=400)

        assert answer["errors"][0]["field"] == "user_email"


class TestLimits:
    async def test_files_larger_than_other_bodies_are_read(
        self, api: Api, factory: Factory, admin: Member
    ) -> None:
        # Past the 1 MiB that other requests may carry, below the import's own 10 MB.
        text = NATIVE_HEADER + "x,not a time,2024-03-04T10:00:00Z,,,,,,,,,,,\n" * 30_000
        assert len(text.encode()) > 1024 * 1024

        response = await api.as_(admin).post(
            IMPORT, content=text.encode(), headers={"Content-Type": "text/csv"}
        )

        assert response.status_code == 400, response.text
        assert response.json()["error_code"] == "import_invalid_rows"
        assert response.json()["error_count"] == 30_000
        assert await count_entries(factory, admin.organization.id) == 0

    async def test_bodies_over_10_mb_are_413(
        self, api: Api, factory: Factory, admin: Member
    ) -> None:
        content = b"start_time,end_time\n" + b"x" * (10 * 1024 * 1024)

        response = await api.as_(admin).post(
            IMPORT, content=content, headers={"Content-Type": "text/csv"}
        )

        assert response.status_code == 413
        assert response.json()["error_code"] == "payload_too_large"
        assert await count_entries(factory, admin.organization.id) == 0

    @pytest.mark.parametrize("transport", ["raw", "multipart"])
    async def test_files_over_10_mb_are_refused_when_bodies_may_be_larger(
        self, shared_database: Any, database: Any, admin: Member, transport: str
    ) -> None:
        settings = settings_for(shared_database.url, max_body_bytes=12 * 1024 * 1024)
        app = create_app(settings, database)
        content = b"start_time,end_time\n" + b"x" * (10 * 1024 * 1024)
        headers = {"Authorization": f"Bearer {admin.token}"}
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client:
            if transport == "raw":
                response = await client.post(
                    IMPORT, content=content, headers={**headers, "Content-Type": "text/csv"}
                )
            else:
                response = await client.post(
                    IMPORT, files={"file": ("big.csv", content)}, headers=headers
                )

        assert response.status_code == 413, response.text
        assert response.json()["message"] == "An import file is limited to 10 MB"


class TestPermissions:
    async def test_viewer_cannot_import(self, api: Api, viewer: Member) -> None:
        response = await api.as_(viewer).post(IMPORT, json={"csv": sample("clocktower.csv")})

        assert response.status_code == 403
        assert response.json()["required_permission"] == "time_entry.create"

    async def test_customer_cannot_import(self, api: Api, factory: Factory, owner: Member) -> None:
        client = await factory.client(owner.organization, name="Acme")
        customer = await factory.member(owner.organization, "customer", client_id=client.id)

        response = await api.as_(customer).post(IMPORT, json={"csv": sample("clocktower.csv")})

        assert response.status_code == 403

    async def test_customer_with_create_only_writes_their_own_client(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        acme = await factory.client(owner.organization, name="Acme")
        await factory.client(owner.organization, name="Globex")
        customer = await factory.member(owner.organization, "customer", client_id=acme.id)
        await give_role(factory, customer, ["time_entry.create"])
        text = NATIVE_HEADER + (
            "x,2024-03-04T09:00:00Z,2024-03-04T10:00:00Z,,,,Acme,,,,,,,\n"
            "x,2024-03-04T09:00:00Z,2024-03-04T10:00:00Z,,,,Globex,,,,,,,\n"
            "x,2024-03-04T09:00:00Z,2024-03-04T10:00:00Z,,,,,,,,,,,\n"
        )

        answer = await import_csv(api, customer, text, status=400)

        # Other clients are invisible to a customer: they are not even named as existing.
        assert [(e["row"], e["message"]) for e in answer["errors"]] == [
            (
                3,
                "There is no client named 'Globex', and creating one needs the client.create "
                "permission",
            ),
            (4, "Time must be on your own client"),
        ]


class TestEffects:
    async def test_created_events_and_one_budget_check_per_project(
        self, api: Api, factory: Factory, admin: Member
    ) -> None:
        await make_project(
            factory, admin.organization, name="Fixed", budget_type="hours", budget_minutes=60
        )
        text = NATIVE_HEADER + "".join(
            f"x,2024-03-0{day}T09:00:00Z,2024-03-0{day}T10:00:00Z,,,,,Fixed,,,,,,\n"
            for day in range(1, 4)
        )

        await import_csv(api, admin, text)

        created = await events(factory, admin.organization.id, "time_entry.created")
        stored = await entries_of(factory, admin.organization.id)
        assert sorted(e["id"] for e in created) == sorted(e.id for e in stored)
        assert all(e["source"] == "import" for e in created)
        assert len(await jobs_of_kind(factory, CHECK_BUDGET_JOB)) == 1

    async def test_statements_do_not_grow_with_the_rows(
        self, api: Api, factory: Factory, admin: Member, queries: QueryCounter
    ) -> None:
        def rows(count: int, month: int) -> str:
            """Every file names clients, projects and tasks of its own, so each import
            creates names of every kind."""
            return NATIVE_HEADER + "".join(
                f"x,2024-{month:02}-01T09:{i % 60:02}:00Z,2024-{month:02}-01T10:{i % 60:02}:00Z"
                f",,,,Client {month}-{i % 3},Project {i % 5},Task {i % 7},Note {i},tag{i % 4}"
                ",,,\n"
                for i in range(count)
            )

        with queries:
            await import_csv(api, admin, rows(10, 1))
        few = queries.count
        with queries:
            await import_csv(api, admin, rows(400, 2))

        assert queries.count == few, queries.statements
        assert await count_entries(factory, admin.organization.id) == 410
