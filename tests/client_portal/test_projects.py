"""A client's projects (seed 000 pillars): list and create under /clients/{client_id}."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from clocktower.models import Client, Project
from tests.client_portal.conftest import add_project
from tests.support import Api, Factory, Member


def _projects(client_id: int) -> str:
    return f"/api/v1/clients/{client_id}/projects"


async def _project_count(factory: Factory, organization_id: int) -> int:
    found = await factory.session.execute(
        select(func.count(Project.id)).where(Project.organization_id == organization_id)
    )
    return int(found.scalar_one())


class TestListClientProjects:
    async def test_lists_only_that_clients_projects_as_projects_does(
        self, api: Api, factory: Factory, owner: Member, acme: Client, globex: Client
    ) -> None:
        website = await add_project(factory, acme, "Website")
        await add_project(factory, globex, "Other")

        response = await api.as_(owner).get(_projects(acme.id))

        assert response.status_code == 200, response.text
        body = response.json()
        assert [p["id"] for p in body["projects"]] == [website.id]
        assert body["projects"][0]["client"] == {"id": acme.id, "name": "Acme Corp"}
        assert body["pagination"]["total"] == 1
        same = await api.as_(owner).get(f"/api/v1/projects/{website.id}")
        assert body["projects"][0] == same.json()["project"]

    async def test_customer_sees_own_client_only(
        self, api: Api, factory: Factory, owner: Member, acme: Client, globex: Client
    ) -> None:
        await add_project(factory, acme, "Website")
        customer = await factory.member(owner.organization, "customer", client_id=acme.id)

        own = await api.as_(customer).get(_projects(acme.id))
        other = await api.as_(customer).get(_projects(globex.id))

        assert own.status_code == 200
        assert len(own.json()["projects"]) == 1
        assert other.status_code == 404
        assert other.json()["error_code"] == "not_found"

    async def test_unknown_and_other_organisations_client_is_404(
        self, api: Api, owner: Member, other_client: Client
    ) -> None:
        for client_id in (other_client.id, 999_999):
            response = await api.as_(owner).get(_projects(client_id))
            assert response.status_code == 404, client_id

    async def test_query_count_does_not_grow_with_rows(
        self, api: Api, factory: Factory, owner: Member, acme: Client, queries: Any
    ) -> None:
        await add_project(factory, acme, "P0")
        with queries:
            one = await api.as_(owner).get(_projects(acme.id))
        single = queries.count
        for number in range(1, 7):
            await add_project(factory, acme, f"P{number}")
        with queries:
            many = await api.as_(owner).get(_projects(acme.id))

        assert len(one.json()["projects"]) == 1
        assert len(many.json()["projects"]) == 7
        assert queries.count == single


class TestCreateClientProject:
    async def test_creates_for_the_client_in_the_path(
        self, api: Api, owner: Member, acme: Client
    ) -> None:
        response = await api.as_(owner).post(
            _projects(acme.id), json={"name": "Support", "hourly_rate": 80}
        )

        assert response.status_code == 201, response.text
        body = response.json()
        assert body["message"] == "Project created"
        assert body["project"]["client"] == {"id": acme.id, "name": "Acme Corp"}
        assert body["project"]["hourly_rate"] == 80.0
        listed = await api.as_(owner).get(_projects(acme.id))
        assert [p["name"] for p in listed.json()["projects"]] == ["Support"]

    async def test_project_rules_apply(
        self, api: Api, factory: Factory, owner: Member, acme: Client
    ) -> None:
        await add_project(factory, acme, "Support")

        taken = await api.as_(owner).post(_projects(acme.id), json={"name": "Support"})
        in_body = await api.as_(owner).post(
            _projects(acme.id), json={"name": "X", "client_id": acme.id}
        )
        invalid = await api.as_(owner).post(_projects(acme.id), json={"name": ""})

        assert taken.status_code == 409
        assert in_body.status_code in (400, 422)
        assert invalid.status_code in (400, 422)
        assert await _project_count(factory, owner.organization.id) == 1

    async def test_other_organisations_client_is_404_and_nothing_created(
        self, api: Api, factory: Factory, owner: Member, other_client: Client
    ) -> None:
        response = await api.as_(owner).post(_projects(other_client.id), json={"name": "Sneaky"})

        assert response.status_code == 404
        assert await _project_count(factory, other_client.organization_id) == 0
        assert await _project_count(factory, owner.organization.id) == 0

    async def test_viewer_cannot_create(
        self, api: Api, factory: Factory, viewer: Member, acme: Client, owner: Member
    ) -> None:
        response = await api.as_(viewer).post(_projects(acme.id), json={"name": "Nope"})

        assert response.status_code == 403
        assert await _project_count(factory, owner.organization.id) == 0
