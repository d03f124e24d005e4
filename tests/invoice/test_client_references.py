"""A client that invoices or quotes name is archived, never deleted: the foreign keys
refuse its deletion (RESTRICT), so `DELETE /clients/{id}` must see them."""

from __future__ import annotations

from tests.invoice.conftest import manual
from tests.support import Api, Factory, Member


async def test_a_client_with_an_invoice_is_archived(
    api: Api, factory: Factory, owner: Member
) -> None:
    client = await factory.client(owner.organization, name="Invoiced only")
    await manual(api, owner, client)

    response = await api.as_(owner).delete(f"/api/v1/clients/{client.id}")

    assert response.status_code == 200, response.text
    assert response.json()["message"] == "Client archived"
