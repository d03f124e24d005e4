"""GET /api/v1/ai/suggest (seed 002 AI time entry suggestions, S3.8)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import QueryCounter
from tests.support import Api, Factory, Member, api_token
from tests.time_entry.conftest import add_entry, make_project, make_task

SUGGEST = "/api/v1/ai/suggest"
FIELDS = {
    "project_id",
    "project_name",
    "task_id",
    "task_name",
    "notes",
    "tags",
    "billable",
    "confidence",
    "source",
}
MONDAY = datetime(2024, 3, 4, 9, tzinfo=UTC)


def day(number: int, hour: int = 0) -> datetime:
    return MONDAY + timedelta(days=number, hours=hour)


def pairs(body: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(s["project_name"], s["task_name"]) for s in body["suggestions"]]


class TestSuggest:
    async def test_recent_pairs_with_their_latest_notes_most_recent_first(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        website = await make_project(factory, owner.organization, name="Website")
        intranet = await make_project(factory, owner.organization, name="Intranet")
        homepage = await make_task(factory, website, name="Homepage")
        contact = await make_task(factory, website, name="Contact form")
        await add_entry(factory, owner, day(0), task=homepage, notes="old hero", tags="design")
        await add_entry(
            factory, owner, day(3), task=homepage, notes="new hero", tags="design,review"
        )
        await add_entry(factory, owner, day(1), task=contact, notes="form", billable=False)
        await add_entry(factory, owner, day(2), project=intranet, notes="wiki")

        response = await api.as_(owner).get(SUGGEST)

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["ok"] is True
        assert pairs(body) == [
            ("Website", "Homepage"),
            ("Intranet", None),
            ("Website", "Contact form"),
        ]
        first, second, third = body["suggestions"]
        assert set(first) == FIELDS
        assert first == {
            "project_id": website.id,
            "project_name": "Website",
            "task_id": homepage.id,
            "task_name": "Homepage",
            "notes": "new hero",
            "tags": "design,review",
            "billable": True,
            "confidence": 1.0,
            "source": "history",
        }
        assert second["task_id"] is None
        assert second["notes"] == "wiki"
        assert third["billable"] is False

    async def test_confidence_follows_the_documented_formula(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        projects = [await make_project(factory, owner.organization, name=name) for name in "ABC"]
        # A: used twice, latest on day 5; B: once on day 4; C: once on day 3.
        await add_entry(factory, owner, day(1), project=projects[0])
        await add_entry(factory, owner, day(5), project=projects[0])
        await add_entry(factory, owner, day(4), project=projects[1])
        await add_entry(factory, owner, day(3), project=projects[2])

        body = (await api.as_(owner).get(SUGGEST)).json()

        # ½·(1/rank) + ½·(uses / most uses): 1.00, 0.50, ½·⅓ + ½·½ = 0.4166… → 0.42.
        assert [(s["project_name"], s["confidence"]) for s in body["suggestions"]] == [
            ("A", 1.0),
            ("B", 0.5),
            ("C", 0.42),
        ]

    async def test_ties_on_recency_go_to_the_most_used_pair(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        rare = await make_project(factory, owner.organization, name="Rare")
        common = await make_project(factory, owner.organization, name="Common")
        await add_entry(factory, owner, day(5), project=rare)
        for number in range(3):
            await add_entry(factory, owner, day(number), project=common)
        await add_entry(factory, owner, day(5), project=common)

        body = (await api.as_(owner).get(SUGGEST)).json()

        assert pairs(body) == [("Common", None), ("Rare", None)]

    async def test_at_most_five(self, api: Api, factory: Factory, owner: Member) -> None:
        for number in range(7):
            project = await make_project(factory, owner.organization, name=f"P{number}")
            await add_entry(factory, owner, day(number), project=project)

        body = (await api.as_(owner).get(SUGGEST)).json()

        assert pairs(body) == [(f"P{n}", None) for n in (6, 5, 4, 3, 2)]

    async def test_no_history_no_suggestions(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).get(SUGGEST)

        assert response.status_code == 200
        assert response.json() == {"ok": True, "suggestions": []}

    async def test_entries_without_a_project_and_inactive_projects_are_left_out(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        live = await make_project(factory, owner.organization, name="Live")
        archived = await make_project(factory, owner.organization, name="Old", status="archived")
        held = await make_project(factory, owner.organization, name="Held", status="on_hold")
        await add_entry(factory, owner, day(0), project=live)
        await add_entry(factory, owner, day(1), project=archived)
        await add_entry(factory, owner, day(2), project=held)
        await add_entry(factory, owner, day(3), notes="no project")

        body = (await api.as_(owner).get(SUGGEST)).json()

        assert pairs(body) == [("Live", None)]

    async def test_rich_is_accepted_and_changes_nothing(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        project = await make_project(factory, owner.organization)
        await add_entry(factory, owner, day(0), project=project, notes="plain")

        plain = await api.as_(owner).get(SUGGEST)
        rich = await api.as_(owner).get(SUGGEST, params={"rich": "1"})
        bad = await api.as_(owner).get(SUGGEST, params={"rich": "maybe"})

        assert rich.status_code == 200
        assert rich.json() == plain.json()
        assert bad.status_code == 400
        assert "rich" in bad.json()["errors"]


class TestQueryFilter:
    async def test_filters_by_project_name_ignoring_case(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        website = await make_project(factory, owner.organization, name="Website")
        intranet = await make_project(factory, owner.organization, name="Intranet")
        await add_entry(factory, owner, day(0), project=website, notes="hero")
        await add_entry(factory, owner, day(1), project=intranet, notes="wiki")

        body = (await api.as_(owner).get(SUGGEST, params={"q": "WEBS"})).json()

        assert pairs(body) == [("Website", None)]
        assert body["suggestions"][0]["notes"] == "hero"

    async def test_filters_by_notes_and_shows_the_latest_matching_notes(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        website = await make_project(factory, owner.organization, name="Website")
        intranet = await make_project(factory, owner.organization, name="Intranet")
        await add_entry(factory, owner, day(0), project=website, notes="Invoice layout")
        await add_entry(factory, owner, day(2), project=website, notes="hero")
        await add_entry(factory, owner, day(1), project=intranet, notes="invoice export")

        body = (await api.as_(owner).get(SUGGEST, params={"q": "invoice"})).json()

        assert [(s["project_name"], s["notes"]) for s in body["suggestions"]] == [
            ("Intranet", "invoice export"),
            ("Website", "Invoice layout"),
        ]

    async def test_wildcards_in_q_are_literal(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        project = await make_project(factory, owner.organization, name="Website")
        await add_entry(factory, owner, day(0), project=project, notes="100% done")
        await add_entry(factory, owner, day(1), project=project, notes="1000 done")

        body = (await api.as_(owner).get(SUGGEST, params={"q": "0%"})).json()

        assert [s["notes"] for s in body["suggestions"]] == ["100% done"]

    async def test_blank_q_means_no_filter(self, api: Api, factory: Factory, owner: Member) -> None:
        project = await make_project(factory, owner.organization)
        await add_entry(factory, owner, day(0), project=project)

        body = (await api.as_(owner).get(SUGGEST, params={"q": "  "})).json()

        assert len(body["suggestions"]) == 1


class TestWhoseHistory:
    async def test_only_the_callers_own_entries(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        mine = await make_project(factory, owner.organization, name="Mine")
        theirs = await make_project(factory, owner.organization, name="Theirs")
        await add_entry(factory, owner, day(0), project=mine)
        await add_entry(factory, member, day(1), project=theirs)

        as_owner = (await api.as_(owner).get(SUGGEST)).json()
        as_member = (await api.as_(member).get(SUGGEST)).json()

        assert pairs(as_owner) == [("Mine", None)]
        assert pairs(as_member) == [("Theirs", None)]

    async def test_another_organisations_history_never_appears(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        here = await make_project(factory, owner.organization, name="Here")
        await add_entry(factory, owner, day(0), project=here)
        # The same user owns a second organisation and tracked time there.
        elsewhere = await factory.organization(owner.user, name="Second Org")
        there = await make_project(factory, elsewhere.organization, name="There")
        await add_entry(factory, elsewhere, day(1), project=there)

        first = await api.as_(owner).get(
            SUGGEST, headers={"X-Organization-Id": str(owner.organization.id)}
        )
        second = await api.as_(owner).get(
            SUGGEST, headers={"X-Organization-Id": str(elsewhere.organization.id)}
        )

        assert pairs(first.json()) == [("Here", None)]
        assert pairs(second.json()) == [("There", None)]


class TestPermissions:
    async def test_needs_authentication(self, api: Api) -> None:
        assert (await api.get(SUGGEST)).status_code == 401

    async def test_token_needs_read_time_entries(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        denied = await api_token(factory, owner, ["read:projects"])
        allowed = await api_token(factory, owner, ["read:time_entries"])

        response = await api.as_(denied).get(SUGGEST)

        assert response.status_code == 403
        assert response.json()["required_scope"] == "read:time_entries"
        assert (await api.as_(allowed).get(SUGGEST)).status_code == 200


class TestQueryCount:
    async def test_statements_do_not_grow_with_history(
        self, api: Api, factory: Factory, owner: Member, queries: QueryCounter
    ) -> None:
        project = await make_project(factory, owner.organization, name="First")
        await add_entry(factory, owner, day(0), project=project)
        with queries:
            await api.as_(owner).get(SUGGEST)
        one = queries.count
        for number in range(6):
            project = await make_project(factory, owner.organization, name=f"P{number}")
            task = await make_task(factory, project, name=f"T{number}")
            await add_entry(factory, owner, day(number + 1), task=task, notes=f"n{number}")
            await add_entry(factory, owner, day(number + 1, 2), project=project)

        with queries:
            response = await api.as_(owner).get(SUGGEST)

        assert len(response.json()["suggestions"]) == 5
        assert queries.count == one, (one, queries.statements)
