"""GET /api/v1/search (seed 002 Global Search, S5.3)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from tests.conftest import QueryCounter
from tests.search.conftest import make_client, make_task_in
from tests.support import Api, Factory, Member, api_token
from tests.time_entry.conftest import add_entry, make_project

SEARCH = "/api/v1/search"
RESULT_FIELDS = {"type", "category", "id", "title", "description", "url", "badge"}
JAN_15 = datetime(2024, 1, 15, 9, tzinfo=UTC)


def of_type(body: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [result for result in body["results"] if result["type"] == kind]


def titles(body: dict[str, Any], kind: str) -> list[str]:
    return [result["title"] for result in of_type(body, kind)]


async def world(factory: Factory, owner: Member) -> dict[str, Any]:
    """One matching object per domain, all containing "website"."""
    client = await make_client(
        factory, owner.organization, "Globex", email="it@globex.example", company="Website Co"
    )
    project = await make_project(
        factory,
        owner.organization,
        name="Website Redesign",
        description="Complete website overhaul",
        client_id=client.id,
    )
    task = await make_task_in(factory, project, "Update homepage", description="website copy")
    task.status = "in_progress"
    await factory.session.commit()
    entry = await add_entry(
        factory, owner, JAN_15, project=project, notes="Website launch call", tags="meeting"
    )
    return {"client": client, "project": project, "task": task, "entry": entry}


class TestSearch:
    async def test_finds_every_category_in_the_seed_shape(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        made = await world(factory, owner)

        response = await api.as_(owner).get(SEARCH, params={"q": "website"})

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["query"] == "website"
        assert body["partial"] is False
        assert body["errors"] == {}
        assert body["count"] == len(body["results"]) == 4
        assert all(set(result) == RESULT_FIELDS for result in body["results"])
        assert [r["type"] for r in body["results"]] == ["project", "task", "client", "entry"]
        project, task, client, entry = body["results"]
        assert project == {
            "type": "project",
            "category": "project",
            "id": made["project"].id,
            "title": "Website Redesign",
            "description": "Complete website overhaul",
            "url": f"/projects/{made['project'].id}",
            "badge": "Project",
        }
        assert task == {
            "type": "task",
            "category": "task",
            "id": made["task"].id,
            "title": "Update homepage",
            "description": "Website Redesign",
            "url": f"/tasks/{made['task'].id}",
            "badge": "In Progress",
        }
        assert client["id"] == made["client"].id
        assert client["title"] == "Globex"
        assert client["description"] == "Website Co"
        assert client["url"] == f"/clients/{made['client'].id}"
        assert client["badge"] == "Client"
        assert entry["id"] == made["entry"].id
        assert entry["title"] == "Website Redesign · 2024-01-15"
        assert entry["description"] == "Website launch call"
        assert entry["url"] == f"/time-entries/{made['entry'].id}"
        assert entry["badge"] == "Time Entry"

    async def test_matching_ignores_case_and_trims_the_query(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        await world(factory, owner)

        body = (await api.as_(owner).get(SEARCH, params={"q": "  WEBSITE "})).json()

        assert body["query"] == "WEBSITE"
        assert body["count"] == 4

    async def test_searches_the_documented_fields(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        await make_client(factory, owner.organization, "Initech", email="bill@lumbergh.example")
        await make_client(factory, owner.organization, "Hooli", company="Lumbergh Holdings")
        # Client notes are not a searched field.
        await make_client(factory, owner.organization, "Umbrella", notes="lumbergh")
        project = await make_project(factory, owner.organization, name="Intranet")
        await add_entry(factory, owner, JAN_15, project=project, tags="lumbergh,review")
        # Entry titles (time blocks) are not a searched field.
        await add_entry(factory, owner, JAN_15, project=project, title="lumbergh")

        body = (await api.as_(owner).get(SEARCH, params={"q": "lumbergh"})).json()

        assert sorted(titles(body, "client")) == ["Hooli", "Initech"]
        [entry] = of_type(body, "entry")
        assert entry["description"] == "lumbergh,review"

    async def test_like_wildcards_are_literal(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        await make_project(factory, owner.organization, name="100% done")
        await make_project(factory, owner.organization, name="1000 done")
        await make_project(factory, owner.organization, name="a_b plan")
        await make_project(factory, owner.organization, name="axb plan")

        percent = (await api.as_(owner).get(SEARCH, params={"q": "0%"})).json()
        underscore = (await api.as_(owner).get(SEARCH, params={"q": "a_b"})).json()

        assert titles(percent, "project") == ["100% done"]
        assert titles(underscore, "project") == ["a_b plan"]

    async def test_names_starting_with_the_query_come_first(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        await make_project(factory, owner.organization, name="Corporate web")
        await make_project(factory, owner.organization, name="Webshop")
        await make_project(factory, owner.organization, name="Another web thing")

        body = (await api.as_(owner).get(SEARCH, params={"q": "web"})).json()

        assert titles(body, "project") == ["Webshop", "Another web thing", "Corporate web"]

    async def test_only_active_projects_and_their_tasks(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        live = await make_project(factory, owner.organization, name="Rocket live")
        held = await make_project(factory, owner.organization, name="Rocket held", status="on_hold")
        gone = await make_project(
            factory, owner.organization, name="Rocket gone", status="archived"
        )
        for project in (live, held, gone):
            await make_task_in(factory, project, f"Rocket task of {project.name}")

        body = (await api.as_(owner).get(SEARCH, params={"q": "rocket"})).json()

        assert titles(body, "project") == ["Rocket live"]
        assert titles(body, "task") == ["Rocket task of Rocket live"]

    async def test_entry_title_uses_the_callers_day_and_badges_running_entries(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        new_yorker = await factory.member(owner.organization, "admin", timezone="America/New_York")
        await add_entry(
            factory,
            owner,
            datetime(2024, 1, 15, 2, tzinfo=UTC),
            minutes=None,
            notes="late night deploy",
        )

        body = (await api.as_(new_yorker).get(SEARCH, params={"q": "deploy"})).json()

        [entry] = of_type(body, "entry")
        assert entry["title"] == "No project · 2024-01-14"
        assert entry["badge"] == "Running"

    async def test_task_badges_name_the_status(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        project = await make_project(factory, owner.organization)
        for status in ("todo", "in_progress", "review", "done"):
            await make_task_in(factory, project, f"Badge {status}", status=status)

        body = (await api.as_(owner).get(SEARCH, params={"q": "badge"})).json()

        badges = {r["title"]: r["badge"] for r in of_type(body, "task")}
        assert badges == {
            "Badge todo": "To Do",
            "Badge in_progress": "In Progress",
            "Badge review": "Review",
            "Badge done": "Done",
        }


class TestQueryRules:
    async def test_short_query_is_400_with_empty_results(self, api: Api, owner: Member) -> None:
        for query in ("w", " w ", ""):
            response = await api.as_(owner).get(SEARCH, params={"q": query})

            assert response.status_code == 400, query
            body = response.json()
            assert body["error_code"] == "search_query_too_short"
            assert body["error"] == "Query too short"
            assert "at least 2 characters" in body["message"]
            assert body["results"] == []
            assert body["partial"] is False
            assert body["errors"] == {}

    async def test_missing_query_is_400(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).get(SEARCH)

        assert response.status_code == 400
        assert response.json()["error_code"] == "validation_error"
        assert "q" in response.json()["errors"]

    async def test_types_narrow_the_categories(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        await world(factory, owner)

        both = await api.as_(owner).get(SEARCH, params={"q": "website", "types": "task, project"})
        entries = await api.as_(owner).get(SEARCH, params={"q": "website", "types": "entry"})

        assert [r["type"] for r in both.json()["results"]] == ["project", "task"]
        assert [r["type"] for r in entries.json()["results"]] == ["entry"]
        assert entries.json()["count"] == 1

    async def test_unknown_type_is_400(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).get(
            SEARCH, params={"q": "website", "types": "project,invoice"}
        )

        assert response.status_code == 400
        body = response.json()
        assert body["error_code"] == "search_type_unknown"
        assert "invoice" in body["errors"]["types"][0]

    async def test_limit_applies_per_category(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        for number in range(12):
            project = await make_project(factory, owner.organization, name=f"Alpha {number:02}")
            await make_task_in(factory, project, f"Alpha task {number:02}")

        default = (await api.as_(owner).get(SEARCH, params={"q": "alpha"})).json()
        two = (await api.as_(owner).get(SEARCH, params={"q": "alpha", "limit": 2})).json()

        assert len(of_type(default, "project")) == 10
        assert len(of_type(default, "task")) == 10
        assert default["count"] == 20
        assert titles(two, "project") == ["Alpha 00", "Alpha 01"]
        assert titles(two, "task") == ["Alpha task 00", "Alpha task 01"]
        assert two["count"] == 4

    async def test_limit_out_of_range_is_400(self, api: Api, owner: Member) -> None:
        for limit in ("0", "51", "ten"):
            response = await api.as_(owner).get(SEARCH, params={"q": "website", "limit": limit})

            assert response.status_code == 400, limit
            assert "limit" in response.json()["errors"]
        fifty = await api.as_(owner).get(SEARCH, params={"q": "website", "limit": 50})
        assert fifty.status_code == 200


class TestPermissions:
    async def test_needs_authentication(self, api: Api) -> None:
        response = await api.get(SEARCH, params={"q": "website"})

        assert response.status_code == 401

    async def test_token_without_read_projects_is_403(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        token = await api_token(factory, owner, ["read:tasks", "read:time_entries"])

        response = await api.as_(token).get(SEARCH, params={"q": "website"})

        assert response.status_code == 403
        assert response.json()["required_scope"] == "read:projects"

    async def test_categories_the_caller_may_not_list_are_skipped_silently(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        await world(factory, owner)
        projects_only = await api_token(factory, owner, ["read:projects"])
        with_entries = await api_token(factory, owner, ["read:projects", "read:time_entries"])

        first = (await api.as_(projects_only).get(SEARCH, params={"q": "website"})).json()
        second = (await api.as_(with_entries).get(SEARCH, params={"q": "website"})).json()

        assert [r["type"] for r in first["results"]] == ["project"]
        assert first["partial"] is False
        assert first["errors"] == {}
        assert [r["type"] for r in second["results"]] == ["project", "entry"]

    async def test_role_grants_decide_the_categories(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        await world(factory, owner)
        for moniker, permissions in (
            ("searcher", ["project.fetch.many", "client.fetch.many"]),
            ("clients_only", ["client.fetch.many"]),
        ):
            created = await api.as_(owner).post(
                "/api/v1/roles",
                json={"title": moniker.title(), "moniker": moniker, "permissions": permissions},
            )
            assert created.status_code == 201, created.text
        searcher = await factory.member(owner.organization, "searcher")
        outsider = await factory.member(owner.organization, "clients_only")

        allowed = await api.as_(searcher).get(SEARCH, params={"q": "website"})
        refused = await api.as_(outsider).get(SEARCH, params={"q": "website"})

        assert [r["type"] for r in allowed.json()["results"]] == ["project", "client"]
        assert allowed.json()["partial"] is False
        assert refused.status_code == 403
        assert refused.json()["required_permission"] == "project.fetch.many"

    async def test_members_see_only_their_own_entries(
        self, api: Api, factory: Factory, owner: Member, member: Member, viewer: Member
    ) -> None:
        await add_entry(factory, owner, JAN_15, notes="standup owner")
        mine = await add_entry(factory, member, JAN_15, notes="standup member")

        as_member = (await api.as_(member).get(SEARCH, params={"q": "standup"})).json()
        as_viewer = (await api.as_(viewer).get(SEARCH, params={"q": "standup"})).json()

        assert [r["id"] for r in of_type(as_member, "entry")] == [mine.id]
        assert len(of_type(as_viewer, "entry")) == 2

    async def test_customers_see_only_their_clients_objects(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        theirs = await make_client(factory, owner.organization, "Orbit Mine")
        others = await make_client(factory, owner.organization, "Orbit Other")
        customer = await factory.member(owner.organization, "customer", client_id=theirs.id)
        own_project = await make_project(
            factory, owner.organization, name="Orbit portal", client_id=theirs.id
        )
        other_project = await make_project(
            factory, owner.organization, name="Orbit intranet", client_id=others.id
        )
        internal = await make_project(factory, owner.organization, name="Orbit internal")
        for project in (own_project, other_project, internal):
            await make_task_in(factory, project, f"Orbit task {project.name}")
            await add_entry(factory, owner, JAN_15, project=project, notes=f"orbit {project.name}")

        body = (await api.as_(customer).get(SEARCH, params={"q": "orbit"})).json()

        assert titles(body, "project") == ["Orbit portal"]
        assert titles(body, "task") == ["Orbit task Orbit portal"]
        assert titles(body, "client") == ["Orbit Mine"]
        assert [r["description"] for r in of_type(body, "entry")] == ["orbit Orbit portal"]

    async def test_another_organisations_objects_never_appear(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member
    ) -> None:
        await world(factory, other_owner)

        body = (await api.as_(owner).get(SEARCH, params={"q": "website"})).json()
        theirs = (await api.as_(other_owner).get(SEARCH, params={"q": "website"})).json()

        assert body["results"] == []
        assert body["count"] == 0
        assert theirs["count"] == 4


class TestPartialResults:
    async def test_a_failing_category_is_reported_and_the_others_answer(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        await world(factory, owner)
        # A real database failure in one domain: the clients table is gone for this
        # request. DDL is transactional on both backends, so the test's rollback restores it.
        await factory.session.execute(text("ALTER TABLE clients RENAME TO clients_gone"))
        await factory.session.commit()

        response = await api.as_(owner).get(SEARCH, params={"q": "website"})

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["partial"] is True
        assert list(body["errors"]) == ["clients"]
        assert body["errors"]["clients"] == "Search in this category failed"
        assert [r["type"] for r in body["results"]] == ["project", "task", "entry"]
        assert body["count"] == 3

    async def test_a_failing_category_not_asked_for_is_no_error(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        await world(factory, owner)
        await factory.session.execute(text("ALTER TABLE clients RENAME TO clients_gone"))
        await factory.session.commit()

        body = (
            await api.as_(owner).get(SEARCH, params={"q": "website", "types": "project,entry"})
        ).json()

        assert body["partial"] is False
        assert body["errors"] == {}
        assert body["count"] == 2


class TestQueryCount:
    async def test_statements_do_not_grow_with_matches(
        self, api: Api, factory: Factory, owner: Member, queries: QueryCounter
    ) -> None:
        await world(factory, owner)
        with queries:
            first = await api.as_(owner).get(SEARCH, params={"q": "website"})
        one = queries.count
        assert first.json()["count"] == 4
        for number in range(6):
            client = await make_client(factory, owner.organization, f"Website client {number}")
            project = await make_project(
                factory, owner.organization, name=f"Website {number}", client_id=client.id
            )
            await make_task_in(factory, project, f"Website task {number}")
            await add_entry(factory, owner, JAN_15, project=project, notes=f"website {number}")

        with queries:
            response = await api.as_(owner).get(SEARCH, params={"q": "website"})

        assert response.json()["count"] == 28
        assert queries.count == one, (one, queries.statements)
        domain_statements = [s for s in queries.statements if "LIKE" in s.upper()]
        assert len(domain_statements) == 4, domain_statements
