"""The summary as a file (S5.4): CSV sections, XLSX sheets or PDF sections, one table
per grouping after the totals.

Each section is a `kit.tables.Table` (title, columns, rows, a bold totals row); the
report is small (bounded by the number of projects, users, tasks and at most 366
periods), so it is built in memory. Names are shown as stored; time without a project
(client, task) is a row of its own, so every section adds up to the totals.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]

from clocktower.kit import pdf as pdf_kit
from clocktower.kit.sql_time import PeriodUnit
from clocktower.kit.tables import MEDIA_TYPES, Table, TableFormat, to_csv
from clocktower.report.repository import Dimension, GroupTotal, PeriodTotal, Totals
from clocktower.report.schemas import hours
from clocktower.report.service import Summary

_AMOUNTS = ("Hours", "Billable hours", "Entries")
# A grouping's name (or period) column, then the three amounts.
_WIDTHS = (3.0, 1.0, 1.0, 1.0)
_DIMENSION_TITLES: dict[Dimension, tuple[str, str, str]] = {
    # Section title, first column, the row of time without one.
    "project": ("By project", "Project", "(no project)"),
    "client": ("By client", "Client", "(no client)"),
    "user": ("By user", "User", "(unknown user)"),
    "task": ("By task", "Task", "(no task)"),
}
_PERIOD_TITLES: dict[PeriodUnit, tuple[str, str]] = {
    "day": ("By day", "Day"),
    "week": ("By week", "Week of"),
    "month": ("By month", "Month"),
}


def filename(summary: Summary, file_format: TableFormat) -> str:
    return f"summary-{summary.first_day.isoformat()}-{summary.last_day.isoformat()}.{file_format}"


def media_type(file_format: TableFormat) -> str:
    return MEDIA_TYPES[file_format]


def render_summary(summary: Summary, file_format: TableFormat) -> bytes:
    title = "Time summary"
    subtitle = [
        f"{summary.first_day.isoformat()} to {summary.last_day.isoformat()} ({summary.zone})",
        "Stopped entries, each counted in the period its start falls in.",
    ]
    tables = summary_tables(summary)
    if file_format == "csv":
        return _csv(tables)
    if file_format == "xlsx":
        return _xlsx(tables)
    return _pdf(title, subtitle, tables)


def summary_tables(summary: Summary) -> list[Table]:
    totals = summary.totals
    tables = [
        Table(
            title="Summary",
            columns=("From", "To", "Time zone", *_AMOUNTS),
            rows=[(summary.first_day, summary.last_day, summary.zone, *_amounts(totals))],
        )
    ]
    for dimension, rows in summary.by_dimension.items():
        section, column, nameless = _DIMENSION_TITLES[dimension]
        tables.append(
            Table(
                title=section,
                columns=(column, *_AMOUNTS),
                rows=[(_name(row, nameless), *_amounts(row)) for row in rows],
                totals=("Total", *_amounts(totals)),
                widths=_WIDTHS,
            )
        )
    for unit, periods in summary.by_period.items():
        section, column = _PERIOD_TITLES[unit]
        tables.append(
            Table(
                title=section,
                columns=(column, *_AMOUNTS),
                rows=[(_label(row, unit), *_amounts(row)) for row in periods],
                totals=("Total", *_amounts(totals)),
                widths=_WIDTHS,
            )
        )
    return tables


def _amounts(row: Totals | GroupTotal | PeriodTotal) -> tuple[Decimal, Decimal, int]:
    return hours(row.seconds), hours(row.billable_seconds), row.entries


def _name(row: GroupTotal, nameless: str) -> str:
    if row.key is None:
        return nameless
    return row.name if row.name is not None else f"#{row.key}"


def _label(row: PeriodTotal, unit: PeriodUnit) -> str:
    return row.label.strftime("%Y-%m") if unit == "month" else row.label.isoformat()


# --- the three formats --------------------------------------------------------------------


def _rows_of(table: Table) -> list[Sequence[Any]]:
    return [*table.rows, *([table.totals] if table.totals is not None else [])]


def _csv(tables: Sequence[Table]) -> bytes:
    """Each section: its title on a line of its own, its table, an empty line."""
    parts: list[str] = []
    for table in tables:
        title = io.StringIO()
        csv.writer(title, lineterminator="\r\n").writerow([table.title])
        parts.append(title.getvalue() + to_csv(table).decode().removeprefix("\ufeff") + "\r\n")
    # One BOM, so spreadsheets open the file as UTF-8.
    return ("\ufeff" + "".join(parts)).encode()


def _xlsx(tables: Sequence[Table]) -> bytes:
    """A sheet per section, named by its title."""
    workbook = Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(table.title)
        sheet.append(list(table.columns))
        for row in _rows_of(table):
            sheet.append([_xlsx_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _pdf(title: str, subtitle: Sequence[str], tables: Sequence[Table]) -> bytes:
    """A heading per section; a section's table repeats its header across pages."""
    document = pdf_kit.new_pdf(title, footer=title)
    document.set_font(pdf_kit.FONT, "B", 14)
    document.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    document.set_font(pdf_kit.FONT, size=9)
    for line in subtitle:
        document.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    usable = document.w - document.l_margin - document.r_margin
    for table in tables:
        document.ln(4)
        if document.get_y() + 20 > document.page_break_trigger:
            document.add_page()
        document.set_font(pdf_kit.FONT, "B", 11)
        document.cell(0, 7, table.title, new_x="LMARGIN", new_y="NEXT")
        relative = list(table.widths or [1.0] * len(table.columns))
        widths = [usable * part / sum(relative) for part in relative]
        align = _alignment(table)
        rows = [[_pdf_text(value) for value in row] for row in _rows_of(table)]
        pdf_kit.table(
            document, table.columns, rows, widths, align, bold_last_row=table.totals is not None
        )
    return pdf_kit.to_bytes(document)


def _alignment(table: Table) -> list[pdf_kit.Align]:
    """Numbers to the right, text to the left, judged by the first row."""
    first = _rows_of(table)[0] if _rows_of(table) else [None] * len(table.columns)
    return [
        "R" if isinstance(value, int | Decimal) and not isinstance(value, bool) else "L"
        for value in first
    ]


def _pdf_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
