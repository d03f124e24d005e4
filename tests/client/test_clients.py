"""Clients (S2.1, seed 002 /api/v1/clients): list, read, create, change, archive/delete."""

from __future__ import annotations

from typing import Any

from clocktower.models import Client
from tests.api_token.support import issue_token
from tests.client.conftest import (
    add_contact,
    add_project,
    add_task,
    client_count,
    customer_of,
    projects_of,
    reload,
)
from tests.support import Api, Factory, Member

CLIENTS = "/api/v1/clients"
SEED_BODY = {
    "name": "Acme Corp",
    "email": "contact@acme.com",
    "company": "Acme Corporation",
    "phone": "+1-555-0123",
}


async def create(api: Api, who: Member, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = await api.as_(who).post(CLIENTS, json=body or SEED_BODY)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


class TestCreateClient:
    async def test_seed_body_creates_client_and_general_support(
        self, api: Api, admin: Member, factory: Factory
    ) -> None:
        answer = await create(api, admin)

        assert answer["message"] == "Client created"
        client = answer["client"]
        assert {k: client[k] for k in SEED_BODY} == SEED_BODY
        assert client["is_active"] is True
        assert client["projects_count"] == 1
        assert client["contacts"] == []
        assert client["default_hourly_rate"] is None
        assert client["created_at"].endswith("Z")
        [project] = await projects_of(factory, client["id"])
        assert project.name == "General Support"
        assert project.status == "active"
        assert project.is_default_for_client is True
        assert project.billable is True
        assert project.organization_id == admin.organization.id

    async def test_all_fields_round_trip(self, api: Api, admin: Member) -> None:
        body = {
            **SEED_BODY,
            "address": "1 Main St",
            "notes": "Pays on time",
            "currency": "USD",
            "default_hourly_rate": "125.50",
            "external_id": "789012",
            "xero_contact_id": "x-1",
            "moneybird_contact_id": "m-1",
            "connectwise_company_id": "c-1",
        }

        client = (await create(api, admin, body))["client"]

        assert client["default_hourly_rate"] == 125.5
        assert client["currency"] == "USD"
        assert client["external_id"] == "789012"
        assert client["connectwise_company_id"] == "c-1"

    async def test_setting_off_creates_no_project(
        self, api: Api, owner: Member, factory: Factory
    ) -> None:
        changed = await api.as_(owner).put(
            "/api/v1/settings", json={"auto_create_general_support_project": False}
        )
        assert changed.status_code == 200

        client = (await create(api, owner))["client"]

        assert client["projects_count"] == 0
        assert await projects_of(factory, client["id"]) == []

    async def test_idempotent_create_replays(
        self, api: Api, admin: Member, factory: Factory
    ) -> None:
        headers = {"Idempotency-Key": "create-acme-1"}
        first = await api.as_(admin).post(CLIENTS, json=SEED_BODY, headers=headers)
        second = await api.as_(admin).post(CLIENTS, json=SEED_BODY, headers=headers)

        assert first.status_code == second.status_code == 201
        assert first.json() == second.json()
        assert await client_count(factory, admin.organization.id) == 1

    async def test_key_reused_with_another_body_is_422(self, api: Api, admin: Member) -> None:
        headers = {"Idempotency-Key": "create-acme-2"}
        await api.as_(admin).post(CLIENTS, json=SEED_BODY, headers=headers)
        other = await api.as_(admin).post(CLIENTS, json={"name": "Other"}, headers=headers)

        assert other.status_code == 422
        assert other.json()["error_code"] == "idempotency_key_reused"

    async def test_invalid_fields_are_validation_errors(self, api: Api, admin: Member) -> None:
        for body in (
            {"email": "a@b.co"},
            {"name": ""},
            {"name": "X", "currency": "euro"},
            {"name": "X", "default_hourly_rate": -1},
            {"name": "X", "default_hourly_rate": "1.234"},
            {"name": "X", "email": "not-an-email"},
            {"name": "X", "unknown": 1},
        ):
            response = await api.as_(admin).post(CLIENTS, json=body)
            assert response.status_code == 400, body
            assert response.json()["error_code"] == "validation_error"

    async def test_member_and_viewer_cannot_create(
        self, api: Api, member: Member, viewer: Member
    ) -> None:
        for who in (member, viewer):
            response = await api.as_(who).post(CLIENTS, json=SEED_BODY)
            assert response.status_code == 403
            assert response.json()["required_permission"] == "client.create"

    async def test_customer_cannot_create(
        self, api: Api, owner: Member, factory: Factory, acme: Client
    ) -> None:
        customer = await customer_of(factory, owner, acme)

        response = await api.as_(customer).post(CLIENTS, json=SEED_BODY)

        assert response.status_code == 403

    async def test_read_scope_token_cannot_create(self, api: Api, admin: Member) -> None:
        token, _ = await issue_token(api, admin, scopes=["read:clients"])

        response = await api.as_(token).post(CLIENTS, json=SEED_BODY)

        assert response.status_code == 403
        assert response.json()["required_scope"] == "write:clients"
        assert response.json()["available_scopes"] == ["read:clients"]

    async def test_write_scope_token_creates(self, api: Api, admin: Member) -> None:
        token, _ = await issue_token(api, admin, scopes=["write:clients"])

        response = await api.as_(token).post(CLIENTS, json=SEED_BODY)

        assert response.status_code == 201

    async def test_anonymous_is_401(self, api: Api) -> None:
        response = await api.post(CLIENTS, json=SEED_BODY)

        assert response.status_code == 401


class TestListClients:
    async def test_lists_by_name_with_pagination(
        self, api: Api, owner: Member, factory: Factory
    ) -> None:
        for name in ("Zeta", "alpha", "Mid"):
            await factory.client(owner.organization, name=name)

        response = await api.as_(owner).get(CLIENTS, params={"per_page": 2})

        assert response.status_code == 200
        body = response.json()
        assert [c["name"] for c in body["clients"]] == ["alpha", "Mid"]
        assert body["pagination"]["total"] == 3
        assert body["pagination"]["has_next"] is True
        assert "contacts" not in body["clients"][0]

    async def test_projects_count(
        self, api: Api, owner: Member, factory: Factory, acme: Client
    ) -> None:
        await add_project(factory, acme, name="One")
        await add_project(factory, acme, name="Two")
        await factory.client(owner.organization, name="Bare")

        body = (await api.as_(owner).get(CLIENTS)).json()

        counts = {c["name"]: c["projects_count"] for c in body["clients"]}
        assert counts == {"Acme Corp": 2, "Bare": 0}

    async def test_active_filter(self, api: Api, owner: Member, factory: Factory) -> None:
        await factory.client(owner.organization, name="Live")
        archived = await factory.client(owner.organization, name="Gone")
        archived.is_active = False
        await factory.session.commit()

        active = (await api.as_(owner).get(CLIENTS, params={"active": "true"})).json()
        inactive = (await api.as_(owner).get(CLIENTS, params={"active": "false"})).json()

        assert [c["name"] for c in active["clients"]] == ["Live"]
        assert [c["name"] for c in inactive["clients"]] == ["Gone"]

    async def test_search_name_email_company_and_q_alias(
        self, api: Api, owner: Member, factory: Factory
    ) -> None:
        await create(api, owner, {"name": "Acme", "email": "x@one.example.com"})
        await create(api, owner, {"name": "Beta", "email": "hello@ACMEMAIL.example.com"})
        await create(api, owner, {"name": "Gamma", "company": "The ACME group"})
        await create(api, owner, {"name": "Delta 100%"})

        by_search = (await api.as_(owner).get(CLIENTS, params={"search": "acme"})).json()
        by_q = (await api.as_(owner).get(CLIENTS, params={"q": "ACME"})).json()
        literal = (await api.as_(owner).get(CLIENTS, params={"q": "0%"})).json()
        underscore = (await api.as_(owner).get(CLIENTS, params={"q": "_"})).json()

        assert [c["name"] for c in by_search["clients"]] == ["Acme", "Beta", "Gamma"]
        assert [c["name"] for c in by_q["clients"]] == ["Acme", "Beta", "Gamma"]
        assert [c["name"] for c in literal["clients"]] == ["Delta 100%"]
        assert underscore["clients"] == []

    async def test_other_organisations_clients_are_not_listed(
        self, api: Api, owner: Member, acme: Client, other_client: Client
    ) -> None:
        body = (await api.as_(owner).get(CLIENTS)).json()

        assert [c["id"] for c in body["clients"]] == [acme.id]

    async def test_viewer_and_member_can_list(
        self, api: Api, viewer: Member, member: Member, acme: Client
    ) -> None:
        for who in (viewer, member):
            response = await api.as_(who).get(CLIENTS)
            assert response.status_code == 200
            assert [c["id"] for c in response.json()["clients"]] == [acme.id]

    async def test_customer_sees_only_their_client(
        self, api: Api, owner: Member, factory: Factory, acme: Client
    ) -> None:
        await factory.client(owner.organization, name="Someone Else")
        customer = await customer_of(factory, owner, acme)

        body = (await api.as_(customer).get(CLIENTS)).json()

        assert [c["id"] for c in body["clients"]] == [acme.id]
        assert body["pagination"]["total"] == 1

    async def test_token_scopes(self, api: Api, admin: Member) -> None:
        reader, _ = await issue_token(api, admin, scopes=["read:clients"])
        other, _ = await issue_token(api, admin, scopes=["read:projects"])

        assert (await api.as_(reader).get(CLIENTS)).status_code == 200
        denied = await api.as_(other).get(CLIENTS)
        assert denied.status_code == 403
        assert denied.json()["required_scope"] == "read:clients"

    async def test_bad_filters_are_400(self, api: Api, owner: Member) -> None:
        for params in ({"active": "maybe"}, {"per_page": 0}, {"search": "x" * 201}):
            response = await api.as_(owner).get(CLIENTS, params=params)
            assert response.status_code == 400, params

    async def test_query_count_does_not_grow_with_rows(
        self, api: Api, owner: Member, factory: Factory, queries: Any
    ) -> None:
        first = await factory.client(owner.organization, name="Client 0")
        await add_project(factory, first)
        with queries:
            one = await api.as_(owner).get(CLIENTS)
        single = queries.count
        for number in range(1, 7):
            client = await factory.client(owner.organization, name=f"Client {number}")
            await add_project(factory, client, name="A")
            await add_project(factory, client, name="B")
        with queries:
            many = await api.as_(owner).get(CLIENTS)

        assert len(one.json()["clients"]) == 1
        assert len(many.json()["clients"]) == 7
        assert {c["projects_count"] for c in many.json()["clients"][1:]} == {2}
        assert queries.count == single


class TestGetClient:
    async def test_returns_client_with_contacts(
        self, api: Api, owner: Member, factory: Factory, acme: Client
    ) -> None:
        await add_contact(factory, acme, name="Zed")
        await add_contact(factory, acme, name="Pat", is_primary=True)
        await add_project(factory, acme)

        response = await api.as_(owner).get(f"{CLIENTS}/{acme.id}")

        assert response.status_code == 200
        client = response.json()["client"]
        assert client["name"] == "Acme Corp"
        assert client["projects_count"] == 1
        assert [(c["name"], c["is_primary"]) for c in client["contacts"]] == [
            ("Pat", True),
            ("Zed", False),
        ]

    async def test_unknown_is_404(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).get(f"{CLIENTS}/999999")

        assert response.status_code == 404
        assert response.json()["error_code"] == "not_found"

    async def test_other_organisation_is_404(
        self, api: Api, owner: Member, other_client: Client
    ) -> None:
        response = await api.as_(owner).get(f"{CLIENTS}/{other_client.id}")

        assert response.status_code == 404

    async def test_customer_reads_own_and_not_another(
        self, api: Api, owner: Member, factory: Factory, acme: Client
    ) -> None:
        another = await factory.client(owner.organization, name="Another")
        customer = await customer_of(factory, owner, acme)

        own = await api.as_(customer).get(f"{CLIENTS}/{acme.id}")
        other = await api.as_(customer).get(f"{CLIENTS}/{another.id}")

        assert own.status_code == 200
        assert other.status_code == 404

    async def test_viewer_reads(self, api: Api, viewer: Member, acme: Client) -> None:
        assert (await api.as_(viewer).get(f"{CLIENTS}/{acme.id}")).status_code == 200


class TestUpdateClient:
    async def test_put_changes_only_sent_fields(
        self, api: Api, admin: Member, acme: Client
    ) -> None:
        response = await api.as_(admin).put(
            f"{CLIENTS}/{acme.id}",
            json={"email": "new@acme.example.com", "default_hourly_rate": 90},
        )

        assert response.status_code == 200
        client = response.json()["client"]
        assert response.json()["message"] == "Client updated"
        assert client["email"] == "new@acme.example.com"
        assert client["default_hourly_rate"] == 90.0
        assert client["name"] == "Acme Corp"

    async def test_patch_clears_nullable_and_archives(
        self, api: Api, admin: Member, factory: Factory
    ) -> None:
        created = (await create(api, admin, {**SEED_BODY, "default_hourly_rate": 10}))["client"]

        response = await api.as_(admin).patch(
            f"{CLIENTS}/{created['id']}",
            json={"phone": None, "default_hourly_rate": None, "is_active": False},
        )

        client = response.json()["client"]
        assert client["phone"] is None
        assert client["default_hourly_rate"] is None
        assert client["is_active"] is False

    async def test_null_name_is_400(self, api: Api, admin: Member, acme: Client) -> None:
        response = await api.as_(admin).put(f"{CLIENTS}/{acme.id}", json={"name": None})

        assert response.status_code == 400

    async def test_other_organisation_is_404_and_unchanged(
        self, api: Api, owner: Member, factory: Factory, other_client: Client
    ) -> None:
        for method in ("PUT", "PATCH"):
            response = await api.as_(owner).request(
                method, f"{CLIENTS}/{other_client.id}", json={"name": "Stolen"}
            )
            assert response.status_code == 404
        found = await reload(factory, other_client)
        assert found is not None
        assert found.name == "Elsewhere Ltd"

    async def test_viewer_and_member_cannot_update(
        self, api: Api, viewer: Member, member: Member, acme: Client
    ) -> None:
        for who in (viewer, member):
            response = await api.as_(who).put(f"{CLIENTS}/{acme.id}", json={"name": "X"})
            assert response.status_code == 403


class TestDeleteClient:
    async def test_untouched_client_is_deleted_with_general_support(
        self, api: Api, admin: Member, factory: Factory
    ) -> None:
        created = (await create(api, admin))["client"]

        response = await api.as_(admin).delete(f"{CLIENTS}/{created['id']}")

        assert response.status_code == 200
        assert response.json() == {"message": "Client deleted"}
        assert await projects_of(factory, created["id"]) == []
        gone = await api.as_(admin).get(f"{CLIENTS}/{created['id']}")
        assert gone.status_code == 404

    async def test_client_with_tasks_is_archived(
        self, api: Api, admin: Member, factory: Factory, acme: Client
    ) -> None:
        support = await add_project(factory, acme, name="General Support", default=True)
        await add_task(factory, support)

        response = await api.as_(admin).delete(f"{CLIENTS}/{acme.id}")

        assert response.json() == {"message": "Client archived"}
        found = await reload(factory, acme)
        assert found is not None
        assert found.is_active is False
        assert len(await projects_of(factory, acme.id)) == 1

    async def test_client_with_other_projects_is_archived(
        self, api: Api, admin: Member, factory: Factory, acme: Client
    ) -> None:
        await add_project(factory, acme, name="Website")

        response = await api.as_(admin).delete(f"{CLIENTS}/{acme.id}")

        assert response.json() == {"message": "Client archived"}

    async def test_client_with_customer_members_is_archived(
        self, api: Api, admin: Member, owner: Member, factory: Factory, acme: Client
    ) -> None:
        await customer_of(factory, owner, acme)

        response = await api.as_(admin).delete(f"{CLIENTS}/{acme.id}")

        assert response.json() == {"message": "Client archived"}

    async def test_other_organisation_is_404_and_kept(
        self, api: Api, owner: Member, factory: Factory, other_client: Client
    ) -> None:
        response = await api.as_(owner).delete(f"{CLIENTS}/{other_client.id}")

        assert response.status_code == 404
        found = await reload(factory, other_client)
        assert found is not None
        assert found.is_active is True

    async def test_member_cannot_delete(self, api: Api, member: Member, acme: Client) -> None:
        response = await api.as_(member).delete(f"{CLIENTS}/{acme.id}")

        assert response.status_code == 403
        assert response.json()["required_permission"] == "client.delete"
