"""GET /time-bills/export (S5.4): CSV, XLSX and PDF of the listed bills with a totals row,
the list's filters and visibility, and the 50,000-bill bound."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from pypdf import PdfReader

from clocktower.models import Client, Task
from tests.support import Api, Factory, Member
from tests.time_bill.conftest import BILLS, entry_at, make_project

EXPORT = f"{BILLS}/export"


@pytest.fixture
async def bills(api: Api, member: Member, admin: Member, homepage: Task) -> None:
    """Member: 1.5 h on the 15th, 0.5 h on the 16th; admin: 1 h on the 17th (100.00/h)."""
    for who, start, end in (
        (member, "2024-01-15T09:00:00Z", "2024-01-15T10:30:00Z"),
        (member, "2024-01-16T09:00:00Z", "2024-01-16T09:30:00Z"),
        (admin, "2024-01-17T09:00:00Z", "2024-01-17T10:00:00Z"),
    ):
        await entry_at(api, who, start, end, task_id=homepage.id)


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


class TestFormats:
    async def test_csv_has_a_row_per_bill_and_a_totals_row(
        self, api: Api, admin: Member, bills: None
    ) -> None:
        response = await api.as_(admin).get(EXPORT)

        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
        assert 'filename="time-bills.csv"' in response.headers["content-disposition"]
        header, *rows, totals = csv_rows(response.content)
        assert header[:7] == ["Date", "User", "Client", "Project", "Task", "Entries", "Hours"]
        assert [row[0] for row in rows] == ["2024-01-15", "2024-01-16", "2024-01-17"]
        assert rows[0][1:5] == ["Max Member", "Acme Corp", "Website", "Homepage"]
        assert rows[0][6:12] == ["1.50", "1.50", "100.00", "150.00", "EUR", "pending"]
        assert totals[:11] == ["Total", "", "", "", "", "3", "3.00", "3.00", "", "300.00", "EUR"]

    async def test_xlsx_reads_back(self, api: Api, admin: Member, bills: None) -> None:
        response = await api.as_(admin).get(EXPORT, params={"format": "xlsx"})

        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert values[0][0] == "Date"
        assert len(values) == 5
        assert values[-1][9] == 300.0

    async def test_pdf_names_the_bills_and_the_total(
        self, api: Api, admin: Member, bills: None
    ) -> None:
        response = await api.as_(admin).get(
            EXPORT, params={"format": "pdf", "start_date": "2024-01-15", "end_date": "2024-01-16"}
        )

        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        text = "\n".join(
            page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
        )
        assert "Time bills" in text
        assert "Days 2024-01-15 to 2024-01-16" in text
        assert "Max Member" in text
        assert "200.00" in text


class TestScope:
    async def test_filters_and_visibility_are_the_lists(
        self, api: Api, member: Member, admin: Member, bills: None
    ) -> None:
        own = csv_rows((await api.as_(member).get(EXPORT)).content)
        one_day = csv_rows(
            (await api.as_(admin).get(EXPORT, params={"startDate": "2024-01-17"})).content
        )

        assert [row[0] for row in own[1:-1]] == ["2024-01-15", "2024-01-16"]
        assert [row[1] for row in one_day[1:-1]] == ["Ada Admin"]

    async def test_amounts_of_several_currencies_are_not_added(
        self, api: Api, factory: Factory, owner: Member, admin: Member, bills: None
    ) -> None:
        dollars = Client(organization_id=owner.organization.id, name="Initech", currency="USD")
        factory.session.add(dollars)
        await factory.session.commit()
        app = await make_project(
            factory, owner.organization, name="App", client_id=dollars.id, hourly_rate_cents=5000
        )
        await entry_at(
            api, admin, "2024-01-18T09:00:00Z", "2024-01-18T10:00:00Z", project_id=app.id
        )

        response = await api.as_(admin).get(EXPORT)

        totals = csv_rows(response.content)[-1]
        assert totals[6] == "4.00"
        assert totals[9:11] == ["", ""]
        pdf = await api.as_(admin).get(EXPORT, params={"format": "pdf"})
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        assert "Amounts: 300.00 EUR, 50.00 USD" in text

    async def test_no_bills_is_a_header_only_file(self, api: Api, admin: Member) -> None:
        response = await api.as_(admin).get(EXPORT)

        assert len(csv_rows(response.content)) == 1

    async def test_more_bills_than_the_bound_is_400(
        self, api: Api, admin: Member, bills: None, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from clocktower.time_bill import export

        monkeypatch.setattr(export, "EXPORT_MAX", 2)

        response = await api.as_(admin).get(EXPORT)

        assert response.status_code == 400
        body = response.json()
        assert (body["error_code"], body["limit"]) == ("too_many_time_bills", 2)
        assert "narrow" in body["message"]

    async def test_bad_format_and_permission(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        customer = await factory.member(owner.organization, "customer")
        assert (await api.as_(owner).get(EXPORT, params={"format": "doc"})).status_code == 400
        response = await api.as_(customer).get(EXPORT)
        assert response.status_code == 403
        assert response.json()["required_permission"] == "time_bill.fetch.many"
