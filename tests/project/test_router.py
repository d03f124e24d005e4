"""Projects over HTTP: seed 002 shapes, filters, rules, emails, permissions and tenancy."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from clocktower.models import Client, OutboundEmail, Project, Task
from tests.api_token.support import issue_token
from tests.conftest import QueryCounter
from tests.support import Api, Factory, Member

PROJECTS = "/api/v1/projects"

SEED_BODY = {
    "name": "Website Redesign",
    "description": "Complete website overhaul",
    "hourly_rate": 75.00,
    "estimated_hours": 120,
    "status": "active",
}


async def create(api: Api, who: Member, **fields: Any) -> dict[str, Any]:
    response = await api.as_(who).post(PROJECTS, json={"name": "Website", **fields})
    assert response.status_code == 201, response.text
    project: dict[str, Any] = response.json()["project"]
    return project


async def deactivation_emails(factory: Factory, member: Member) -> list[str]:
    rows = await factory.session.execute(
        select(OutboundEmail.to_address)
        .where(
            OutboundEmail.organization_id == member.organization.id,
            OutboundEmail.template == "project_deactivated",
        )
        .order_by(OutboundEmail.to_address)
    )
    return list(rows.scalars())


class TestCreateProject:
    async def test_seed_002_body_and_answer(self, api: Api, admin: Member, acme: Client) -> None:
        response = await api.as_(admin).post(PROJECTS, json={**SEED_BODY, "client_id": acme.id})

        assert response.status_code == 201
        body = response.json()
        assert body["message"] == "Project created"
        project = body["project"]
        assert set(project) == {
            "id",
            "name",
            "description",
            "client_id",
            "client",
            "hourly_rate",
            "estimated_hours",
            "status",
            "color",
            "billable",
            "budget_type",
            "budget_hours",
            "budget_amount",
            "external_id",
            "is_active",
            "is_default_for_client",
            "archived_at",
            "created_at",
            "updated_at",
        }
        assert project["name"] == "Website Redesign"
        assert project["description"] == "Complete website overhaul"
        assert project["client_id"] == acme.id
        assert project["client"] == {"id": acme.id, "name": "Acme Corp"}
        assert project["hourly_rate"] == 75.0
        assert project["estimated_hours"] == 120
        assert project["status"] == "active"
        assert project["is_active"] is True
        assert project["billable"] is True
        assert project["budget_type"] == "none"
        assert project["archived_at"] is None
        assert project["created_at"].endswith("Z")

    async def test_stores_cents_and_minutes(
        self, api: Api, admin: Member, factory: Factory
    ) -> None:
        created = await create(api, admin, hourly_rate="80.5", estimated_hours=1.5)

        row = await factory.session.get(Project, created["id"])
        assert row is not None
        assert (row.hourly_rate_cents, row.estimated_minutes) == (8050, 90)
        assert created["hourly_rate"] == 80.5
        assert created["estimated_hours"] == 1.5

    async def test_seed_003_fields_and_budgets(self, api: Api, admin: Member) -> None:
        hours = await create(
            api,
            admin,
            color="#4285f4",
            external_id="123456",
            billable=False,
            budget_type="hours",
            budget_hours=40,
        )
        money = await create(api, admin, name="Shop", budget_type="money", budget_amount=5000)

        assert hours["color"] == "#4285F4"
        assert hours["external_id"] == "123456"
        assert hours["billable"] is False
        assert (hours["budget_type"], hours["budget_hours"]) == ("hours", 40)
        assert (money["budget_type"], money["budget_amount"]) == ("money", 5000)
        assert money["client"] is None

    async def test_archived_on_create_has_archived_at(self, api: Api, admin: Member) -> None:
        created = await create(api, admin, status="archived")

        assert created["archived_at"] is not None
        assert created["is_active"] is False

    async def test_bad_colour_is_400(self, api: Api, admin: Member) -> None:
        response = await api.as_(admin).post(PROJECTS, json={"name": "X", "color": "red"})

        assert response.status_code == 400
        assert response.json()["error_code"] == "validation_error"
        assert "color" in response.json()["errors"]

    async def test_inconsistent_budgets_are_400(self, api: Api, admin: Member) -> None:
        bodies = [
            {"budget_type": "hours"},
            {"budget_type": "money", "budget_hours": 10},
            {"budget_type": "none", "budget_amount": 100},
            {"budget_type": "hours", "budget_hours": 0},
        ]
        for fields in bodies:
            response = await api.as_(admin).post(PROJECTS, json={"name": "X", **fields})

            assert response.status_code == 400, fields
            assert response.json()["error_code"] == "validation_error"
        listed = await api.as_(admin).get(PROJECTS)
        assert listed.json()["projects"] == []

    async def test_bad_values_are_400(self, api: Api, admin: Member) -> None:
        for fields in (
            {"status": "paused"},
            {"hourly_rate": -1},
            {"hourly_rate": 1.234},
            {"name": ""},
            {"unknown": 1},
        ):
            response = await api.as_(admin).post(PROJECTS, json={"name": "X", **fields})
            assert response.status_code == 400, fields

    async def test_unknown_client_is_invalid_reference(self, api: Api, admin: Member) -> None:
        response = await api.as_(admin).post(PROJECTS, json={"name": "X", "client_id": 999_999})

        assert response.status_code == 422
        assert response.json()["error_code"] == "invalid_reference"
        assert "client_id" in response.json()["errors"]

    async def test_client_of_another_organization_is_invalid_reference(
        self, api: Api, admin: Member, factory: Factory, other_owner: Member
    ) -> None:
        theirs = await factory.client(other_owner.organization)

        response = await api.as_(admin).post(PROJECTS, json={"name": "X", "client_id": theirs.id})

        assert response.status_code == 422
        assert response.json()["error_code"] == "invalid_reference"

    async def test_duplicate_name_of_same_client_is_409(
        self, api: Api, admin: Member, acme: Client, factory: Factory
    ) -> None:
        await create(api, admin, name="Website", client_id=acme.id)

        response = await api.as_(admin).post(
            PROJECTS, json={"name": "WEBSITE", "client_id": acme.id}
        )

        assert response.status_code == 409
        assert response.json()["error_code"] == "project_name_taken"
        count = await factory.session.scalar(
            select(func.count()).select_from(Project).where(Project.client_id == acme.id)
        )
        assert count == 1

    async def test_same_name_for_another_client_or_after_archiving(
        self, api: Api, admin: Member, acme: Client, factory: Factory, owner: Member
    ) -> None:
        globex = await factory.client(owner.organization, name="Globex")
        first = await create(api, admin, name="Website", client_id=acme.id)
        await create(api, admin, name="Website", client_id=globex.id)
        await create(api, admin, name="Website")
        await api.as_(admin).delete(f"{PROJECTS}/{first['id']}")

        again = await create(api, admin, name="website", client_id=acme.id)

        assert again["name"] == "website"

    async def test_idempotent_create_answers_once(
        self, api: Api, admin: Member, factory: Factory
    ) -> None:
        headers = {"Idempotency-Key": "create-website-1"}
        first = await api.as_(admin).post(PROJECTS, json={"name": "Website"}, headers=headers)
        second = await api.as_(admin).post(PROJECTS, json={"name": "Website"}, headers=headers)

        assert first.status_code == second.status_code == 201
        assert first.json() == second.json()
        count = await factory.session.scalar(
            select(func.count())
            .select_from(Project)
            .where(Project.organization_id == admin.organization.id)
        )
        assert count == 1

    async def test_viewer_and_customer_cannot_create(
        self, api: Api, viewer: Member, customer: Member
    ) -> None:
        for who in (viewer, customer):
            response = await api.as_(who).post(PROJECTS, json={"name": "X"})

            assert response.status_code == 403
            assert response.json()["required_permission"] == "project.create"

    async def test_token_needs_write_projects(self, api: Api, owner: Member) -> None:
        read_only, _ = await issue_token(api, owner, scopes=["read:projects"])
        writer, _ = await issue_token(api, owner, scopes=["write:projects"])

        refused = await api.as_(read_only).post(PROJECTS, json={"name": "X"})
        allowed = await api.as_(writer).post(PROJECTS, json={"name": "X"})

        assert refused.status_code == 403
        assert refused.json()["required_scope"] == "write:projects"
        assert refused.json()["available_scopes"] == ["read:projects"]
        assert allowed.status_code == 201


class TestListProjects:
    async def test_ordered_by_name_with_clients(
        self, api: Api, member: Member, admin: Member, acme: Client
    ) -> None:
        await create(api, admin, name="zeta", client_id=acme.id)
        await create(api, admin, name="Alpha")
        await create(api, admin, name="beta")

        response = await api.as_(member).get(PROJECTS)

        assert response.status_code == 200
        body = response.json()
        assert [p["name"] for p in body["projects"]] == ["Alpha", "beta", "zeta"]
        assert body["projects"][2]["client"] == {"id": acme.id, "name": "Acme Corp"}
        assert body["projects"][0]["client"] is None
        assert body["pagination"]["total"] == 3
        assert body["pagination"]["page"] == 1

    async def test_filters(
        self, api: Api, admin: Member, acme: Client, factory: Factory, owner: Member
    ) -> None:
        await create(api, admin, name="Website", client_id=acme.id, description="Big overhaul")
        await create(api, admin, name="Shop", status="on_hold")
        await create(api, admin, name="Old site", status="archived", client_id=acme.id)

        async def names(query: str) -> list[str]:
            response = await api.as_(admin).get(f"{PROJECTS}?{query}")
            assert response.status_code == 200, response.text
            return [p["name"] for p in response.json()["projects"]]

        assert await names("status=active") == ["Website"]
        assert await names("status=on_hold") == ["Shop"]
        assert await names("status=archived") == ["Old site"]
        assert await names(f"client_id={acme.id}") == ["Old site", "Website"]
        assert await names("active=true") == ["Website"]
        assert await names("active=false") == ["Old site", "Shop"]
        assert await names("search=SITE") == ["Old site", "Website"]
        assert await names("search=overhaul") == ["Website"]
        assert await names("search=%25") == []
        assert await names(f"active=true&client_id={acme.id}") == ["Website"]

    async def test_pagination(self, api: Api, admin: Member) -> None:
        for number in range(3):
            await create(api, admin, name=f"P{number}")

        response = await api.as_(admin).get(f"{PROJECTS}?per_page=2&page=2")

        body = response.json()
        assert [p["name"] for p in body["projects"]] == ["P2"]
        assert body["pagination"]["total"] == 3
        assert body["pagination"]["has_prev"] is True

    async def test_bad_status_filter_is_400(self, api: Api, admin: Member) -> None:
        response = await api.as_(admin).get(f"{PROJECTS}?status=paused")

        assert response.status_code == 400
        assert response.json()["error_code"] == "validation_error"

    async def test_other_organizations_projects_are_not_listed(
        self, api: Api, admin: Member, other_org_project: Project
    ) -> None:
        await create(api, admin, name="Ours")

        response = await api.as_(admin).get(PROJECTS)

        assert [p["name"] for p in response.json()["projects"]] == ["Ours"]

    async def test_customer_sees_only_their_clients_projects(
        self, api: Api, admin: Member, customer: Member, acme: Client, factory: Factory
    ) -> None:
        globex = await factory.client(admin.organization, name="Globex")
        await create(api, admin, name="Acme site", client_id=acme.id)
        await create(api, admin, name="Globex site", client_id=globex.id)
        await create(api, admin, name="Internal")

        mine = await api.as_(customer).get(PROJECTS)
        theirs = await api.as_(customer).get(f"{PROJECTS}?client_id={globex.id}")

        assert [p["name"] for p in mine.json()["projects"]] == ["Acme site"]
        assert theirs.json()["projects"] == []

    async def test_viewer_may_list(self, api: Api, viewer: Member, admin: Member) -> None:
        await create(api, admin)

        response = await api.as_(viewer).get(PROJECTS)

        assert response.status_code == 200
        assert len(response.json()["projects"]) == 1

    async def test_token_needs_read_projects(self, api: Api, owner: Member) -> None:
        reader, _ = await issue_token(api, owner, scopes=["read:projects"])
        other, _ = await issue_token(api, owner, scopes=["read:clients"])

        allowed = await api.as_(reader).get(PROJECTS)
        refused = await api.as_(other).get(PROJECTS)

        assert allowed.status_code == 200
        assert refused.status_code == 403
        assert refused.json()["required_scope"] == "read:projects"
        assert refused.json()["available_scopes"] == ["read:clients"]

    async def test_query_count_does_not_grow_with_rows(
        self, api: Api, admin: Member, factory: Factory, queries: QueryCounter
    ) -> None:
        first_client = await factory.client(admin.organization)
        await create(api, admin, name="P0", client_id=first_client.id)
        with queries:
            one = await api.as_(admin).get(PROJECTS)
        single = queries.count
        for number in range(1, 6):
            client = await factory.client(admin.organization)
            await create(api, admin, name=f"P{number}", client_id=client.id)

        with queries:
            six = await api.as_(admin).get(PROJECTS)

        assert len(one.json()["projects"]) == 1
        assert len(six.json()["projects"]) == 6
        assert all(p["client"] is not None for p in six.json()["projects"])
        assert queries.count == single, queries.statements


class TestGetProject:
    async def test_returns_the_project(self, api: Api, member: Member, admin: Member) -> None:
        created = await create(api, admin, **SEED_BODY)

        response = await api.as_(member).get(f"{PROJECTS}/{created['id']}")

        assert response.status_code == 200
        assert response.json() == {"project": created}

    async def test_unknown_is_404(self, api: Api, admin: Member) -> None:
        response = await api.as_(admin).get(f"{PROJECTS}/999999")

        assert response.status_code == 404
        assert response.json()["error_code"] == "not_found"

    async def test_project_of_another_organization_is_not_found(
        self, api: Api, admin: Member, other_org_project: Project
    ) -> None:
        response = await api.as_(admin).get(f"{PROJECTS}/{other_org_project.id}")

        assert response.status_code == 404

    async def test_customer_gets_only_their_clients_project(
        self, api: Api, admin: Member, customer: Member, acme: Client
    ) -> None:
        theirs = await create(api, admin, name="Acme site", client_id=acme.id)
        internal = await create(api, admin, name="Internal")

        allowed = await api.as_(customer).get(f"{PROJECTS}/{theirs['id']}")
        hidden = await api.as_(customer).get(f"{PROJECTS}/{internal['id']}")

        assert allowed.status_code == 200
        assert hidden.status_code == 404


class TestUpdateProject:
    async def test_put_changes_only_the_fields_sent(
        self, api: Api, member: Member, admin: Member, acme: Client
    ) -> None:
        created = await create(api, admin, **SEED_BODY)

        response = await api.as_(member).put(
            f"{PROJECTS}/{created['id']}",
            json={"hourly_rate": 90, "client_id": acme.id, "color": "#00ff00"},
        )

        assert response.status_code == 200
        project = response.json()["project"]
        assert project["hourly_rate"] == 90.0
        assert project["client"] == {"id": acme.id, "name": "Acme Corp"}
        assert project["color"] == "#00FF00"
        assert project["name"] == "Website Redesign"
        assert project["estimated_hours"] == 120

    async def test_patch_clears_nullable_fields(self, api: Api, admin: Member) -> None:
        created = await create(api, admin, **SEED_BODY)

        response = await api.as_(admin).patch(
            f"{PROJECTS}/{created['id']}", json={"hourly_rate": None, "description": None}
        )

        assert response.status_code == 200
        assert response.json()["project"]["hourly_rate"] is None
        assert response.json()["project"]["description"] is None

    async def test_null_name_and_bad_values_are_400(self, api: Api, admin: Member) -> None:
        created = await create(api, admin)
        for fields in ({"name": None}, {"status": None}, {"color": "#12345"}):
            response = await api.as_(admin).put(f"{PROJECTS}/{created['id']}", json=fields)
            assert response.status_code == 400, fields

    async def test_budget_checked_against_the_stored_project(self, api: Api, admin: Member) -> None:
        created = await create(api, admin, budget_type="hours", budget_hours=10)

        switched = await api.as_(admin).put(
            f"{PROJECTS}/{created['id']}", json={"budget_type": "money"}
        )
        consistent = await api.as_(admin).put(
            f"{PROJECTS}/{created['id']}",
            json={"budget_type": "money", "budget_hours": None, "budget_amount": 100},
        )

        assert switched.status_code == 400
        assert consistent.status_code == 200
        assert consistent.json()["project"]["budget_amount"] == 100

    async def test_rename_to_taken_name_is_409(self, api: Api, admin: Member) -> None:
        await create(api, admin, name="Website")
        shop = await create(api, admin, name="Shop")

        response = await api.as_(admin).put(f"{PROJECTS}/{shop['id']}", json={"name": "website"})
        same = await api.as_(admin).put(f"{PROJECTS}/{shop['id']}", json={"name": "SHOP"})

        assert response.status_code == 409
        assert response.json()["error_code"] == "project_name_taken"
        assert same.status_code == 200

    async def test_foreign_client_is_invalid_reference(
        self, api: Api, admin: Member, factory: Factory, other_owner: Member
    ) -> None:
        created = await create(api, admin)
        theirs = await factory.client(other_owner.organization)

        response = await api.as_(admin).put(
            f"{PROJECTS}/{created['id']}", json={"client_id": theirs.id}
        )

        assert response.status_code == 422
        assert response.json()["error_code"] == "invalid_reference"

    async def test_archive_and_reactivate(self, api: Api, admin: Member) -> None:
        created = await create(api, admin)
        url = f"{PROJECTS}/{created['id']}"

        archived = (await api.as_(admin).put(url, json={"status": "archived"})).json()["project"]
        active = (await api.as_(admin).put(url, json={"status": "active"})).json()["project"]

        assert archived["archived_at"] is not None
        assert archived["is_active"] is False
        assert active["archived_at"] is None
        assert active["is_active"] is True

    async def test_deactivation_emails_every_internal_member(
        self,
        api: Api,
        factory: Factory,
        owner: Member,
        admin: Member,
        member: Member,
        viewer: Member,
        customer: Member,
        acme: Client,
    ) -> None:
        created = await create(api, admin, name="Website", client_id=acme.id)

        response = await api.as_(member).put(
            f"{PROJECTS}/{created['id']}", json={"status": "on_hold"}
        )

        assert response.status_code == 200
        internal = sorted(m.user.email for m in (owner, admin, member, viewer))
        assert await deactivation_emails(factory, owner) == internal
        assert customer.user.email not in await deactivation_emails(factory, owner)
        subject = await factory.session.scalar(
            select(OutboundEmail.subject).where(OutboundEmail.to_address == owner.user.email)
        )
        assert subject == "Project Website for Acme Corp was put on hold"

    async def test_no_email_when_status_does_not_leave_active(
        self, api: Api, factory: Factory, owner: Member, admin: Member
    ) -> None:
        created = await create(api, admin)
        url = f"{PROJECTS}/{created['id']}"

        await api.as_(admin).put(url, json={"status": "active", "name": "Renamed"})
        assert await deactivation_emails(factory, owner) == []
        await api.as_(admin).put(url, json={"status": "on_hold"})
        await api.as_(admin).put(url, json={"status": "archived"})

        assert len(await deactivation_emails(factory, owner)) == 2

    async def test_project_of_another_organization_is_not_found_and_unchanged(
        self, api: Api, admin: Member, other_org_project: Project, factory: Factory
    ) -> None:
        for method in ("PUT", "PATCH"):
            response = await api.as_(admin).request(
                method, f"{PROJECTS}/{other_org_project.id}", json={"name": "Hijacked"}
            )
            assert response.status_code == 404
        await factory.session.refresh(other_org_project)
        assert other_org_project.name == "Their Project"

    async def test_viewer_and_customer_cannot_update(
        self, api: Api, admin: Member, viewer: Member, customer: Member, acme: Client
    ) -> None:
        created = await create(api, admin, client_id=acme.id)
        for who in (viewer, customer):
            response = await api.as_(who).put(f"{PROJECTS}/{created['id']}", json={"name": "X"})
            assert response.status_code == 403

    async def test_token_needs_write_projects(self, api: Api, owner: Member) -> None:
        created = await create(api, owner)
        reader, _ = await issue_token(api, owner, scopes=["read:projects"])

        response = await api.as_(reader).patch(f"{PROJECTS}/{created['id']}", json={"name": "X"})

        assert response.status_code == 403
        assert response.json()["required_scope"] == "write:projects"


class TestDeleteProject:
    async def test_archives_by_default(
        self, api: Api, member: Member, admin: Member, owner: Member, factory: Factory
    ) -> None:
        created = await create(api, admin)

        response = await api.as_(member).delete(f"{PROJECTS}/{created['id']}")

        assert response.status_code == 200
        body = response.json()
        assert body["message"] == "Project archived"
        assert body["project"]["status"] == "archived"
        assert body["project"]["archived_at"] is not None
        fetched = await api.as_(admin).get(f"{PROJECTS}/{created['id']}")
        assert fetched.json()["project"]["status"] == "archived"
        assert len(await deactivation_emails(factory, owner)) == 3

    async def test_permanent_delete(self, api: Api, admin: Member, factory: Factory) -> None:
        created = await create(api, admin)

        response = await api.as_(admin).delete(f"{PROJECTS}/{created['id']}?permanent=true")

        assert response.status_code == 200
        assert response.json() == {"message": "Project deleted"}
        assert (await api.as_(admin).get(f"{PROJECTS}/{created['id']}")).status_code == 404

    async def test_permanent_delete_of_a_project_with_tasks_is_409(
        self, api: Api, admin: Member, factory: Factory
    ) -> None:
        created = await create(api, admin)
        factory.session.add(
            Task(organization_id=admin.organization.id, project_id=created["id"], name="Build")
        )
        await factory.session.commit()

        response = await api.as_(admin).delete(f"{PROJECTS}/{created['id']}?permanent=true")

        assert response.status_code == 409
        assert response.json()["error_code"] == "project_in_use"
        assert response.json()["usages"] == {"tasks": 1}
        assert (await api.as_(admin).get(f"{PROJECTS}/{created['id']}")).status_code == 200

    async def test_permanent_delete_needs_project_delete(
        self, api: Api, admin: Member, member: Member
    ) -> None:
        created = await create(api, admin)

        response = await api.as_(member).delete(f"{PROJECTS}/{created['id']}?permanent=true")

        assert response.status_code == 403
        assert response.json()["required_permission"] == "project.delete"
        assert (await api.as_(admin).get(f"{PROJECTS}/{created['id']}")).status_code == 200

    async def test_project_of_another_organization_is_not_found_and_unchanged(
        self, api: Api, owner: Member, other_org_project: Project, factory: Factory
    ) -> None:
        archived = await api.as_(owner).delete(f"{PROJECTS}/{other_org_project.id}")
        deleted = await api.as_(owner).delete(f"{PROJECTS}/{other_org_project.id}?permanent=true")

        assert archived.status_code == deleted.status_code == 404
        await factory.session.refresh(other_org_project)
        assert other_org_project.status == "active"

    async def test_viewer_cannot_delete(self, api: Api, admin: Member, viewer: Member) -> None:
        created = await create(api, admin)

        response = await api.as_(viewer).delete(f"{PROJECTS}/{created['id']}")

        assert response.status_code == 403

    async def test_token_needs_write_projects(self, api: Api, owner: Member) -> None:
        created = await create(api, owner)
        reader, _ = await issue_token(api, owner, scopes=["read:projects"])

        response = await api.as_(reader).delete(f"{PROJECTS}/{created['id']}")

        assert response.status_code == 403
        assert response.json()["required_scope"] == "write:projects"


class TestFindOrCreateProject:
    async def test_creates_then_finds_whatever_the_case(self, api: Api, member: Member) -> None:
        url = f"{PROJECTS}/find-or-create"

        first = await api.as_(member).post(url, json={"title": "Deep Work"})
        second = await api.as_(member).post(url, json={"title": "  deep WORK "})

        assert first.status_code == 201
        assert first.json()["created"] is True
        assert first.json()["project"]["name"] == "Deep Work"
        assert second.status_code == 200
        assert second.json()["created"] is False
        assert second.json()["project"]["id"] == first.json()["project"]["id"]

    async def test_finds_projects_of_clients(self, api: Api, admin: Member, acme: Client) -> None:
        created = await create(api, admin, name="Support", client_id=acme.id)

        response = await api.as_(admin).post(
            f"{PROJECTS}/find-or-create", json={"title": "support"}
        )

        assert response.status_code == 200
        assert response.json()["project"]["id"] == created["id"]
        assert response.json()["project"]["client"] == {"id": acme.id, "name": "Acme Corp"}

    async def test_ignores_archived_projects(self, api: Api, admin: Member) -> None:
        old = await create(api, admin, name="Deep Work", status="archived")

        response = await api.as_(admin).post(
            f"{PROJECTS}/find-or-create", json={"title": "Deep Work"}
        )

        assert response.status_code == 201
        assert response.json()["project"]["id"] != old["id"]
        assert response.json()["project"]["status"] == "active"

    async def test_ignores_other_organizations(
        self, api: Api, admin: Member, other_org_project: Project
    ) -> None:
        response = await api.as_(admin).post(
            f"{PROJECTS}/find-or-create", json={"title": other_org_project.name}
        )

        assert response.status_code == 201
        assert response.json()["project"]["id"] != other_org_project.id

    async def test_viewer_cannot(self, api: Api, viewer: Member) -> None:
        response = await api.as_(viewer).post(f"{PROJECTS}/find-or-create", json={"title": "X"})

        assert response.status_code == 403

    async def test_empty_title_is_400(self, api: Api, admin: Member) -> None:
        response = await api.as_(admin).post(f"{PROJECTS}/find-or-create", json={"title": " "})

        assert response.status_code == 400
