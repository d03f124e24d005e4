"""CSV and XLSX export of any filtered entry list, in constant memory (S3.6).

Entries are read in keyset batches (`TimeEntryRepository.stream`) from a read session of
their own: a streamed answer's body runs after the request's session has closed. CSV
goes out batch by batch; XLSX is written by openpyxl's write-only mode (rows go to a
temporary file, never all held) into a spooled temporary file, then streamed. The
columns are Clocktower's import format, so an export imports back unchanged.
"""

from __future__ import annotations

import asyncio
import csv
import io
import tempfile
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import IO, Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.db import Database
from clocktower.time_entry.repository import STREAM_BATCH, EntryFilters, Viewer
from clocktower.time_entry.schemas import seconds_to_hours
from clocktower.time_entry.service import EntryQuery, filters_of, viewer_of
from clocktower.time_entry_io.importing.clocktower import COLUMNS
from clocktower.time_entry_io.repository import ExportRepository, Person
from clocktower.time_entry_io.schemas import ExportFormat

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CHUNK_BYTES = 64 * 1024
# XLSX files stay in memory up to this size, then spill to disk.
SPOOL_BYTES = 8 * 1024 * 1024

Progress = Callable[[int], None]
"""Called with the number of entries written so far."""


@dataclass(frozen=True)
class ExportPlan:
    """What to export, decided (and authorised) while the request is still open."""

    viewer: Viewer
    filters: EntryFilters
    zone: str
    format: ExportFormat

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]

    @property
    def filename(self) -> str:
        today = datetime.now(ZoneInfo(self.zone)).date().isoformat()
        return f"time-entries-{today}.{self.format}"


def export_entries(auth: AuthContext, query: EntryQuery, file_format: ExportFormat) -> ExportPlan:
    """The list filters of `GET /time-entries`, with the same visibility and permissions."""
    return ExportPlan(
        viewer=viewer_of(auth),
        filters=filters_of(auth, query),
        zone=auth.user.timezone,
        format=file_format,
    )


async def count_entries(session: AsyncSession, plan: ExportPlan) -> int:
    return await ExportRepository(session).matching(plan.viewer, plan.filters)


async def native_rows(session: AsyncSession, plan: ExportPlan) -> AsyncIterator[list[list[Any]]]:
    """Batches of rows in the native columns (typed values: dates, decimals, booleans)."""
    repository = ExportRepository(session)
    people: dict[int, Person] = {}
    batch: list[Row[Any]] = []
    async for entry in repository.stream(plan.viewer, plan.filters):
        batch.append(entry)
        if len(batch) >= STREAM_BATCH:
            yield await _rows(repository, batch, people, plan.zone)
            batch = []
    if batch:
        yield await _rows(repository, batch, people, plan.zone)


async def _rows(
    repository: ExportRepository,
    entries: Sequence[Row[Any]],
    people: dict[int, Person],
    zone: str,
) -> list[list[Any]]:
    """`entries` are `TimeEntryRepository.stream` rows: the entry's columns and names."""
    unknown = {entry.user_id for entry in entries} - people.keys()
    people.update(await repository.people(sorted(unknown)))
    tz = ZoneInfo(zone)
    rows: list[list[Any]] = []
    for entry in entries:
        person = people.get(entry.user_id, Person("", entry.user_name or ""))
        rows.append(
            [
                entry.start_at.astimezone(tz).date(),
                _iso(entry.start_at),
                _iso(entry.end_at),
                seconds_to_hours(entry.duration_seconds),
                person.email,
                person.name,
                entry.client_name,
                entry.project_name,
                entry.task_name,
                entry.notes,
                entry.tags,
                entry.billable,
                entry.paid,
                entry.source,
            ]
        )
    return rows


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


# --- CSV ----------------------------------------------------------------------------


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return value


async def csv_chunks(
    database: Database, plan: ExportPlan, progress: Progress | None = None
) -> AsyncIterator[bytes]:
    """The CSV, a batch at a time; UTF-8 with a BOM so spreadsheets read it as UTF-8."""
    written = 0
    async with database.transaction(write=False) as session:
        yield ("\ufeff" + _csv_line(COLUMNS)).encode()
        async for rows in native_rows(session, plan):
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\r\n")
            writer.writerows([[_csv_cell(value) for value in row] for row in rows])
            yield buffer.getvalue().encode()
            written += len(rows)
            if progress is not None:
                progress(written)


def _csv_line(values: Sequence[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)
    return buffer.getvalue()


# --- XLSX ---------------------------------------------------------------------------


async def write_xlsx(
    database: Database, plan: ExportPlan, target: IO[bytes], progress: Progress | None = None
) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Time entries")
    sheet.append(list(COLUMNS))
    written = 0
    async with database.transaction(write=False) as session:
        async for rows in native_rows(session, plan):
            # openpyxl is synchronous: a batch at a time off the event loop.
            await asyncio.to_thread(_append, sheet, rows)
            written += len(rows)
            if progress is not None:
                progress(written)
    await asyncio.to_thread(workbook.save, target)


def _append(sheet: Any, rows: list[list[Any]]) -> None:
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        cleaned = ILLEGAL_CHARACTERS_RE.sub("", value)
        if cleaned.startswith("="):
            # Text, never a formula: notes must not run in the reader's spreadsheet.
            cell = WriteOnlyCell(sheet, value=cleaned)
            cell.data_type = "s"
            return cell
        return cleaned
    return value


async def xlsx_chunks(database: Database, plan: ExportPlan) -> AsyncIterator[bytes]:
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        await write_xlsx(database, plan, spool)
        spool.seek(0)
        while chunk := await asyncio.to_thread(spool.read, CHUNK_BYTES):
            yield chunk


def chunks(database: Database, plan: ExportPlan) -> AsyncIterator[bytes]:
    return csv_chunks(database, plan) if plan.format == "csv" else xlsx_chunks(database, plan)
