"""Import a CSV file of time entries (seed 002 `POST /time-entries/import-csv`): every
row or none.

Every row passes the ledger's rules (`check_span` with the organisation's settings,
active projects only, a customer's own client, notes and tags limits); any bad row fails
the file with each problem named by line and column. The work is set-based: the names
of the whole file resolve with a few statements, missing ones are created with one
INSERT per kind, the entries with batched multi-row INSERTs (a thousand rows each),
their audit rows and webhook events likewise, and their time bills in one ledger refresh
(`time_bill.ledger.refresh`: a fixed number of statements per thousand entries).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.errors import ValidationFailed
from clocktower.models import TimeEntry, User
from clocktower.setting.service import organization_settings
from clocktower.time_bill.ledger import refresh
from clocktower.time_entry.service import announce_many, check_span, entry_payload
from clocktower.time_entry_io.bulk import check_budgets
from clocktower.time_entry_io.errors import ImportRowsInvalid, RowProblem
from clocktower.time_entry_io.importing.base import ParseContext, ParsedRow, RowError
from clocktower.time_entry_io.importing.detect import detect
from clocktower.time_entry_io.importing.names import CreatedCounts, NamePlan
from clocktower.time_entry_io.importing.table import decode, read_table
from clocktower.time_entry_io.importing.values import slash_days_are_day_first
from clocktower.time_entry_io.repository import NameRepository, insert_returning, record_audit
from clocktower.time_entry_io.schemas import ImportFormat

Progress = Callable[[int, int], None]
"""Called with (rows checked, rows in the file) while the file is checked."""

_PROGRESS_EVERY = 500


@dataclass(frozen=True)
class ImportOutcome:
    imported: int
    format: ImportFormat
    created: CreatedCounts


async def import_entries(
    session: AsyncSession,
    auth: AuthContext,
    content: bytes | str,
    *,
    progress: Progress | None = None,
) -> ImportOutcome:
    table = read_table(decode(content))
    file_format = detect(set(table.headers))
    if not table.records:
        raise ImportRowsInvalid([RowProblem(1, "file", "The file has a header but no rows")])
    context = ParseContext(
        zone=auth.user.timezone,
        day_first=slash_days_are_day_first(file_format.day_values(table.records)),
    )
    settings = await organization_settings(session, auth.org_id)
    columns = file_format.column_names(table.headers)
    problems: list[RowProblem] = []
    rows: list[ParsedRow] = []
    durations: dict[int, int] = {}
    total = len(table.records)
    for done, record in enumerate(table.records, 1):
        try:
            row = file_format.parse(record, context)
        except RowError as error:
            problems.append(RowProblem(record.line, error.column, error.message))
        else:
            try:
                durations[row.line] = check_span(row.start_at, row.end_at, settings)
                rows.append(row)
            except ValidationFailed as error:
                problems.append(RowProblem(record.line, row.end_column, error.message))
        if progress is not None and (done % _PROGRESS_EVERY == 0 or done == total):
            progress(done, total)

    users = await _users(session, auth, rows, columns["email"], problems)
    plan = NamePlan(auth, columns, general_support=settings.auto_create_general_support_project)
    await plan.load(session, rows)
    named: list[ParsedRow] = []
    for row in rows:
        try:
            plan.resolve(row)
            named.append(row)
        except RowError as error:
            problems.append(RowProblem(row.line, error.column, error.message))
    await plan.load_tasks(session)
    for row in named:
        try:
            plan.resolve_task(row)
        except RowError as error:
            problems.append(RowProblem(row.line, error.column, error.message))
    if problems:
        raise ImportRowsInvalid(problems)

    created = await plan.create(session)
    values = []
    for row in rows:
        references = plan.references(row)
        values.append(
            {
                "organization_id": auth.org_id,
                "user_id": users[row.line].id,
                "project_id": references.project_id,
                "task_id": references.task_id,
                "client_id": references.client_id,
                "start_at": row.start_at,
                "end_at": row.end_at,
                "duration_seconds": durations[row.line],
                "notes": row.notes,
                "tags": row.tags,
                "billable": references.billable,
                "paid": row.paid,
                "source": "import",
            }
        )
    entries = await insert_returning(session, TimeEntry, values)
    await refresh(session, auth.org_id, [entry.id for entry in entries])
    payloads = {entry.id: entry_payload(entry) for entry in entries}
    await record_audit(session, auth.org_id, "time_entry", "create", payloads)
    await announce_many(session, auth.org_id, "time_entry.created", list(payloads.values()))
    await check_budgets(
        session, auth, {entry.project_id for entry in entries if entry.project_id is not None}
    )
    return ImportOutcome(imported=len(entries), format=file_format.name, created=created)


async def _users(
    session: AsyncSession,
    auth: AuthContext,
    rows: list[ParsedRow],
    column: str,
    problems: list[RowProblem],
) -> dict[int, User]:
    """The user of each row: the email's member, or the caller when the row names none.
    Time for anyone else needs time_entry.update.other (403 for the whole file)."""
    own = auth.user.email.lower()
    emails = sorted({row.email for row in rows if row.email and row.email != own})
    members = await NameRepository(session).members_by_email(auth.org_id, emails)
    users: dict[int, User] = {}
    for row in rows:
        if row.email is None or row.email == own:
            users[row.line] = auth.user
        elif row.email in members:
            users[row.line] = members[row.email]
        else:
            problems.append(
                RowProblem(row.line, column, f"{row.email} is not a member of this organisation")
            )
    if any(user.id != auth.user_id for user in users.values()):
        auth.require("time_entry.update.other")
    return users
