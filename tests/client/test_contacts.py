"""A client's contacts (S2.1): name, title, email, phone, one primary."""

from __future__ import annotations

from typing import Any

from clocktower.models import Client
from tests.api_token.support import issue_token
from tests.client.conftest import add_contact, customer_of
from tests.support import Api, Factory, Member


def contacts_of(client: Client) -> str:
    return f"/api/v1/clients/{client.id}/contacts"


async def primaries(api: Api, who: Member, client: Client) -> list[str]:
    listed: list[dict[str, Any]] = (await api.as_(who).get(contacts_of(client))).json()["contacts"]
    return [c["name"] for c in listed if c["is_primary"]]


class TestListContacts:
    async def test_lists_primary_first(
        self, api: Api, viewer: Member, factory: Factory, acme: Client
    ) -> None:
        await add_contact(factory, acme, name="Ann")
        await add_contact(factory, acme, name="Zoe", is_primary=True)

        response = await api.as_(viewer).get(contacts_of(acme))

        assert response.status_code == 200
        assert [c["name"] for c in response.json()["contacts"]] == ["Zoe", "Ann"]

    async def test_other_organisation_is_404(
        self, api: Api, owner: Member, other_client: Client
    ) -> None:
        response = await api.as_(owner).get(contacts_of(other_client))

        assert response.status_code == 404

    async def test_customer_of_another_client_is_404(
        self, api: Api, owner: Member, factory: Factory, acme: Client
    ) -> None:
        another = await factory.client(owner.organization, name="Another")
        customer = await customer_of(factory, owner, another)

        assert (await api.as_(customer).get(contacts_of(acme))).status_code == 404
        assert (await api.as_(customer).get(contacts_of(another))).status_code == 200


class TestCreateContact:
    async def test_creates(self, api: Api, admin: Member, acme: Client) -> None:
        body = {
            "name": "Pat Doe",
            "title": "CTO",
            "email": "pat@example.com",
            "phone": "+31 20 123",
            "is_primary": True,
        }

        response = await api.as_(admin).post(contacts_of(acme), json=body)

        assert response.status_code == 201
        contact = response.json()["contact"]
        assert {k: contact[k] for k in body} == body
        assert contact["client_id"] == acme.id

    async def test_new_primary_clears_the_old_one(
        self, api: Api, admin: Member, factory: Factory, acme: Client
    ) -> None:
        await add_contact(factory, acme, name="Old", is_primary=True)

        await api.as_(admin).post(contacts_of(acme), json={"name": "New", "is_primary": True})

        assert await primaries(api, admin, acme) == ["New"]

    async def test_invalid_body_is_400(self, api: Api, admin: Member, acme: Client) -> None:
        for body in ({"title": "x"}, {"name": "x", "email": "nope"}, {"name": "x", "y": 1}):
            response = await api.as_(admin).post(contacts_of(acme), json=body)
            assert response.status_code == 400, body

    async def test_other_organisation_is_404(
        self, api: Api, owner: Member, other_client: Client
    ) -> None:
        response = await api.as_(owner).post(contacts_of(other_client), json={"name": "X"})

        assert response.status_code == 404

    async def test_viewer_and_read_token_cannot_create(
        self, api: Api, admin: Member, viewer: Member, acme: Client
    ) -> None:
        token, _ = await issue_token(api, admin, scopes=["read:clients"])

        denied = await api.as_(viewer).post(contacts_of(acme), json={"name": "X"})
        scoped = await api.as_(token).post(contacts_of(acme), json={"name": "X"})

        assert denied.status_code == 403
        assert scoped.status_code == 403
        assert scoped.json()["required_scope"] == "write:clients"


class TestUpdateContact:
    async def test_put_and_patch_change_sent_fields(
        self, api: Api, admin: Member, factory: Factory, acme: Client
    ) -> None:
        contact = await add_contact(factory, acme, name="Pat")

        put = await api.as_(admin).put(f"{contacts_of(acme)}/{contact.id}", json={"title": "CEO"})
        patch = await api.as_(admin).patch(
            f"{contacts_of(acme)}/{contact.id}", json={"phone": "123"}
        )

        assert put.status_code == patch.status_code == 200
        assert patch.json()["contact"]["title"] == "CEO"
        assert patch.json()["contact"]["phone"] == "123"
        assert patch.json()["contact"]["name"] == "Pat"

    async def test_making_primary_clears_the_others(
        self, api: Api, admin: Member, factory: Factory, acme: Client
    ) -> None:
        await add_contact(factory, acme, name="Old", is_primary=True)
        second = await add_contact(factory, acme, name="Second")

        await api.as_(admin).patch(f"{contacts_of(acme)}/{second.id}", json={"is_primary": True})

        assert await primaries(api, admin, acme) == ["Second"]

    async def test_null_name_is_400(
        self, api: Api, admin: Member, factory: Factory, acme: Client
    ) -> None:
        contact = await add_contact(factory, acme)

        response = await api.as_(admin).put(
            f"{contacts_of(acme)}/{contact.id}", json={"name": None}
        )

        assert response.status_code == 400

    async def test_unknown_contact_is_404(self, api: Api, admin: Member, acme: Client) -> None:
        response = await api.as_(admin).put(f"{contacts_of(acme)}/999999", json={"name": "X"})

        assert response.status_code == 404
        assert response.json()["message"] == "Contact not found"

    async def test_contact_of_another_client_is_404(
        self, api: Api, admin: Member, owner: Member, factory: Factory, acme: Client
    ) -> None:
        another = await factory.client(owner.organization, name="Another")
        contact = await add_contact(factory, another)

        response = await api.as_(admin).patch(
            f"{contacts_of(acme)}/{contact.id}", json={"name": "X"}
        )

        assert response.status_code == 404

    async def test_other_organisation_is_404_and_unchanged(
        self, api: Api, owner: Member, other_owner: Member, factory: Factory, other_client: Client
    ) -> None:
        contact = await add_contact(factory, other_client, name="Theirs")

        response = await api.as_(owner).put(
            f"{contacts_of(other_client)}/{contact.id}", json={"name": "Mine"}
        )

        assert response.status_code == 404
        listed = await api.as_(other_owner).get(contacts_of(other_client))
        assert [c["name"] for c in listed.json()["contacts"]] == ["Theirs"]


class TestDeleteContact:
    async def test_deletes(self, api: Api, admin: Member, factory: Factory, acme: Client) -> None:
        contact = await add_contact(factory, acme)

        response = await api.as_(admin).delete(f"{contacts_of(acme)}/{contact.id}")

        assert response.json() == {"message": "Contact deleted"}
        assert (await api.as_(admin).get(contacts_of(acme))).json()["contacts"] == []

    async def test_unknown_is_404(self, api: Api, admin: Member, acme: Client) -> None:
        response = await api.as_(admin).delete(f"{contacts_of(acme)}/999999")

        assert response.status_code == 404

    async def test_other_organisation_is_404(
        self, api: Api, owner: Member, other_owner: Member, factory: Factory, other_client: Client
    ) -> None:
        contact = await add_contact(factory, other_client)

        response = await api.as_(owner).delete(f"{contacts_of(other_client)}/{contact.id}")

        assert response.status_code == 404
        listed = await api.as_(other_owner).get(contacts_of(other_client))
        assert len(listed.json()["contacts"]) == 1

    async def test_member_cannot_delete(
        self, api: Api, member: Member, factory: Factory, acme: Client
    ) -> None:
        contact = await add_contact(factory, acme)

        response = await api.as_(member).delete(f"{contacts_of(acme)}/{contact.id}")

        assert response.status_code == 403
