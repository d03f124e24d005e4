"""Bills as a file (S5.4): CSV, XLSX or PDF of what `GET /time-bills` lists.

Bounded: at most EXPORT_MAX bills (400 `too_many_time_bills` asks to narrow the filters).
The rows are one enriched statement, the totals one GROUP BY per currency: nothing is
summed in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.kit.money import from_cents
from clocktower.kit.tables import MEDIA_TYPES, Table, TableFormat, render
from clocktower.time_bill.errors import TooManyTimeBills
from clocktower.time_bill.repository import BillView, CurrencyTotals, TimeBillRepository
from clocktower.time_bill.schemas import hours_of
from clocktower.time_bill.service import BillQuery, filters_of, viewer_of

EXPORT_MAX = 50_000
COLUMNS = (
    "Date",
    "User",
    "Client",
    "Project",
    "Task",
    "Entries",
    "Hours",
    "Billable hours",
    "Hourly rate",
    "Amount",
    "Currency",
    "Status",
    "Memo",
)
_WIDTHS = (1.1, 1.4, 1.4, 1.4, 1.4, 0.7, 0.8, 0.9, 0.9, 1.0, 0.8, 0.9, 2.0)


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    media_type: str
    filename: str


async def export_bills(
    session: AsyncSession, auth: AuthContext, query: BillQuery, file_format: TableFormat
) -> ExportFile:
    viewer = viewer_of(auth)
    filters = filters_of(auth, query)
    repository = TimeBillRepository(session)
    found = await repository.matching(viewer, filters)
    if found > EXPORT_MAX:
        raise TooManyTimeBills(found, EXPORT_MAX)
    views = await repository.rows(viewer, filters, limit=EXPORT_MAX)
    totals = await repository.totals_by_currency(viewer, filters)
    table = Table(
        title="Time bills",
        columns=COLUMNS,
        rows=[_row(view) for view in views],
        subtitle=_subtitle(query, totals),
        totals=_totals(totals) if totals else None,
        widths=_WIDTHS,
    )
    return ExportFile(
        content=render(table, file_format),
        media_type=MEDIA_TYPES[file_format],
        filename=f"time-bills.{file_format}",
    )


def _row(view: BillView) -> list[Any]:
    bill = view.bill
    return [
        bill.day,
        view.user_name,
        view.client_name,
        view.project_name,
        view.task_name,
        bill.entry_count,
        hours_of(bill.seconds),
        hours_of(bill.billable_seconds),
        from_cents(bill.rate_cents),
        from_cents(bill.amount_cents),
        bill.currency,
        bill.status,
        bill.memo,
    ]


def _totals(totals: list[CurrencyTotals]) -> list[Any]:
    """Hours over every bill; the amount only when one currency is in play (amounts of
    several currencies never add up: the subtitle lists them per currency)."""
    single = totals[0] if len(totals) == 1 else None
    return [
        "Total",
        None,
        None,
        None,
        None,
        sum(row.bills for row in totals),
        hours_of(sum(row.seconds for row in totals)),
        hours_of(sum(row.billable_seconds for row in totals)),
        None,
        from_cents(single.amount_cents) if single else None,
        single.currency if single else None,
        None,
        None,
    ]


def _subtitle(query: BillQuery, totals: list[CurrencyTotals]) -> list[str]:
    lines = []
    if query.start_date or query.end_date:
        first = query.start_date.isoformat() if query.start_date else "…"
        last = query.end_date.isoformat() if query.end_date else "…"
        lines.append(f"Days {first} to {last}")
    if len(totals) > 1:
        lines.append(
            "Amounts: "
            + ", ".join(f"{from_cents(row.amount_cents)} {row.currency}" for row in totals)
        )
    return lines
