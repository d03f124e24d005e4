"""One table, three files: CSV, XLSX and PDF of a bounded list of rows (a report, a
page of bills or invoices). Streaming exports of unbounded lists (time entries) have
their own writer in `time_entry_io.exporting`.

Cells are typed: `str`, `int`, `Decimal`, `bool`, `date`, `datetime` or `None`.
Decimals stay exact in CSV and PDF; XLSX stores numbers as the spreadsheet's doubles.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]

from clocktower.kit import pdf as pdf_kit

TableFormat = Literal["csv", "xlsx", "pdf"]
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@dataclass
class Table:
    title: str
    columns: Sequence[str]
    rows: list[Sequence[Any]] = field(default_factory=list)
    # Lines under the title in the PDF (period, filters); ignored by CSV and XLSX.
    subtitle: Sequence[str] = ()
    # A last row in bold (totals) in every format.
    totals: Sequence[Any] | None = None
    # Relative column widths for the PDF; equal when not given.
    widths: Sequence[float] | None = None


def render(table: Table, file_format: TableFormat) -> bytes:
    if file_format == "csv":
        return to_csv(table)
    if file_format == "xlsx":
        return to_xlsx(table)
    return to_pdf(table)


def render_many(
    title: str, subtitle: Sequence[str], tables: Sequence[Table], file_format: TableFormat
) -> bytes:
    """Several tables in one file: CSV sections (each table's title on a line, the table,
    an empty line; one BOM), an XLSX sheet per table, PDF sections under one title."""
    if file_format == "csv":
        return _csv_sections(tables)
    if file_format == "xlsx":
        return _xlsx_sheets(tables)
    return _pdf_sections(title, subtitle, tables)


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in _all_rows(table):
        writer.writerow([_text(value) for value in row])
    # A BOM so spreadsheets open the file as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode()


def to_xlsx(table: Table) -> bytes:
    return _xlsx_sheets([table])


def to_pdf(table: Table) -> bytes:
    landscape = len(table.columns) > 6
    document = _pdf_document(table.title, table.subtitle, landscape)
    document.ln(3)
    _pdf_table(document, table)
    return pdf_kit.to_bytes(document)


def _csv_sections(tables: Sequence[Table]) -> bytes:
    parts: list[str] = []
    for table in tables:
        title = io.StringIO()
        csv.writer(title, lineterminator="\r\n").writerow([table.title])
        parts.append(title.getvalue() + to_csv(table).decode().removeprefix("\ufeff") + "\r\n")
    return ("\ufeff" + "".join(parts)).encode()


def _xlsx_sheets(tables: Sequence[Table]) -> bytes:
    workbook = Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(_sheet_name(table.title))
        sheet.append(list(table.columns))
        for row in _all_rows(table):
            sheet.append([_xlsx(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _pdf_sections(title: str, subtitle: Sequence[str], tables: Sequence[Table]) -> bytes:
    """A heading per table; a table repeats its header across pages."""
    landscape = any(len(table.columns) > 6 for table in tables)
    document = _pdf_document(title, subtitle, landscape)
    for table in tables:
        document.ln(4)
        if document.get_y() + 20 > document.page_break_trigger:
            document.add_page()
        document.set_font(pdf_kit.FONT, "B", 11)
        document.cell(0, 7, table.title, new_x="LMARGIN", new_y="NEXT")
        _pdf_table(document, table)
    return pdf_kit.to_bytes(document)


def _pdf_document(title: str, subtitle: Sequence[str], landscape: bool) -> pdf_kit.ClocktowerPdf:
    document = pdf_kit.new_pdf(title, footer=title, landscape=landscape)
    document.set_font(pdf_kit.FONT, "B", 14)
    document.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    document.set_font(pdf_kit.FONT, size=9)
    for line in subtitle:
        document.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    return document


def _pdf_table(document: pdf_kit.ClocktowerPdf, table: Table) -> None:
    usable = document.w - document.l_margin - document.r_margin
    relative = list(table.widths or [1.0] * len(table.columns))
    widths = [usable * part / sum(relative) for part in relative]
    rows = [[_text(value) for value in row] for row in _all_rows(table)]
    align: list[pdf_kit.Align] = [
        "R" if _is_number(_first_value(table, index)) else "L" for index in range(len(widths))
    ]
    pdf_kit.table(
        document, table.columns, rows, widths, align, bold_last_row=table.totals is not None
    )


def _all_rows(table: Table) -> list[Sequence[Any]]:
    return [*table.rows, *([table.totals] if table.totals is not None else [])]


def _first_value(table: Table, index: int) -> Any:
    for row in _all_rows(table):
        if row[index] is not None and row[index] != "":
            return row[index]
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _xlsx(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _sheet_name(title: str) -> str:
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()
    return (cleaned or "Sheet")[:31]
