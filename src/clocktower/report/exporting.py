"""The summary as a file (S5.4): CSV sections, XLSX sheets or PDF sections, one table
per grouping after the totals.

Each section is a `kit.tables.Table` (title, columns, rows, a bold totals row); the
report is small (bounded by the number of projects, users, tasks and at most 366
periods), so it is built in memory. Names are shown as stored; time without a project
(client, task) is a row of its own, so every section adds up to the totals.
"""

from __future__ import annotations

from decimal import Decimal

from clocktower.kit.sql_time import PeriodUnit
from clocktower.kit.tables import MEDIA_TYPES, Table, TableFormat, render_many
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
    return render_many(title, subtitle, summary_tables(summary), file_format)


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
