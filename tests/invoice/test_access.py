"""Reading invoices: the list and its filters, one invoice, query counts; and who may do
what: roles, API token scopes, customers, other organisations."""

from __future__ import annotations

from typing import Any

import pytest

from clocktower.models import Client
from tests.api_token.support import issue_token
from tests.conftest import QueryCounter
from tests.invoice.conftest import INVOICES, Book, finalize, invoice_url, manual
from tests.support import Api, Factory, Member

LINE = {"description": "Consulting", "quantity": 1, "unit_price": 10}


async def listed(api: Api, who: Member, **params: Any) -> list[int]:
    response = await api.as_(who).get(INVOICES, params=params)
    assert response.status_code == 200, response.text
    return [invoice["id"] for invoice in response.json()["invoices"]]


class TestList:
    async def test_newest_first_without_lines(self, api: Api, owner: Member, book: Book) -> None:
        first = await manual(api, owner, book.acme)
        second = await manual(api, owner, book.globex)

        response = await api.as_(owner).get(INVOICES)

        body = response.json()
        assert [i["id"] for i in body["invoices"]] == [second["id"], first["id"]]
        assert "lines" not in body["invoices"][0]
        assert body["invoices"][0]["client"] == {"id": book.globex.id, "name": "Globex"}
        assert body["pagination"] == {
            "page": 1,
            "per_page": 50,
            "total": 2,
            "pages": 1,
            "has_next": False,
            "has_prev": False,
            "next_page": None,
            "prev_page": None,
        }

    async def test_filters(self, api: Api, owner: Member, book: Book) -> None:
        march = await manual(api, owner, book.acme, issue_date="2024-03-10")
        april = await manual(api, owner, book.globex, issue_date="2024-04-10")
        sent = await manual(api, owner, book.acme, issue_date="2024-05-10")
        await finalize(api, owner, sent["id"], issue_date="2024-05-10")

        assert await listed(api, owner, status="sent") == [sent["id"]]
        assert await listed(api, owner, status="draft") == [april["id"], march["id"]]
        assert await listed(api, owner, client_id=book.acme.id) == [sent["id"], march["id"]]
        assert await listed(api, owner, date_from="2024-04-01") == [sent["id"], april["id"]]
        assert await listed(api, owner, date_to="2024-04-10") == [april["id"], march["id"]]
        assert await listed(api, owner, date_from="2024-04-01", date_to="2024-04-30") == [
            april["id"]
        ]

    async def test_pages(self, api: Api, owner: Member, book: Book) -> None:
        created = [await manual(api, owner, book.acme) for _ in range(3)]

        response = await api.as_(owner).get(INVOICES, params={"page": 2, "per_page": 2})

        assert [i["id"] for i in response.json()["invoices"]] == [created[0]["id"]]
        assert response.json()["pagination"]["pages"] == 2

    @pytest.mark.parametrize(
        "params", [{"status": "overdue"}, {"per_page": 101}, {"date_from": "yesterday"}]
    )
    async def test_bad_filters_are_400(
        self, api: Api, owner: Member, params: dict[str, Any]
    ) -> None:
        response = await api.as_(owner).get(INVOICES, params=params)

        assert response.status_code == 400

    async def test_no_query_per_invoice(
        self, api: Api, factory: Factory, owner: Member, book: Book, queries: QueryCounter
    ) -> None:
        await manual(api, owner, book.acme)
        with queries:
            one = await api.as_(owner).get(INVOICES)
        single = queries.count
        for _ in range(5):
            client = await factory.client(owner.organization)
            await manual(api, owner, client)

        with queries:
            six = await api.as_(owner).get(INVOICES)

        assert len(one.json()["invoices"]) == 1
        assert len(six.json()["invoices"]) == 6
        assert queries.count == single, queries.statements

    async def test_one_invoice_costs_a_fixed_number_of_queries(
        self, api: Api, owner: Member, book: Book, queries: QueryCounter
    ) -> None:
        small = await manual(api, owner, book.acme)
        large = await manual(api, owner, book.acme, lines=[LINE] * 40)
        with queries:
            await api.as_(owner).get(invoice_url(small["id"]))
        single = queries.count

        with queries:
            response = await api.as_(owner).get(invoice_url(large["id"]))

        assert len(response.json()["invoice"]["lines"]) == 40
        assert queries.count == single


class TestGet:
    async def test_with_lines(self, api: Api, owner: Member, viewer: Member, book: Book) -> None:
        created = await manual(api, owner, book.acme)

        response = await api.as_(viewer).get(invoice_url(created["id"]))

        assert response.status_code == 200
        assert response.json() == {"invoice": created}

    async def test_unknown_is_404(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).get(invoice_url(424242))

        assert response.status_code == 404
        assert response.json()["error_code"] == "not_found"


class TestTenancy:
    async def test_another_organisations_invoice_is_404_everywhere(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member, book: Book
    ) -> None:
        created = await manual(api, owner, book.acme)
        line = f"{invoice_url(created['id'], 'lines')}/{created['lines'][0]['id']}"
        them = api.as_(other_owner)

        answers = [
            await them.get(invoice_url(created["id"])),
            await them.get(invoice_url(created["id"], "pdf")),
            await them.put(invoice_url(created["id"]), json={"notes": "x"}),
            await them.delete(invoice_url(created["id"])),
            await them.post(invoice_url(created["id"], "lines"), json=LINE),
            await them.put(line, json={"quantity": 2}),
            await them.delete(line),
            await them.post(invoice_url(created["id"], "finalize")),
            await them.post(invoice_url(created["id"], "pay")),
            await them.post(invoice_url(created["id"], "void")),
        ]

        assert [a.status_code for a in answers] == [404] * len(answers)
        assert await listed(api, other_owner) == []


class TestPermissions:
    async def test_members_have_no_invoices(self, api: Api, member: Member, book: Book) -> None:
        listing = await api.as_(member).get(INVOICES)
        creating = await api.as_(member).post(
            INVOICES, json={"client_id": book.acme.id, "source": "manual", "lines": [LINE]}
        )

        assert (listing.status_code, creating.status_code) == (403, 403)
        assert listing.json()["required_permission"] == "invoice.fetch.many"
        assert creating.json()["required_permission"] == "invoice.create"

    async def test_viewers_read_but_change_nothing(
        self, api: Api, owner: Member, viewer: Member, book: Book
    ) -> None:
        created = await manual(api, owner, book.acme)
        them = api.as_(viewer)

        assert (await them.get(INVOICES)).status_code == 200
        assert (await them.get(invoice_url(created["id"], "pdf"))).status_code == 200
        refused = {
            "invoice.update": await them.put(invoice_url(created["id"]), json={"notes": "x"}),
            "invoice.delete": await them.delete(invoice_url(created["id"])),
            "invoice.send": await them.post(invoice_url(created["id"], "finalize")),
        }
        for node, response in refused.items():
            assert response.status_code == 403
            assert response.json()["required_permission"] == node

    async def test_admins_do_everything(self, api: Api, admin: Member, book: Book) -> None:
        created = await manual(api, admin, book.acme)

        sent = await api.as_(admin).post(invoice_url(created["id"], "finalize"))

        assert sent.status_code == 200

    async def test_tokens_need_the_invoice_scopes(
        self, api: Api, owner: Member, book: Book
    ) -> None:
        reader, _ = await issue_token(api, owner, scopes=["read:invoices"])
        writer, _ = await issue_token(api, owner, scopes=["read:invoices", "write:invoices"])
        body = {"client_id": book.acme.id, "source": "manual", "lines": [LINE]}

        refused = await api.as_(reader).post(INVOICES, json=body)
        allowed = await api.as_(writer).post(INVOICES, json=body)
        read = await api.as_(reader).get(INVOICES)

        assert refused.status_code == 403
        assert refused.json()["required_scope"] == "write:invoices"
        assert allowed.status_code == 201
        assert read.status_code == 200


class TestCustomers:
    async def test_see_their_clients_issued_invoices_only(
        self, api: Api, owner: Member, customer: Member, book: Book
    ) -> None:
        draft = await manual(api, owner, book.acme)
        issued = await manual(api, owner, book.acme)
        await finalize(api, owner, issued["id"])
        globex = await manual(api, owner, book.globex)
        await finalize(api, owner, globex["id"])
        them = api.as_(customer)

        assert await listed(api, customer) == [issued["id"]]
        assert (await them.get(invoice_url(issued["id"]))).status_code == 200
        pdf = await them.get(invoice_url(issued["id"], "pdf"))
        assert pdf.status_code == 200
        assert pdf.headers["content-type"] == "application/pdf"
        for hidden in (draft, globex):
            assert (await them.get(invoice_url(hidden["id"]))).status_code == 404
            assert (await them.get(invoice_url(hidden["id"], "pdf"))).status_code == 404

    async def test_cannot_draft(self, api: Api, customer: Member, book: Book) -> None:
        response = await api.as_(customer).post(
            INVOICES, json={"client_id": book.acme.id, "source": "manual", "lines": [LINE]}
        )

        assert response.status_code == 403

    async def test_a_customer_with_more_rights_still_sees_only_their_client(
        self, api: Api, factory: Factory, owner: Member, book: Book
    ) -> None:
        # A custom role may hand a customer write rights; the client scoping still holds.
        response = await api.as_(owner).post(
            "/api/v1/roles",
            json={
                "title": "Billing customer",
                "moniker": "billing_customer",
                "permissions": ["invoice.*"],
            },
        )
        assert response.status_code == 201, response.text
        portal = await factory.member(
            owner.organization, "billing_customer", client_id=book.acme.id
        )
        globex = await manual(api, owner, book.globex)
        acme_draft = await manual(api, owner, book.acme)
        other_client: Client = book.globex

        drafted = await api.as_(portal).post(
            INVOICES, json={"client_id": other_client.id, "source": "manual", "lines": [LINE]}
        )
        touched = await api.as_(portal).put(invoice_url(globex["id"]), json={"notes": "x"})
        own_draft = await api.as_(portal).put(invoice_url(acme_draft["id"]), json={"notes": "x"})

        assert drafted.status_code == 422
        assert touched.status_code == 404
        assert own_draft.status_code == 404
