"""The invoice PDF (read back with pypdf) and the exports of the invoice list."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from PIL import Image
from pypdf import PdfReader

from clocktower.invoice import documents
from tests.invoice.conftest import INVOICES, Book, finalize, invoice_url, manual
from tests.support import Api, Factory, Member
from tests.time_entry.conftest import set_organization_settings

LOGO = "/api/v1/settings/logo"


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def image_count(content: bytes) -> int:
    reader = PdfReader(io.BytesIO(content))
    return sum(len(page.images) for page in reader.pages)


def png(width: int = 300, height: int = 80) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (20, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


class TestInvoicePdf:
    async def test_prints_number_parties_lines_and_totals(
        self, api: Api, factory: Factory, owner: Member, book: Book
    ) -> None:
        owner.organization.address = "Keizersgracht 1\n1015 CJ Amsterdam"
        book.acme.address = "1 Road Runner Way"
        await factory.session.commit()
        created = await manual(
            api,
            owner,
            book.acme,
            tax_rate=21,
            notes="Payable within 30 days.",
            lines=[
                {"description": "Design sprint", "quantity": 12.5, "unit_price": 80},
                {"description": "Hosting", "quantity": 1, "unit_price": 1234.56},
            ],
        )
        invoice = await finalize(api, owner, created["id"], issue_date="2024-03-01")

        response = await api.as_(owner).get(invoice_url(created["id"], "pdf"))

        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        number = invoice["number"]
        assert number == "INV-2024-0001"
        assert response.headers["content-disposition"] == (
            f'attachment; filename="invoice-{number}.pdf"'
        )
        text = pdf_text(response.content)
        for expected in (
            f"Invoice {number}",
            "Acme Agency",
            "Keizersgracht 1",
            "Acme Corp",
            "1 Road Runner Way",
            "2024-03-01",
            "2024-03-31",
            "Design sprint",
            "12.5",
            "1,000.00 EUR",
            "2,234.56 EUR",
            "469.26 EUR",
            "2,703.82 EUR",
            "Payable within 30 days.",
        ):
            assert expected in text, expected
        assert invoice["total"] == 2703.82
        assert image_count(response.content) == 0

    async def test_a_draft_prints_as_draft(self, api: Api, owner: Member, book: Book) -> None:
        created = await manual(api, owner, book.acme)

        response = await api.as_(owner).get(invoice_url(created["id"], "pdf"))

        assert "Invoice Draft" in pdf_text(response.content)
        assert response.headers["content-disposition"] == (
            f'attachment; filename="invoice-draft-{created["id"]}.pdf"'
        )

    async def test_the_uploaded_logo_is_printed(self, api: Api, owner: Member, book: Book) -> None:
        saved = await api.as_(owner).put(LOGO, content=png(), headers={"Content-Type": "image/png"})
        assert saved.status_code == 200, saved.text
        created = await manual(api, owner, book.acme)

        response = await api.as_(owner).get(invoice_url(created["id"], "pdf"))

        assert image_count(response.content) == 1

    async def test_unsafe_characters_leave_the_filename(
        self, api: Api, owner: Member, book: Book
    ) -> None:
        await set_organization_settings(api, owner, invoice_number_pattern='F "{YY}"/{SEQ}')
        created = await manual(api, owner, book.acme)
        invoice = await finalize(api, owner, created["id"], issue_date="2024-03-01")

        response = await api.as_(owner).get(invoice_url(created["id"], "pdf"))

        assert invoice["number"] == 'F "24"/1'
        assert response.headers["content-disposition"] == (
            'attachment; filename="invoice-F-24-1.pdf"'
        )
        assert 'F "24"/1' in pdf_text(response.content)


class TestExport:
    async def test_csv_of_the_filtered_list(self, api: Api, owner: Member, book: Book) -> None:
        first = await manual(api, owner, book.acme, tax_rate=21)
        await finalize(api, owner, first["id"], issue_date="2024-03-01")
        await manual(api, owner, book.globex)

        response = await api.as_(owner).get(
            f"{INVOICES}/export", params={"client_id": book.acme.id}
        )

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert response.headers["content-disposition"] == 'attachment; filename="invoices.csv"'
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows == [
            [
                "Number",
                "Status",
                "Client",
                "Issue date",
                "Due date",
                "Currency",
                "Subtotal",
                "Tax",
                "Total",
                "Paid at",
            ],
            [
                "INV-2024-0001",
                "sent",
                "Acme Corp",
                "2024-03-01",
                "2024-03-31",
                "EUR",
                "100.00",
                "21.00",
                "121.00",
                "",
            ],
        ]

    async def test_xlsx_and_pdf(self, api: Api, owner: Member, book: Book) -> None:
        created = await manual(api, owner, book.acme)
        await finalize(api, owner, created["id"], issue_date="2024-03-01")

        xlsx = await api.as_(owner).get(f"{INVOICES}/export", params={"format": "xlsx"})
        pdf = await api.as_(owner).get(f"{INVOICES}/export", params={"format": "pdf"})

        sheet = load_workbook(io.BytesIO(xlsx.content)).active
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert values[1][:3] == ["INV-2024-0001", "sent", "Acme Corp"]
        assert values[1][8] == 100.0
        assert pdf.headers["content-type"] == "application/pdf"
        assert "INV-2024-0001" in pdf_text(pdf.content)

    async def test_too_many_is_400(
        self, api: Api, owner: Member, book: Book, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(documents, "EXPORT_LIMIT", 2)
        for _ in range(3):
            await manual(api, owner, book.acme)

        response = await api.as_(owner).get(f"{INVOICES}/export")

        assert response.status_code == 400
        assert response.json()["error_code"] == "export_too_large"

    async def test_customers_export_their_issued_invoices(
        self, api: Api, owner: Member, customer: Member, book: Book
    ) -> None:
        issued = await manual(api, owner, book.acme)
        await finalize(api, owner, issued["id"], issue_date="2024-03-01")
        await manual(api, owner, book.acme)

        response = await api.as_(customer).get(f"{INVOICES}/export")

        lines = response.content.decode("utf-8-sig").strip().splitlines()
        assert len(lines) == 2
        assert lines[1].startswith("INV-2024-0001,sent,")
