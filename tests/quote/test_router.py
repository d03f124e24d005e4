"""Quotes over HTTP (seed 002): CRUD with items, numbering, transitions, expiry, accepting
into a project or an invoice, the PDF, permissions, customers and tenancy."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from pypdf import PdfReader

from clocktower.models import Client
from tests.api_token.support import issue_token
from tests.conftest import QueryCounter
from tests.support import Api, Factory, Member

QUOTES = "/api/v1/quotes"
SEED_BODY = {
    "title": "Website maintenance retainer",
    "description": "Monthly maintenance and support",
    "tax_rate": 21.0,
    "currency_code": "EUR",
}
ITEMS = [
    {"description": "Maintenance", "quantity": 12, "unit_price": 450, "unit": "months"},
    {"description": "Emergency hours", "quantity": 2.5, "unit_price": 95.5, "unit": "hours"},
]


def url(quote_id: int, action: str = "") -> str:
    return f"{QUOTES}/{quote_id}" + (f"/{action}" if action else "")


def tomorrow() -> str:
    return (date.today() + timedelta(days=2)).isoformat()


def yesterday() -> str:
    return (date.today() - timedelta(days=2)).isoformat()


@pytest.fixture
async def acme(factory: Factory, owner: Member) -> Client:
    return await factory.client(owner.organization, name="Acme Corp")


@pytest.fixture
async def globex(factory: Factory, owner: Member) -> Client:
    return await factory.client(owner.organization, name="Globex")


@pytest.fixture
async def customer(factory: Factory, owner: Member, acme: Client) -> Member:
    return await factory.member(owner.organization, "customer", client_id=acme.id)


async def create(api: Api, who: Member, client: Client, **fields: Any) -> dict[str, Any]:
    body = {**SEED_BODY, "client_id": client.id, "items": ITEMS, **fields}
    response = await api.as_(who).post(QUOTES, json=body)
    assert response.status_code == 201, response.text
    quote: dict[str, Any] = response.json()["quote"]
    return quote


async def sent(api: Api, who: Member, client: Client, **fields: Any) -> dict[str, Any]:
    quote = await create(api, who, client, **fields)
    response = await api.as_(who).post(url(quote["id"], "send"))
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()["quote"]
    return answer


async def listed(api: Api, who: Member, **params: Any) -> list[int]:
    response = await api.as_(who).get(QUOTES, params=params)
    assert response.status_code == 200, response.text
    return [quote["id"] for quote in response.json()["quotes"]]


class TestCreate:
    async def test_the_seed_body(self, api: Api, owner: Member, acme: Client) -> None:
        response = await api.as_(owner).post(QUOTES, json={**SEED_BODY, "client_id": acme.id})

        assert response.status_code == 201
        body = response.json()
        assert body["message"] == "Quote created"
        quote = body["quote"]
        assert set(quote) == {
            "id",
            "number",
            "client_id",
            "client",
            "title",
            "description",
            "status",
            "tax_rate",
            "currency_code",
            "valid_until",
            "subtotal",
            "tax_amount",
            "total",
            "notes",
            "items",
            "sent_at",
            "accepted_at",
            "rejected_at",
            "project_id",
            "invoice_id",
            "created_by_id",
            "created_at",
            "updated_at",
        }
        assert quote["number"] == f"Q-{date.today().year}-0001"
        assert (quote["title"], quote["status"], quote["tax_rate"], quote["currency_code"]) == (
            "Website maintenance retainer",
            "draft",
            21.0,
            "EUR",
        )
        assert quote["client"] == {"id": acme.id, "name": "Acme Corp"}
        assert (quote["items"], quote["total"]) == ([], 0.0)

    async def test_items_amounts_and_totals(self, api: Api, owner: Member, acme: Client) -> None:
        quote = await create(api, owner, acme, valid_until="2030-01-31", notes="Net 30")

        assert [
            (
                i["position"],
                i["description"],
                i["quantity"],
                i["unit"],
                i["unit_price"],
                i["amount"],
            )
            for i in quote["items"]
        ] == [
            (1, "Maintenance", 12.0, "months", 450.0, 5400.0),
            (2, "Emergency hours", 2.5, "hours", 95.5, 238.75),
        ]
        # 5638.75 x 21 % = 1184.1375 -> 1184.14, rounded once on the subtotal.
        assert (quote["subtotal"], quote["tax_amount"], quote["total"]) == (
            5638.75,
            1184.14,
            6822.89,
        )
        assert (quote["valid_until"], quote["notes"]) == ("2030-01-31", "Net 30")

    async def test_numbers_follow_each_other(self, api: Api, owner: Member, acme: Client) -> None:
        numbers = [(await create(api, owner, acme))["number"] for _ in range(3)]

        year = date.today().year
        assert numbers == [f"Q-{year}-0001", f"Q-{year}-0002", f"Q-{year}-0003"]

    async def test_currency_defaults_to_the_clients(
        self, api: Api, factory: Factory, owner: Member, globex: Client
    ) -> None:
        globex.currency = "USD"
        await factory.session.commit()

        quote = await create(api, owner, globex, currency_code=None)

        assert quote["currency_code"] == "USD"

    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"title": ""}, "title"),
            ({"tax_rate": 101}, "tax_rate"),
            ({"currency_code": "eur"}, "currency_code"),
            ({"valid_until": "not a day"}, "valid_until"),
            (
                {"items": [{"description": "x", "quantity": -1, "unit_price": 1}]},
                "items.0.quantity",
            ),
            ({"surprise": 1}, "surprise"),
        ],
    )
    async def test_bad_bodies_are_400(
        self, api: Api, owner: Member, acme: Client, fields: dict[str, Any], field: str
    ) -> None:
        response = await api.as_(owner).post(
            QUOTES, json={**SEED_BODY, "client_id": acme.id, **fields}
        )

        assert response.status_code == 400
        assert field in response.json()["errors"]

    async def test_a_client_of_another_organisation_is_invalid(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member
    ) -> None:
        theirs = await factory.client(other_owner.organization)

        response = await api.as_(owner).post(QUOTES, json={**SEED_BODY, "client_id": theirs.id})

        assert response.status_code == 422
        assert response.json()["error_code"] == "invalid_reference"


class TestReadAndList:
    async def test_get(self, api: Api, owner: Member, viewer: Member, acme: Client) -> None:
        created = await create(api, owner, acme)

        response = await api.as_(viewer).get(url(created["id"]))

        assert response.json() == {"quote": created}

    async def test_list_newest_first_with_filters_and_pages(
        self, api: Api, owner: Member, acme: Client, globex: Client
    ) -> None:
        first = await create(api, owner, acme)
        second = await sent(api, owner, globex)
        third = await create(api, owner, acme)

        assert await listed(api, owner) == [third["id"], second["id"], first["id"]]
        assert await listed(api, owner, status="sent") == [second["id"]]
        assert await listed(api, owner, client_id=acme.id) == [third["id"], first["id"]]
        page = await api.as_(owner).get(QUOTES, params={"per_page": 2, "page": 2})
        assert [q["id"] for q in page.json()["quotes"]] == [first["id"]]
        assert page.json()["pagination"]["total"] == 3
        assert len(page.json()["quotes"][0]["items"]) == 2

    async def test_no_query_per_quote(
        self, api: Api, owner: Member, acme: Client, queries: QueryCounter
    ) -> None:
        await create(api, owner, acme)
        with queries:
            await api.as_(owner).get(QUOTES)
        single = queries.count
        for _ in range(5):
            await create(api, owner, acme)

        with queries:
            six = await api.as_(owner).get(QUOTES)

        assert len(six.json()["quotes"]) == 6
        assert queries.count == single, queries.statements

    async def test_expired_is_computed_on_read(
        self, api: Api, factory: Factory, owner: Member, acme: Client
    ) -> None:
        fresh = await sent(api, owner, acme, valid_until=tomorrow())
        stale = await sent(api, owner, acme, valid_until=tomorrow())
        draft = await create(api, owner, acme, valid_until=yesterday())
        # Time passes for the second one.
        from clocktower.models import Quote

        stored = await factory.session.get(Quote, stale["id"])
        assert stored is not None
        stored.valid_until = date.today() - timedelta(days=2)
        await factory.session.commit()

        assert (await api.as_(owner).get(url(stale["id"]))).json()["quote"]["status"] == "expired"
        assert await listed(api, owner, status="expired") == [draft["id"], stale["id"]]
        assert await listed(api, owner, status="sent") == [fresh["id"]]
        assert await listed(api, owner, status="draft") == []

    async def test_unknown_is_404(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).get(url(99999))

        assert response.status_code == 404
        assert response.json()["error_code"] == "not_found"

    async def test_bad_status_filter_is_400(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).get(QUOTES, params={"status": "maybe"})

        assert response.status_code == 400


class TestUpdate:
    async def test_partial_and_items_replaced(
        self, api: Api, owner: Member, acme: Client, globex: Client
    ) -> None:
        created = await create(api, owner, acme)

        response = await api.as_(owner).put(
            url(created["id"]),
            json={
                "title": "Retainer 2025",
                "client_id": globex.id,
                "tax_rate": 9,
                "items": [{"description": "Audit", "quantity": 1, "unit_price": 1000}],
            },
        )

        assert response.status_code == 200, response.text
        quote = response.json()["quote"]
        assert (quote["title"], quote["client"]["name"], quote["description"]) == (
            "Retainer 2025",
            "Globex",
            "Monthly maintenance and support",
        )
        assert [item["description"] for item in quote["items"]] == ["Audit"]
        assert (quote["subtotal"], quote["tax_amount"], quote["total"]) == (1000.0, 90.0, 1090.0)

    async def test_a_sent_quote_changes_only_validity_and_notes(
        self, api: Api, owner: Member, acme: Client
    ) -> None:
        quote = await sent(api, owner, acme)

        extended = await api.as_(owner).put(
            url(quote["id"]), json={"valid_until": "2031-01-01", "notes": "Extended"}
        )
        refused = await api.as_(owner).put(url(quote["id"]), json={"items": []})

        assert extended.status_code == 200
        assert extended.json()["quote"]["valid_until"] == "2031-01-01"
        assert refused.status_code == 409
        assert refused.json()["error_code"] == "quote_not_draft"

    async def test_an_accepted_quote_is_fixed(self, api: Api, owner: Member, acme: Client) -> None:
        quote = await sent(api, owner, acme)
        await api.as_(owner).post(url(quote["id"], "accept"), json={"into": "invoice"})

        response = await api.as_(owner).put(url(quote["id"]), json={"notes": "x"})

        assert response.status_code == 409
        assert response.json()["error_code"] == "quote_not_draft"

    @pytest.mark.parametrize("body", [{"title": None}, {"items": None}, {"tax_rate": -1}])
    async def test_bad_changes_are_400(
        self, api: Api, owner: Member, acme: Client, body: dict[str, Any]
    ) -> None:
        created = await create(api, owner, acme)

        response = await api.as_(owner).put(url(created["id"]), json=body)

        assert response.status_code == 400


class TestDelete:
    async def test_drafts_rejected_and_expired_go(
        self, api: Api, owner: Member, acme: Client
    ) -> None:
        draft = await create(api, owner, acme)
        rejected = await sent(api, owner, acme)
        await api.as_(owner).post(url(rejected["id"], "reject"))
        expired = await create(api, owner, acme, valid_until=yesterday())

        answers = [await api.as_(owner).delete(url(q["id"])) for q in (draft, rejected, expired)]

        assert [a.status_code for a in answers] == [200, 200, 200]
        assert answers[0].json() == {"message": "Quote deleted"}
        assert await listed(api, owner) == []

    async def test_sent_and_accepted_stay(self, api: Api, owner: Member, acme: Client) -> None:
        waiting = await sent(api, owner, acme)
        accepted = await sent(api, owner, acme)
        await api.as_(owner).post(url(accepted["id"], "accept"), json={"into": "invoice"})

        answers = [await api.as_(owner).delete(url(q["id"])) for q in (waiting, accepted)]

        assert [a.status_code for a in answers] == [409, 409]
        assert {a.json()["error_code"] for a in answers} == {"quote_not_deletable"}


class TestTransitions:
    async def test_send_and_reject(self, api: Api, owner: Member, acme: Client) -> None:
        quote = await sent(api, owner, acme)
        assert (quote["status"], quote["sent_at"] is not None) == ("sent", True)

        rejected = await api.as_(owner).post(url(quote["id"], "reject"))

        assert rejected.status_code == 200
        assert rejected.json()["quote"]["status"] == "rejected"
        assert rejected.json()["quote"]["rejected_at"] is not None

    async def test_refused_transitions(self, api: Api, owner: Member, acme: Client) -> None:
        draft = await create(api, owner, acme)
        empty = await create(api, owner, acme, items=[])
        stale = await create(api, owner, acme, valid_until=yesterday())
        waiting = await sent(api, owner, acme)
        them = api.as_(owner)

        answers = {
            "reject draft": await them.post(url(draft["id"], "reject")),
            "accept draft": await them.post(url(draft["id"], "accept"), json={"into": "project"}),
            "send empty": await them.post(url(empty["id"], "send")),
            "send expired": await them.post(url(stale["id"], "send")),
            "send sent": await them.post(url(waiting["id"], "send")),
        }

        assert {k: (a.status_code, a.json()["error_code"]) for k, a in answers.items()} == {
            "reject draft": (409, "invalid_transition"),
            "accept draft": (409, "invalid_transition"),
            "send empty": (409, "quote_empty"),
            "send expired": (409, "quote_expired"),
            "send sent": (409, "invalid_transition"),
        }

    async def test_an_expired_quote_is_accepted_once_extended(
        self, api: Api, factory: Factory, owner: Member, acme: Client
    ) -> None:
        quote = await sent(api, owner, acme)
        from clocktower.models import Quote

        stored = await factory.session.get(Quote, quote["id"])
        assert stored is not None
        stored.valid_until = date.today() - timedelta(days=2)
        await factory.session.commit()

        refused = await api.as_(owner).post(url(quote["id"], "accept"), json={"into": "invoice"})
        await api.as_(owner).put(url(quote["id"]), json={"valid_until": tomorrow()})
        accepted = await api.as_(owner).post(url(quote["id"], "accept"), json={"into": "invoice"})

        assert refused.status_code == 409
        assert refused.json()["error_code"] == "quote_expired"
        assert accepted.status_code == 200


class TestAccept:
    async def test_into_a_project_with_the_subtotal_as_budget(
        self, api: Api, owner: Member, acme: Client
    ) -> None:
        quote = await sent(api, owner, acme)

        response = await api.as_(owner).post(url(quote["id"], "accept"), json={"into": "project"})

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["message"] == "Quote accepted"
        assert body["quote"]["status"] == "accepted"
        assert body["quote"]["accepted_at"] is not None
        assert body["invoice_id"] is None
        project = (await api.as_(owner).get(f"/api/v1/projects/{body['project_id']}")).json()[
            "project"
        ]
        assert (project["name"], project["client_id"], project["budget_type"]) == (
            "Website maintenance retainer",
            acme.id,
            "money",
        )
        assert project["budget_amount"] == 5638.75
        assert body["quote"]["project_id"] == project["id"]

    async def test_a_taken_project_name_gets_the_quote_number(
        self, api: Api, owner: Member, acme: Client
    ) -> None:
        taken = await api.as_(owner).post(
            "/api/v1/projects", json={"name": "Website maintenance retainer", "client_id": acme.id}
        )
        assert taken.status_code == 201
        quote = await sent(api, owner, acme)

        response = await api.as_(owner).post(url(quote["id"], "accept"), json={"into": "project"})

        project_id = response.json()["project_id"]
        project = (await api.as_(owner).get(f"/api/v1/projects/{project_id}")).json()["project"]
        assert project["name"] == f"Website maintenance retainer ({quote['number']})"

    async def test_into_a_draft_invoice_with_the_items(
        self, api: Api, owner: Member, acme: Client
    ) -> None:
        quote = await sent(api, owner, acme, notes="As agreed")

        response = await api.as_(owner).post(url(quote["id"], "accept"), json={"into": "invoice"})

        invoice_id = response.json()["invoice_id"]
        invoice = (await api.as_(owner).get(f"/api/v1/invoices/{invoice_id}")).json()["invoice"]
        assert (invoice["status"], invoice["grouping"], invoice["client_id"]) == (
            "draft",
            "quote",
            acme.id,
        )
        assert [
            (line["description"], line["unit"], line["amount"]) for line in invoice["lines"]
        ] == [
            ("Maintenance", "months", 5400.0),
            ("Emergency hours", "hours", 238.75),
        ]
        assert (invoice["tax_rate"], invoice["total"], invoice["notes"]) == (
            21.0,
            quote["total"],
            "As agreed",
        )

    async def test_twice_is_refused(self, api: Api, owner: Member, acme: Client) -> None:
        quote = await sent(api, owner, acme)
        await api.as_(owner).post(url(quote["id"], "accept"), json={"into": "invoice"})

        again = await api.as_(owner).post(url(quote["id"], "accept"), json={"into": "invoice"})

        assert again.status_code == 409
        assert again.json()["error_code"] == "invalid_transition"

    async def test_into_needs_a_known_target(self, api: Api, owner: Member, acme: Client) -> None:
        quote = await sent(api, owner, acme)

        response = await api.as_(owner).post(url(quote["id"], "accept"), json={"into": "order"})

        assert response.status_code == 400

    async def test_making_the_target_needs_its_permission(
        self, api: Api, factory: Factory, owner: Member, acme: Client
    ) -> None:
        role = await api.as_(owner).post(
            "/api/v1/roles",
            json={"title": "Sales", "moniker": "sales", "permissions": ["quote.*"]},
        )
        assert role.status_code == 201, role.text
        seller = await factory.member(owner.organization, "sales")
        quote = await sent(api, owner, acme)

        project = await api.as_(seller).post(url(quote["id"], "accept"), json={"into": "project"})
        invoice = await api.as_(seller).post(url(quote["id"], "accept"), json={"into": "invoice"})

        assert project.status_code == 403
        assert project.json()["required_permission"] == "project.create"
        assert invoice.json()["required_permission"] == "invoice.create"


class TestPdf:
    async def test_prints_number_title_items_and_total(
        self, api: Api, owner: Member, acme: Client
    ) -> None:
        quote = await create(api, owner, acme, valid_until="2030-06-30")

        response = await api.as_(owner).get(url(quote["id"], "pdf"))

        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["content-disposition"] == (
            f'attachment; filename="quote-{quote["number"]}.pdf"'
        )
        reader = PdfReader(io.BytesIO(response.content))
        text = "\n".join(page.extract_text() for page in reader.pages)
        for expected in (
            f"Quote {quote['number']}",
            "Website maintenance retainer",
            "Acme Corp",
            "Emergency hours",
            "2030-06-30",
            "6,822.89 EUR",
        ):
            assert expected in text, expected


class TestAccess:
    async def test_members_have_no_quotes(self, api: Api, member: Member, acme: Client) -> None:
        listing = await api.as_(member).get(QUOTES)

        assert listing.status_code == 403
        assert listing.json()["required_permission"] == "quote.fetch.many"

    async def test_viewers_read_only(
        self, api: Api, owner: Member, viewer: Member, acme: Client
    ) -> None:
        quote = await create(api, owner, acme)
        them = api.as_(viewer)

        assert (await them.get(url(quote["id"]))).status_code == 200
        assert (await them.get(url(quote["id"], "pdf"))).status_code == 200
        assert (
            await them.post(QUOTES, json={**SEED_BODY, "client_id": acme.id})
        ).status_code == 403
        assert (await them.put(url(quote["id"]), json={"title": "x"})).status_code == 403
        assert (await them.delete(url(quote["id"]))).status_code == 403
        assert (await them.post(url(quote["id"], "send"))).status_code == 403

    async def test_tokens_need_the_quote_scopes(
        self, api: Api, owner: Member, acme: Client
    ) -> None:
        reader, _ = await issue_token(api, owner, scopes=["read:quotes"])
        writer, _ = await issue_token(api, owner, scopes=["write:quotes"])
        body = {**SEED_BODY, "client_id": acme.id}

        refused = await api.as_(reader).post(QUOTES, json=body)
        allowed = await api.as_(writer).post(QUOTES, json=body)
        read = await api.as_(reader).get(QUOTES)
        unread = await api.as_(writer).get(QUOTES)

        assert refused.status_code == 403
        assert refused.json()["required_scope"] == "write:quotes"
        assert allowed.status_code == 201
        assert read.status_code == 200
        assert unread.json()["required_scope"] == "read:quotes"

    async def test_customers_read_their_clients_quotes_that_were_sent(
        self, api: Api, owner: Member, customer: Member, acme: Client, globex: Client
    ) -> None:
        draft = await create(api, owner, acme)
        offered = await sent(api, owner, acme)
        other = await sent(api, owner, globex)
        them = api.as_(customer)

        assert await listed(api, customer) == [offered["id"]]
        assert (await them.get(url(offered["id"], "pdf"))).status_code == 200
        assert (await them.get(url(draft["id"]))).status_code == 404
        assert (await them.get(url(other["id"]))).status_code == 404
        accept = await them.post(url(offered["id"], "accept"), json={"into": "invoice"})
        assert accept.status_code == 403

    async def test_another_organisations_quote_is_404(
        self, api: Api, owner: Member, other_owner: Member, acme: Client
    ) -> None:
        quote = await sent(api, owner, acme)
        them = api.as_(other_owner)

        answers = [
            await them.get(url(quote["id"])),
            await them.get(url(quote["id"], "pdf")),
            await them.put(url(quote["id"]), json={"notes": "x"}),
            await them.delete(url(quote["id"])),
            await them.post(url(quote["id"], "send")),
            await them.post(url(quote["id"], "accept"), json={"into": "invoice"}),
            await them.post(url(quote["id"], "reject")),
        ]

        assert [a.status_code for a in answers] == [404] * len(answers)
        assert await listed(api, other_owner) == []
