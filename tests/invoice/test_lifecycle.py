"""A draft's edits and lines, its deletion, and the transitions draft → sent → paid,
sent|paid → void: numbers, dates, bills, the accounting push and the webhook."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from clocktower.models import AccountingPush, DocumentSequence, Invoice, Job
from clocktower.worker.runner import JobRunner
from tests.invoice.conftest import (
    Book,
    add_bill,
    draft,
    finalize,
    invoice_url,
    manual,
    queued_events,
    stored_bills,
    stored_entry_invoices,
    stored_invoice,
)
from tests.support import Api, Factory, Member
from tests.time_entry.conftest import add_entry, set_organization_settings, set_timezone, utc

JANUARY = {"period_start": "2024-01-01", "period_end": "2024-01-31"}


def year_today() -> int:
    return date.today().year


class TestUpdateDraft:
    async def test_changes_only_the_fields_sent_and_recomputes_the_totals(
        self, api: Api, owner: Member, book: Book
    ) -> None:
        created = await manual(api, owner, book.acme, notes="Thanks", issue_date="2024-03-01")

        response = await api.as_(owner).put(
            invoice_url(created["id"]), json={"tax_rate": 9, "notes": None}
        )

        assert response.status_code == 200, response.text
        invoice = response.json()["invoice"]
        assert (invoice["subtotal"], invoice["tax_amount"], invoice["total"]) == (100.0, 9.0, 109.0)
        assert invoice["notes"] is None
        assert (invoice["issue_date"], invoice["due_date"]) == ("2024-03-01", "2024-03-31")

    async def test_a_new_issue_date_keeps_the_payment_terms(
        self, api: Api, owner: Member, book: Book
    ) -> None:
        created = await manual(
            api, owner, book.acme, issue_date="2024-03-01", payment_terms_days=14
        )
        url = invoice_url(created["id"])

        moved = (await api.as_(owner).put(url, json={"issue_date": "2024-04-01"})).json()
        terms = (await api.as_(owner).put(url, json={"payment_terms_days": 7})).json()
        due = (await api.as_(owner).put(url, json={"due_date": "2024-05-01"})).json()

        assert moved["invoice"]["due_date"] == "2024-04-15"
        assert terms["invoice"]["due_date"] == "2024-04-08"
        assert (due["invoice"]["due_date"], due["invoice"]["payment_terms_days"]) == (
            "2024-05-01",
            30,
        )

    @pytest.mark.parametrize(
        "body",
        [
            {"due_date": "2024-01-01"},
            {"due_date": "2024-05-01", "payment_terms_days": 3},
            {"tax_rate": None},
            {"currency": None},
            {"client_id": 1},
        ],
    )
    async def test_bad_changes_are_400(
        self, api: Api, owner: Member, book: Book, body: dict[str, Any]
    ) -> None:
        created = await manual(api, owner, book.acme, issue_date="2024-03-01")

        response = await api.as_(owner).put(invoice_url(created["id"]), json=body)

        assert response.status_code == 400, response.text

    async def test_currency_of_time_stays_the_times(
        self, api: Api, factory: Factory, owner: Member, book: Book
    ) -> None:
        await add_bill(factory, owner, project=book.website, day=date(2024, 1, 2))
        from_time = await draft(api, owner, client_id=book.acme.id, **JANUARY)
        by_hand = await manual(api, owner, book.acme)

        refused = await api.as_(owner).put(invoice_url(from_time["id"]), json={"currency": "USD"})
        changed = await api.as_(owner).put(invoice_url(by_hand["id"]), json={"currency": "USD"})

        assert refused.status_code == 400
        assert refused.json()["error_code"] == "currency_mismatch"
        assert changed.json()["invoice"]["currency"] == "USD"

    async def test_only_drafts_change(self, api: Api, owner: Member, book: Book) -> None:
        created = await manual(api, owner, book.acme)
        await finalize(api, owner, created["id"])

        response = await api.as_(owner).put(invoice_url(created["id"]), json={"notes": "x"})

        assert response.status_code == 409
        assert response.json()["error_code"] == "invoice_not_draft"
        assert response.json()["status"] == "sent"


class TestLines:
    async def test_add_update_and_delete_move_the_totals(
        self, api: Api, owner: Member, book: Book
    ) -> None:
        created = await manual(api, owner, book.acme, tax_rate=10)
        lines_url = invoice_url(created["id"], "lines")

        added = await api.as_(owner).post(
            lines_url, json={"description": "Hosting", "quantity": 3, "unit_price": 9.99}
        )
        assert added.status_code == 201, added.text
        invoice = added.json()["invoice"]
        hosting = invoice["lines"][1]
        assert (hosting["position"], hosting["amount"], invoice["total"]) == (2, 29.97, 142.97)

        updated = await api.as_(owner).put(
            f"{lines_url}/{hosting['id']}", json={"quantity": 1.5, "description": "Half hosting"}
        )
        assert updated.status_code == 200, updated.text
        line = updated.json()["invoice"]["lines"][1]
        assert (line["description"], line["quantity"], line["unit_price"], line["amount"]) == (
            "Half hosting",
            1.5,
            9.99,
            14.99,
        )
        assert updated.json()["invoice"]["subtotal"] == 114.99

        deleted = await api.as_(owner).delete(f"{lines_url}/{hosting['id']}")
        assert deleted.status_code == 200
        assert [entry["description"] for entry in deleted.json()["invoice"]["lines"]] == [
            "Consulting"
        ]
        assert deleted.json()["invoice"]["total"] == 110.0

    async def test_a_line_of_another_invoice_is_not_found(
        self, api: Api, owner: Member, book: Book
    ) -> None:
        first = await manual(api, owner, book.acme)
        second = await manual(api, owner, book.acme)
        theirs = second["lines"][0]["id"]

        put = await api.as_(owner).put(
            f"{invoice_url(first['id'], 'lines')}/{theirs}", json={"quantity": 1}
        )
        delete = await api.as_(owner).delete(f"{invoice_url(first['id'], 'lines')}/{theirs}")

        assert (put.status_code, delete.status_code) == (404, 404)

    async def test_lines_of_a_sent_invoice_are_fixed(
        self, api: Api, owner: Member, book: Book
    ) -> None:
        created = await manual(api, owner, book.acme)
        await finalize(api, owner, created["id"])
        url = invoice_url(created["id"], "lines")
        line_id = created["lines"][0]["id"]

        answers = [
            await api.as_(owner).post(
                url, json={"description": "x", "quantity": 1, "unit_price": 1}
            ),
            await api.as_(owner).put(f"{url}/{line_id}", json={"quantity": 1}),
            await api.as_(owner).delete(f"{url}/{line_id}"),
        ]

        assert [a.status_code for a in answers] == [409, 409, 409]
        assert {a.json()["error_code"] for a in answers} == {"invoice_not_draft"}

    async def test_a_bad_line_is_400(self, api: Api, owner: Member, book: Book) -> None:
        created = await manual(api, owner, book.acme)
        url = f"{invoice_url(created['id'], 'lines')}/{created['lines'][0]['id']}"

        response = await api.as_(owner).put(url, json={"unit_price": None})

        assert response.status_code == 400


class TestDeleteDraft:
    async def test_releases_its_bills_and_entries(
        self, api: Api, factory: Factory, owner: Member, book: Book
    ) -> None:
        bill = await add_bill(factory, owner, project=book.website, day=date(2024, 1, 2))
        entry = await add_entry(factory, owner, utc("2024-01-03T09:00"), project=book.app)
        from_bills = await draft(api, owner, client_id=book.acme.id, **JANUARY)
        from_entries = await draft(api, owner, client_id=book.acme.id, source="entries", **JANUARY)

        first = await api.as_(owner).delete(invoice_url(from_bills["id"]))
        second = await api.as_(owner).delete(invoice_url(from_entries["id"]))

        assert first.json() == {
            "message": "Invoice deleted",
            "released_bills": 1,
            "released_entries": 0,
        }
        assert second.json()["released_entries"] == 1
        assert await stored_bills(factory, bill) == [("approved", None)]
        assert await stored_entry_invoices(factory, entry) == [None]
        assert await stored_invoice(factory, from_bills["id"]) is None
        # Released time can be drafted again.
        again = await draft(api, owner, client_id=book.acme.id, **JANUARY)
        assert len(again["lines"]) == 1

    async def test_only_drafts_are_deleted(self, api: Api, owner: Member, book: Book) -> None:
        created = await manual(api, owner, book.acme)
        await finalize(api, owner, created["id"])

        response = await api.as_(owner).delete(invoice_url(created["id"]))

        assert response.status_code == 409
        assert response.json()["error_code"] == "invoice_not_draft"

    async def test_unknown_is_404(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).delete(invoice_url(987654))

        assert response.status_code == 404
        assert response.json()["error_code"] == "not_found"


class TestFinalize:
    async def test_numbers_dates_and_sends_the_draft(
        self, api: Api, factory: Factory, owner: Member, book: Book
    ) -> None:
        bill = await add_bill(factory, owner, project=book.website, day=date(2024, 1, 2))
        created = await draft(
            api,
            owner,
            client_id=book.acme.id,
            issue_date="2024-02-01",
            payment_terms_days=14,
            **JANUARY,
        )

        invoice = await finalize(api, owner, created["id"])

        year = year_today()
        assert invoice["number"] == f"INV-{year}-0001"
        assert invoice["status"] == "sent"
        issued = date.fromisoformat(invoice["issue_date"])
        assert abs((issued - date.today()).days) <= 1
        assert date.fromisoformat(invoice["due_date"]) == issued + timedelta(days=14)
        assert invoice["sent_at"] is not None
        assert await stored_bills(factory, bill) == [("invoiced", created["id"])]

    async def test_numbers_are_consecutive_and_never_reused(
        self, api: Api, owner: Member, book: Book
    ) -> None:
        numbers = []
        for _ in range(3):
            created = await manual(api, owner, book.acme)
            numbers.append((await finalize(api, owner, created["id"]))["number"])
        await api.as_(owner).post(invoice_url(created["id"], "void"))
        after_void = await manual(api, owner, book.acme)

        numbers.append((await finalize(api, owner, after_void["id"]))["number"])

        year = year_today()
        assert numbers == [f"INV-{year}-{n:04d}" for n in (1, 2, 3, 4)]

    async def test_the_pattern_setting_names_the_number_and_its_period(
        self, api: Api, owner: Member, book: Book
    ) -> None:
        await set_organization_settings(api, owner, invoice_number_pattern="F{YY}{MM}/{SEQ}")
        issued = []
        for day in ("2024-03-05", "2024-03-31", "2024-04-01"):
            created = await manual(api, owner, book.acme)
            issued.append((await finalize(api, owner, created["id"], issue_date=day))["number"])

        assert issued == ["F2403/1", "F2403/2", "F2404/1"]

    async def test_explicit_dates_win(self, api: Api, owner: Member, book: Book) -> None:
        created = await manual(api, owner, book.acme)

        invoice = await finalize(
            api, owner, created["id"], issue_date="2023-12-31", due_date="2024-01-05"
        )

        assert (invoice["issue_date"], invoice["due_date"], invoice["number"]) == (
            "2023-12-31",
            "2024-01-05",
            "INV-2023-0001",
        )

    async def test_today_is_the_finalisers_local_day(
        self, api: Api, owner: Member, book: Book
    ) -> None:
        await set_timezone(api, owner, "Pacific/Kiritimati")
        created = await manual(api, owner, book.acme)

        invoice = await finalize(api, owner, created["id"])

        from datetime import datetime
        from zoneinfo import ZoneInfo

        assert (
            invoice["issue_date"] == datetime.now(ZoneInfo("Pacific/Kiritimati")).date().isoformat()
        )

    async def test_queues_the_accounting_push_and_the_webhook(
        self, api: Api, factory: Factory, owner: Member, book: Book, runner: JobRunner
    ) -> None:
        created = await manual(api, owner, book.acme)

        invoice = await finalize(api, owner, created["id"])

        events = await queued_events(factory, owner, "invoice.issued")
        assert len(events) == 1
        assert events[0]["id"] == invoice["id"]
        assert events[0]["number"] == invoice["number"]
        assert events[0]["total"] == 100.0
        assert "lines" not in events[0]
        push = (
            await factory.session.execute(
                select(AccountingPush).where(
                    AccountingPush.object_type == "invoice",
                    AccountingPush.object_id == invoice["id"],
                )
            )
        ).scalar_one()
        assert push.status == "pending"
        jobs = await factory.session.execute(
            select(Job.kind).where(Job.organization_id == owner.organization.id)
        )
        assert "accounting.push" in set(jobs.scalars())

    async def test_twice_is_an_invalid_transition_and_send_is_an_alias(
        self, api: Api, owner: Member, book: Book
    ) -> None:
        created = await manual(api, owner, book.acme)

        sent = await api.as_(owner).post(invoice_url(created["id"], "send"))
        again = await api.as_(owner).post(invoice_url(created["id"], "finalize"))

        assert sent.status_code == 200
        assert sent.json()["message"] == "Invoice issued"
        assert again.status_code == 409
        assert again.json()["error_code"] == "invalid_transition"

    async def test_an_empty_draft_is_not_finalised(
        self, api: Api, owner: Member, book: Book
    ) -> None:
        created = await manual(api, owner, book.acme)
        await api.as_(owner).delete(
            f"{invoice_url(created['id'], 'lines')}/{created['lines'][0]['id']}"
        )

        response = await api.as_(owner).post(invoice_url(created["id"], "finalize"))

        assert response.status_code == 409
        assert response.json()["error_code"] == "invoice_empty"

    async def test_due_before_issue_is_400(self, api: Api, owner: Member, book: Book) -> None:
        created = await manual(api, owner, book.acme)

        response = await api.as_(owner).post(
            invoice_url(created["id"], "finalize"),
            json={"issue_date": "2024-02-01", "due_date": "2024-01-01"},
        )

        assert response.status_code == 400
        assert "due_date" in response.json()["errors"]

    async def test_a_refused_finalisation_gives_its_number_back(
        self, api: Api, factory: Factory, owner: Member, book: Book
    ) -> None:
        await set_organization_settings(api, owner, invoice_number_pattern="A-{SEQ}")
        older = Invoice(
            organization_id=owner.organization.id,
            client_id=book.acme.id,
            number="A-1",
            status="paid",
            currency="EUR",
        )
        factory.session.add(older)
        await factory.session.commit()
        created = await manual(api, owner, book.acme)

        refused = await api.as_(owner).post(invoice_url(created["id"], "finalize"))
        await set_organization_settings(api, owner, invoice_number_pattern="B-{SEQ}")
        invoice = await finalize(api, owner, created["id"])

        assert refused.status_code == 409
        assert refused.json()["error_code"] == "invoice_number_taken"
        # The refused transaction rolled back its sequence step: no gap.
        assert invoice["number"] == "B-1"
        sequence = (
            await factory.session.execute(
                select(DocumentSequence.last_value).where(
                    DocumentSequence.organization_id == owner.organization.id,
                    DocumentSequence.kind == "invoice",
                )
            )
        ).scalar_one()
        assert sequence == 1


class TestPayAndVoid:
    async def test_pay_a_sent_invoice(self, api: Api, owner: Member, book: Book) -> None:
        created = await manual(api, owner, book.acme)
        await finalize(api, owner, created["id"])

        response = await api.as_(owner).post(
            invoice_url(created["id"], "pay"), json={"paid_at": "2024-03-01T10:00:00Z"}
        )

        assert response.status_code == 200, response.text
        assert response.json()["invoice"]["status"] == "paid"
        assert response.json()["invoice"]["paid_at"] == "2024-03-01T10:00:00Z"

    async def test_paid_now_by_default(self, api: Api, owner: Member, book: Book) -> None:
        created = await manual(api, owner, book.acme)
        await finalize(api, owner, created["id"])

        response = await api.as_(owner).post(invoice_url(created["id"], "pay"))

        assert response.json()["invoice"]["paid_at"] is not None

    async def test_void_returns_the_time(
        self, api: Api, factory: Factory, owner: Member, book: Book
    ) -> None:
        bill = await add_bill(factory, owner, project=book.website, day=date(2024, 1, 2))
        entry = await add_entry(factory, owner, utc("2024-01-03T09:00"), project=book.app)
        from_bills = await draft(api, owner, client_id=book.acme.id, **JANUARY)
        from_entries = await draft(api, owner, client_id=book.acme.id, source="entries", **JANUARY)
        await finalize(api, owner, from_bills["id"])
        await finalize(api, owner, from_entries["id"])
        await api.as_(owner).post(invoice_url(from_entries["id"], "pay"))

        voided = await api.as_(owner).post(invoice_url(from_bills["id"], "void"))
        paid_voided = await api.as_(owner).post(invoice_url(from_entries["id"], "void"))

        assert voided.status_code == 200
        invoice = voided.json()["invoice"]
        assert (invoice["status"], invoice["number"]) == ("void", f"INV-{year_today()}-0001")
        assert invoice["voided_at"] is not None
        assert paid_voided.json()["invoice"]["status"] == "void"
        assert await stored_bills(factory, bill) == [("approved", None)]
        assert await stored_entry_invoices(factory, entry) == [None]

    @pytest.mark.parametrize(
        ("steps", "action"),
        [
            ((), "pay"),
            ((), "void"),
            (("finalize", "pay"), "pay"),
            (("finalize", "void"), "void"),
            (("finalize", "void"), "pay"),
            (("finalize", "void"), "finalize"),
        ],
    )
    async def test_other_transitions_are_refused(
        self, api: Api, owner: Member, book: Book, steps: tuple[str, ...], action: str
    ) -> None:
        created = await manual(api, owner, book.acme)
        for step in steps:
            done = await api.as_(owner).post(invoice_url(created["id"], step))
            assert done.status_code == 200, done.text

        response = await api.as_(owner).post(invoice_url(created["id"], action))

        assert response.status_code == 409
        assert response.json()["error_code"] == "invalid_transition"
