"""GET /reports/summary/export: CSV sections, XLSX sheets and a PDF read back with pypdf,
with the summary's filters, groupings and file name."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook  # type: ignore[import-untyped]
from pypdf import PdfReader

from tests.report.conftest import EXPORT, JANUARY, Ledger
from tests.support import Api, Factory, Member
from tests.time_entry.conftest import add_entry, make_project, utc


def sections(text: str) -> dict[str, list[list[str]]]:
    """CSV sections: a title line, the table (header first), an empty line."""
    found: dict[str, list[list[str]]] = {}
    for block in text.removeprefix("\ufeff").split("\r\n\r\n"):
        if not block.strip():
            continue
        rows = list(csv.reader(io.StringIO(block)))
        found[rows[0][0]] = rows[1:]
    return found


class TestCsv:
    async def test_a_section_per_grouping_each_adding_up_to_the_totals(
        self, api: Api, owner: Member, ledger: Ledger
    ) -> None:
        response = await api.as_(owner).get(EXPORT, params={**JANUARY, "group_by": "client,week"})

        assert response.status_code == 200
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.headers["content-disposition"] == (
            'attachment; filename="summary-2024-01-01-2024-01-31.csv"'
        )
        assert response.text.count("\ufeff") == 1
        found = sections(response.text)
        assert list(found) == ["Summary", "By project", "By client", "By week"]
        assert found["Summary"] == [
            ["From", "To", "Time zone", "Hours", "Billable hours", "Entries"],
            ["2024-01-01", "2024-01-31", "UTC", "4.25", "2.25", "4"],
        ]
        assert found["By project"] == [
            ["Project", "Hours", "Billable hours", "Entries"],
            ["App", "2.00", "0.00", "1"],
            ["Website", "1.50", "1.50", "2"],
            ["(no project)", "0.75", "0.75", "1"],
            ["Total", "4.25", "2.25", "4"],
        ]
        assert found["By client"][-1] == ["Total", "4.25", "2.25", "4"]
        assert [row[0] for row in found["By week"][1:]] == [
            "2024-01-01",
            "2024-01-08",
            "2024-01-15",
            "2024-01-22",
            "2024-01-29",
            "Total",
        ]

    async def test_csv_is_the_default_and_filters_apply(
        self, api: Api, owner: Member, ledger: Ledger
    ) -> None:
        response = await api.as_(owner).get(
            EXPORT, params={**JANUARY, "project_id": ledger.website.id, "group_by": "month"}
        )

        found = sections(response.text)
        assert found["By project"][1:] == [
            ["Website", "1.50", "1.50", "2"],
            ["Total", "1.50", "1.50", "2"],
        ]
        assert found["By month"][1] == ["2024-01", "1.50", "1.50", "2"]

    async def test_names_are_quoted_not_interpreted(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        odd = await make_project(factory, owner.organization, name='Design, "phase 2"')
        await add_entry(factory, owner, utc("2024-01-10T09:00"), project=odd)

        response = await api.as_(owner).get(EXPORT, params=JANUARY)

        assert sections(response.text)["By project"][1][0] == 'Design, "phase 2"'


class TestXlsx:
    async def test_a_sheet_per_section_with_numbers(
        self, api: Api, factory: Factory, owner: Member, ledger: Ledger
    ) -> None:
        # Control characters cannot be stored in a sheet: they are dropped, not a 500.
        odd = await make_project(factory, owner.organization, name="Bell\x07 project")
        await add_entry(factory, owner, utc("2024-01-25T09:00"), minutes=6, project=odd)

        response = await api.as_(owner).get(
            EXPORT, params={**JANUARY, "format": "xlsx", "group_by": "user,task,day,month"}
        )

        assert response.status_code == 200
        assert response.headers["content-type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        assert (
            'filename="summary-2024-01-01-2024-01-31.xlsx"'
            in (response.headers["content-disposition"])
        )
        workbook = load_workbook(io.BytesIO(response.content))
        assert workbook.sheetnames == [
            "Summary",
            "By project",
            "By user",
            "By task",
            "By day",
            "By month",
        ]
        summary = list(workbook["Summary"].values)
        assert summary[1][3:] == (4.35, 2.35, 5)
        projects = list(workbook["By project"].values)
        assert ("Bell project", 0.1, 0.1, 1) in projects
        assert projects[-1] == ("Total", 4.35, 2.35, 5)
        assert len(list(workbook["By day"].values)) == 1 + 31 + 1


class TestPdf:
    async def test_the_pdf_holds_the_totals_and_every_section(
        self, api: Api, factory: Factory, owner: Member, ledger: Ledger
    ) -> None:
        accented = await make_project(factory, owner.organization, name="Café Ωmega")
        await add_entry(factory, owner, utc("2024-01-25T09:00"), minutes=6, project=accented)

        response = await api.as_(owner).get(
            EXPORT, params={**JANUARY, "format": "pdf", "group_by": "client,user,day"}
        )

        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        assert (
            'filename="summary-2024-01-01-2024-01-31.pdf"'
            in (response.headers["content-disposition"])
        )
        reader = PdfReader(io.BytesIO(response.content))
        text = "\n".join(page.extract_text() for page in reader.pages)
        assert "Time summary" in text
        assert "2024-01-01 to 2024-01-31 (UTC)" in text
        for section in ("By project", "By client", "By user", "By day"):
            assert section in text
        assert "2024-01-01 2024-01-31 UTC 4.35 2.35 5" in text
        assert "Total 4.35 2.35 5" in text
        assert "Café Ωmega 0.10 0.10 1" in text

    async def test_long_sections_run_over_pages(
        self, api: Api, owner: Member, ledger: Ledger
    ) -> None:
        response = await api.as_(owner).get(
            EXPORT,
            params={
                "start_date": "2024-01-01",
                "end_date": "2024-12-31",
                "format": "pdf",
                "group_by": "day,week,month",
            },
        )

        reader = PdfReader(io.BytesIO(response.content))
        assert len(reader.pages) > 5
        text = "\n".join(page.extract_text() for page in reader.pages)
        assert "2024-12-31 0.00 0.00 0" in text
        assert text.count("Total 5.75 3.75 5") == 4


class TestErrors:
    async def test_an_unknown_format_is_a_validation_error(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).get(EXPORT, params={"format": "docx"})

        assert response.status_code == 400
        assert response.json()["error_code"] == "validation_error"

    async def test_the_summarys_validation_applies(self, api: Api, owner: Member) -> None:
        for params in (
            {"group_by": "year"},
            {"start_date": "2024-02-01", "end_date": "2024-01-01"},
            {"start_date": "2024-01-01", "end_date": "2025-06-01", "group_by": "day"},
        ):
            response = await api.as_(owner).get(EXPORT, params={**params, "format": "pdf"})

            assert response.status_code == 400, params
            assert response.json()["error_code"] == "validation_error"
