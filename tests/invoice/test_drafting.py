"""POST /invoices: drafting from approved bills, from entries, from lines; grouping, rates,
currencies, reservation, and every refusal."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from clocktower.models import Client, Invoice
from tests.invoice.conftest import (
    INVOICES,
    Book,
    add_bill,
    draft,
    manual,
    stored_bills,
    stored_entry_invoices,
)
from tests.support import Api, Factory, Member
from tests.time_entry.conftest import add_entry, set_timezone, utc

JANUARY = {"period_start": "2024-01-01", "period_end": "2024-01-31"}


def lines_of(invoice: dict[str, Any]) -> list[tuple[str, float, float, float]]:
    return [
        (line["description"], line["quantity"], line["unit_price"], line["amount"])
        for line in invoice["lines"]
    ]


async def invoice_count(factory: Factory, member: Member) -> int:
    result = await factory.session.execute(
        select(func.count(Invoice.id)).where(Invoice.organization_id == member.organization.id)
    )
    return int(result.scalar_one())


class TestFromBills:
    async def test_one_line_per_approved_bill_of_the_client_in_the_period(
        self, api: Api, factory: Factory, owner: Member, member: Member, book: Book
    ) -> None:
        homepage = await add_bill(
            factory,
            member,
            project=book.website,
            task=book.homepage,
            day=date(2024, 1, 15),
            seconds=5400,
        )
        app = await add_bill(
            factory, owner, project=book.app, day=date(2024, 1, 10), seconds=1800, rate_cents=8000
        )
        pending = await add_bill(
            factory, member, project=book.website, day=date(2024, 1, 16), status="pending"
        )
        february = await add_bill(factory, member, project=book.website, day=date(2024, 2, 1))
        globex = await add_bill(factory, member, project=book.globex_site, day=date(2024, 1, 15))

        invoice = await draft(api, owner, client_id=book.acme.id, tax_rate=21.0, **JANUARY)

        assert invoice["status"] == "draft"
        assert invoice["number"] is None
        assert invoice["grouping"] == "bill"
        assert invoice["client"] == {"id": book.acme.id, "name": "Acme Corp"}
        assert invoice["currency"] == "EUR"
        assert (invoice["period_start"], invoice["period_end"]) == ("2024-01-01", "2024-01-31")
        assert lines_of(invoice) == [
            (f"2024-01-10 · {owner.user.name} · App", 0.5, 80.0, 40.0),
            ("2024-01-15 · Max Member · Website — Homepage", 1.5, 100.0, 150.0),
        ]
        assert invoice["lines"][1]["unit"] == "hours"
        assert invoice["lines"][1]["task_id"] == book.homepage.id
        assert invoice["lines"][1]["day"] == "2024-01-15"
        assert (invoice["subtotal"], invoice["tax_amount"], invoice["total"]) == (
            190.0,
            39.9,
            229.9,
        )
        assert await stored_bills(factory, homepage, app, pending, february, globex) == [
            ("approved", invoice["id"]),
            ("approved", invoice["id"]),
            ("pending", None),
            ("approved", None),
            ("approved", None),
        ]

    async def test_the_answer_names_every_field(
        self, api: Api, factory: Factory, owner: Member, book: Book
    ) -> None:
        await add_bill(factory, owner, project=book.website, day=date(2024, 1, 2))

        response = await api.as_(owner).post(INVOICES, json={"client_id": book.acme.id, **JANUARY})

        assert response.status_code == 201
        assert response.json()["message"] == "Invoice drafted"
        invoice = response.json()["invoice"]
        assert set(invoice) == {
            "id",
            "number",
            "status",
            "client_id",
            "client",
            "issue_date",
            "due_date",
            "payment_terms_days",
            "period_start",
            "period_end",
            "currency",
            "tax_rate",
            "subtotal",
            "tax_amount",
            "total",
            "grouping",
            "notes",
            "sent_at",
            "paid_at",
            "voided_at",
            "created_by_id",
            "created_at",
            "updated_at",
            "lines",
        }
        assert set(invoice["lines"][0]) == {
            "id",
            "position",
            "description",
            "quantity",
            "unit",
            "unit_price",
            "amount",
            "project_id",
            "task_id",
            "user_id",
            "day",
        }
        assert invoice["created_by_id"] == owner.id
        assert invoice["payment_terms_days"] == 30

    async def test_grouped_by_project_and_split_by_rate(
        self, api: Api, factory: Factory, owner: Member, member: Member, book: Book
    ) -> None:
        for day in (2, 3):
            await add_bill(factory, member, project=book.website, day=date(2024, 1, day))
        await add_bill(
            factory, owner, project=book.website, day=date(2024, 1, 2), rate_cents=12_000
        )
        await add_bill(factory, owner, project=book.app, day=date(2024, 1, 4), seconds=600)

        invoice = await draft(api, owner, client_id=book.acme.id, grouping="project", **JANUARY)

        assert lines_of(invoice) == [
            ("App", 0.167, 100.0, 16.7),
            ("Website", 2.0, 100.0, 200.0),
            ("Website", 1.0, 120.0, 120.0),
        ]
        assert invoice["lines"][1]["project_id"] == book.website.id
        assert invoice["lines"][1]["user_id"] is None
        assert invoice["subtotal"] == 336.7

    @pytest.mark.parametrize(
        ("grouping", "expected"),
        [
            ("task", [("App", 1.0), ("Website", 1.0), ("Website — Homepage", 2.0)]),
            ("user", [("Max Member", 3.0), ("OWNER", 1.0)]),
            ("day", [("2024-01-02", 2.0), ("2024-01-03", 2.0)]),
        ],
    )
    async def test_grouped_by_task_user_or_day(
        self,
        api: Api,
        factory: Factory,
        owner: Member,
        member: Member,
        book: Book,
        grouping: str,
        expected: list[tuple[str, float]],
    ) -> None:
        website, homepage = book.website, book.homepage
        await add_bill(factory, member, project=website, task=homepage, day=date(2024, 1, 2))
        await add_bill(factory, member, project=website, task=homepage, day=date(2024, 1, 3))
        await add_bill(factory, member, project=website, day=date(2024, 1, 3))
        await add_bill(factory, owner, project=book.app, day=date(2024, 1, 2))

        invoice = await draft(api, owner, client_id=book.acme.id, grouping=grouping, **JANUARY)

        named = [(owner.user.name if d == "OWNER" else d, q) for d, q in expected]
        assert [(line["description"], line["quantity"]) for line in invoice["lines"]] == named
        assert invoice["grouping"] == grouping

    async def test_a_second_draft_finds_the_bills_reserved(
        self, api: Api, factory: Factory, owner: Member, book: Book
    ) -> None:
        await add_bill(factory, owner, project=book.website, day=date(2024, 1, 2))
        await draft(api, owner, client_id=book.acme.id, **JANUARY)

        again = await api.as_(owner).post(INVOICES, json={"client_id": book.acme.id, **JANUARY})

        assert again.status_code == 400
        assert again.json()["error_code"] == "nothing_to_invoice"

    async def test_nothing_to_invoice_writes_nothing(
        self, api: Api, factory: Factory, owner: Member, book: Book
    ) -> None:
        await add_bill(factory, owner, project=book.website, day=date(2024, 1, 2), status="pending")

        response = await api.as_(owner).post(INVOICES, json={"client_id": book.acme.id, **JANUARY})

        assert response.status_code == 400
        assert response.json()["error_code"] == "nothing_to_invoice"
        assert await invoice_count(factory, owner) == 0

    async def test_bills_of_an_entry_an_invoice_bills_directly_are_skipped(
        self, api: Api, factory: Factory, owner: Member, book: Book
    ) -> None:
        bill = await add_bill(factory, owner, project=book.website, day=date(2024, 1, 2))
        other = await manual(api, owner, book.acme)
        await add_entry(
            factory,
            owner,
            utc("2024-01-02T09:00"),
            project=book.website,
            time_bill_id=bill.id,
            invoice_id=other["id"],
        )

        response = await api.as_(owner).post(INVOICES, json={"client_id": book.acme.id, **JANUARY})

        assert response.json()["error_code"] == "nothing_to_invoice"

    async def test_bills_in_two_currencies_are_refused(
        self, api: Api, factory: Factory, owner: Member, book: Book
    ) -> None:
        await add_bill(factory, owner, project=book.website, day=date(2024, 1, 2))
        usd = await add_bill(factory, owner, project=book.app, day=date(2024, 1, 3), currency="USD")

        response = await api.as_(owner).post(INVOICES, json={"client_id": book.acme.id, **JANUARY})

        assert response.status_code == 400
        assert response.json()["error_code"] == "currency_mismatch"
        # The refusal undid the reservation.
        assert await stored_bills(factory, usd) == [("approved", None)]

    async def test_the_bills_currency_wins_over_the_default_but_not_over_an_explicit_one(
        self, api: Api, factory: Factory, owner: Member, book: Book
    ) -> None:
        await add_bill(factory, owner, project=book.website, day=date(2024, 1, 2), currency="USD")

        refused = await api.as_(owner).post(
            INVOICES, json={"client_id": book.acme.id, "currency": "EUR", **JANUARY}
        )
        drafted = await draft(api, owner, client_id=book.acme.id, **JANUARY)

        assert refused.status_code == 400
        assert refused.json()["error_code"] == "currency_mismatch"
        assert drafted["currency"] == "USD"


class TestFromEntries:
    async def test_billable_unbilled_entries_priced_by_the_rate_rules(
        self, api: Api, factory: Factory, owner: Member, member: Member, book: Book
    ) -> None:
        website = await add_entry(
            factory, member, utc("2024-01-15T09:00"), minutes=90, project=book.website
        )
        more = await add_entry(
            factory, owner, utc("2024-01-16T09:00"), minutes=30, project=book.website
        )
        app = await add_entry(
            factory, member, utc("2024-01-17T09:00"), minutes=45, project=book.app
        )
        unbillable = await add_entry(
            factory, member, utc("2024-01-15T12:00"), project=book.website, billable=False
        )
        running = await add_entry(
            factory, member, utc("2024-01-18T09:00"), minutes=None, project=book.website
        )
        outside = await add_entry(factory, member, utc("2024-02-01T09:00"), project=book.website)
        globex = await add_entry(factory, member, utc("2024-01-15T09:00"), project=book.globex_site)
        approved = await add_bill(factory, member, project=book.website, day=date(2024, 1, 19))
        settled = await add_entry(
            factory, member, utc("2024-01-19T09:00"), project=book.website, time_bill_id=approved.id
        )
        pending = await add_bill(
            factory, member, project=book.website, day=date(2024, 1, 20), status="pending"
        )
        unsettled = await add_entry(
            factory,
            member,
            utc("2024-01-20T09:00"),
            minutes=60,
            project=book.website,
            time_bill_id=pending.id,
        )

        invoice = await draft(api, owner, client_id=book.acme.id, source="entries", **JANUARY)

        assert invoice["grouping"] == "project"
        assert lines_of(invoice) == [("App", 0.75, 0.0, 0.0), ("Website", 3.0, 100.0, 300.0)]
        ours = invoice["id"]
        assert await stored_entry_invoices(
            factory, website, more, app, unbillable, running, outside, globex, settled, unsettled
        ) == [ours, ours, ours, None, None, None, None, None, ours]

    async def test_days_are_the_drafters_local_days(
        self, api: Api, factory: Factory, owner: Member, book: Book
    ) -> None:
        await set_timezone(api, owner, "Europe/Amsterdam")
        # 23:30 UTC on 15 January is 00:30 on the 16th in Amsterdam.
        await add_entry(factory, owner, utc("2024-01-15T23:30"), minutes=60, project=book.website)
        await add_entry(factory, owner, utc("2024-01-15T10:00"), minutes=30, project=book.website)
        # 31 January 23:30 UTC is already February in Amsterdam: outside the period.
        late = await add_entry(factory, owner, utc("2024-01-31T23:30"), project=book.website)

        invoice = await draft(
            api, owner, client_id=book.acme.id, source="entries", grouping="day", **JANUARY
        )

        assert lines_of(invoice) == [
            ("2024-01-15", 0.5, 100.0, 50.0),
            ("2024-01-16", 1.0, 100.0, 100.0),
        ]
        assert await stored_entry_invoices(factory, late) == [None]

    async def test_one_line_per_entry_with_its_notes(
        self, api: Api, factory: Factory, owner: Member, book: Book
    ) -> None:
        await add_entry(
            factory,
            owner,
            utc("2024-01-15T09:00"),
            minutes=20,
            project=book.website,
            task=book.homepage,
            notes="Hero section",
        )
        await add_entry(factory, owner, utc("2024-01-14T09:00"), minutes=40, project=book.app)

        invoice = await draft(
            api, owner, client_id=book.acme.id, source="entries", grouping="entry", **JANUARY
        )

        name = owner.user.name
        assert lines_of(invoice) == [
            (f"2024-01-14 · {name} · App", 0.667, 0.0, 0.0),
            (f"2024-01-15 · {name} · Website — Homepage: Hero section", 0.333, 100.0, 33.3),
        ]

    async def test_entries_on_an_invoice_are_not_drafted_twice(
        self, api: Api, factory: Factory, owner: Member, book: Book
    ) -> None:
        await add_entry(factory, owner, utc("2024-01-15T09:00"), project=book.website)
        await draft(api, owner, client_id=book.acme.id, source="entries", **JANUARY)

        again = await api.as_(owner).post(
            INVOICES, json={"client_id": book.acme.id, "source": "entries", **JANUARY}
        )

        assert again.status_code == 400
        assert again.json()["error_code"] == "nothing_to_invoice"

    async def test_the_clients_currency_prices_the_entries(
        self, api: Api, factory: Factory, owner: Member, book: Book
    ) -> None:
        book.acme.currency = "USD"
        await factory.session.commit()
        await add_entry(factory, owner, utc("2024-01-15T09:00"), project=book.website)

        refused = await api.as_(owner).post(
            INVOICES,
            json={"client_id": book.acme.id, "source": "entries", "currency": "GBP", **JANUARY},
        )
        invoice = await draft(api, owner, client_id=book.acme.id, source="entries", **JANUARY)

        assert refused.json()["error_code"] == "currency_mismatch"
        assert invoice["currency"] == "USD"


class TestManual:
    async def test_lines_rounded_half_up_per_line_and_tax_once(
        self, api: Api, owner: Member, book: Book
    ) -> None:
        invoice = await manual(
            api,
            owner,
            book.acme,
            tax_rate=21,
            lines=[
                {"description": "Licence", "quantity": 1.5, "unit_price": 33.33},
                {"description": "Support", "quantity": 0.125, "unit_price": 0.1, "unit": "days"},
            ],
        )

        # 1.5 x 33.33 = 49.995 -> 50.00; 0.125 x 0.10 = 0.0125 -> 0.01; tax 21 % of 50.01.
        assert lines_of(invoice) == [("Licence", 1.5, 33.33, 50.0), ("Support", 0.125, 0.1, 0.01)]
        assert [line["unit"] for line in invoice["lines"]] == ["units", "days"]
        assert (invoice["subtotal"], invoice["tax_amount"], invoice["total"]) == (
            50.01,
            10.5,
            60.51,
        )
        assert invoice["grouping"] == "manual"
        assert invoice["tax_rate"] == 21.0

    async def test_dates_default_to_today_and_thirty_days(
        self, api: Api, owner: Member, book: Book
    ) -> None:
        default = await manual(api, owner, book.acme)
        terms = await manual(api, owner, book.acme, issue_date="2024-03-01", payment_terms_days=14)
        due = await manual(api, owner, book.acme, issue_date="2024-03-01", due_date="2024-03-10")

        issued = date.fromisoformat(default["issue_date"])
        assert abs((issued - date.today()).days) <= 1
        assert date.fromisoformat(default["due_date"]) == issued + timedelta(days=30)
        assert (terms["issue_date"], terms["due_date"], terms["payment_terms_days"]) == (
            "2024-03-01",
            "2024-03-15",
            14,
        )
        assert (due["due_date"], due["payment_terms_days"]) == ("2024-03-10", 9)

    async def test_currency_defaults_to_the_clients_then_the_organisations(
        self, api: Api, factory: Factory, owner: Member, book: Book
    ) -> None:
        book.globex.currency = "GBP"
        await factory.session.commit()

        acme = await manual(api, owner, book.acme)
        globex = await manual(api, owner, book.globex)
        chosen = await manual(api, owner, book.acme, currency="CHF")

        assert [acme["currency"], globex["currency"], chosen["currency"]] == ["EUR", "GBP", "CHF"]


class TestRefusals:
    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"source": "bills"}, "period_start"),
            ({"source": "entries", "period_start": "2024-01-01"}, "period_end"),
            ({"period_start": "2024-02-01", "period_end": "2024-01-01"}, "period_end"),
            ({"period_start": "2024-01-01", "period_end": "2025-01-01"}, "period_end"),
            ({**JANUARY, "grouping": "entry"}, "grouping"),
            ({**JANUARY, "source": "entries", "grouping": "bill"}, "grouping"),
            ({**JANUARY, "lines": []}, "lines"),
            ({"source": "manual"}, "lines"),
            ({"source": "manual", "lines": [], "grouping": "day"}, "lines"),
            (
                {
                    "source": "manual",
                    "lines": [{"description": "x", "quantity": 1, "unit_price": 1}],
                    "grouping": "day",
                },
                "grouping",
            ),
            ({**JANUARY, "due_date": "2024-03-01", "payment_terms_days": 3}, "due_date"),
            ({**JANUARY, "issue_date": "2024-03-01", "due_date": "2024-02-01"}, "due_date"),
            ({**JANUARY, "tax_rate": 100.01}, "tax_rate"),
            ({**JANUARY, "tax_rate": 1.005}, "tax_rate"),
            ({**JANUARY, "currency": "eur"}, "currency"),
            ({**JANUARY, "payment_terms_days": 400}, "payment_terms_days"),
            ({**JANUARY, "issue_date": "9999-12-31"}, "issue_date"),
            ({**JANUARY, "surprise": True}, "surprise"),
            (
                {
                    "source": "manual",
                    "lines": [{"description": "x", "quantity": 0, "unit_price": 1}],
                },
                "lines.0.quantity",
            ),
            (
                {
                    "source": "manual",
                    "lines": [{"description": "x", "quantity": 1.0001, "unit_price": 1}],
                },
                "lines.0.quantity",
            ),
            (
                {
                    "source": "manual",
                    "lines": [{"description": "x", "quantity": 1, "unit_price": -1}],
                },
                "lines.0.unit_price",
            ),
        ],
    )
    async def test_bad_requests_are_400_naming_the_field(
        self, api: Api, owner: Member, book: Book, body: dict[str, Any], field: str
    ) -> None:
        response = await api.as_(owner).post(INVOICES, json={"client_id": book.acme.id, **body})

        assert response.status_code == 400, response.text
        assert field in response.json()["errors"], response.json()

    async def test_a_client_of_another_organisation_is_an_invalid_reference(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member
    ) -> None:
        theirs: Client = await factory.client(other_owner.organization, name="Theirs")

        response = await api.as_(owner).post(
            INVOICES,
            json={
                "client_id": theirs.id,
                "source": "manual",
                "lines": [{"description": "x", "quantity": 1, "unit_price": 1}],
            },
        )

        assert response.status_code == 422
        assert response.json()["error_code"] == "invalid_reference"
