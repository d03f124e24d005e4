"""Bulk actions, CSV import and CSV/XLSX export of time entries over HTTP (seed 002).

Mounted before the entry router so `/time-entries/export` is not read as an entry id.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import ValidationError

from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import authorized
from clocktower.db import Database, DbSession
from clocktower.errors import (
    Forbidden,
    MalformedJson,
    UnsupportedMediaType,
    ValidationFailed,
    error_responses,
)
from clocktower.kit.ids import MAX_ID
from clocktower.routing import AppRoute
from clocktower.time_entry.filters import EntryFilters
from clocktower.time_entry_io import bulk, exporting
from clocktower.time_entry_io.errors import (
    ImportRowsInvalid,
    ImportTooLarge,
    ImportUnreadable,
)
from clocktower.time_entry_io.importing import service as importing
from clocktower.time_entry_io.schemas import (
    BulkAction,
    BulkResult,
    CreatedNames,
    CsvJson,
    ExportFormat,
    ImportResult,
    SkippedEntry,
)
from clocktower.uploads import read_body, read_form_field

router = APIRouter(prefix="/time-entries", tags=["time entries"], route_class=AppRoute)

EntriesList = Annotated[AuthContext, authorized("time_entry.fetch.many")]
EntriesCreate = Annotated[AuthContext, authorized("time_entry.create")]
EntriesUpdate = Annotated[AuthContext, authorized("time_entry.update")]

IMPORT_MAX_BYTES = 10 * 1024 * 1024
# The app's body-size guard lets this path carry files up to IMPORT_MAX_BYTES.
IMPORT_PATH = "/api/v1/time-entries/import-csv"
RAW_CSV_TYPES = frozenset({"text/csv", "text/plain", "application/csv", "application/vnd.ms-excel"})
OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID)]

_IMPORT_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
        "application/json": {
            "schema": {
                "oneOf": [
                    {
                        "type": "object",
                        "required": [key],
                        "properties": {key: {"type": "string"}},
                        "additionalProperties": False,
                    }
                    for key in ("csv", "data")
                ]
            }
        },
        "text/csv": {"schema": {"type": "string"}},
    },
}


@router.post("/bulk", responses=error_responses(Forbidden))
async def bulk_update_entries(
    data: BulkAction, auth: EntriesUpdate, session: DbSession
) -> BulkResult:
    """Seed 002: delete, set_billable, set_paid, add_tag or remove_tag on up to 500 entries.

    Running entries are skipped for every action; without time_entry.update.other only
    your own entries are touched (others are skipped as not_yours); delete also needs
    time_entry.delete. One transaction: everything listed as affected changed together.
    """
    outcome = await bulk.bulk_update_entries(session, auth, data)
    return BulkResult(
        message=outcome.message,
        action=data.action,
        affected=len(outcome.affected_ids),
        unchanged=outcome.unchanged,
        affected_ids=outcome.affected_ids,
        skipped=[SkippedEntry(id=entry_id, reason=reason) for entry_id, reason in outcome.skipped],
    )


@router.post(
    "/import-csv",
    status_code=201,
    responses=error_responses(
        ImportRowsInvalid, ImportUnreadable, ImportTooLarge, UnsupportedMediaType, Forbidden
    ),
    openapi_extra={"requestBody": _IMPORT_BODY},
)
async def import_entries(request: Request, auth: EntriesCreate, session: DbSession) -> ImportResult:
    """Seed 002: a CSV file as multipart field `file`, as JSON `{"csv": "..."}` or
    `{"data": "..."}`, or as the raw body (`Content-Type: text/csv`), up to 10 MB.

    Clocktower's own export, Toggl Track, Clockify and Kimai files are recognised by
    their header row. All or nothing: any bad row answers 400 with `errors: [{row, field,
    message}]` (row = line in the file, the header is 1) and nothing is written. Missing
    clients, projects and tasks are created; a user column (email) must name a member,
    and time for others needs time_entry.update.other.
    """
    outcome = await importing.import_entries(session, auth, await _csv_content(request))
    created = outcome.created
    return ImportResult(
        message=f"Imported {bulk.entries(outcome.imported)}",
        imported=outcome.imported,
        format=outcome.format,
        created=CreatedNames(
            clients=created.clients, projects=created.projects, tasks=created.tasks
        ),
    )


async def _csv_content(request: Request) -> bytes | str:
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type == "multipart/form-data":
        return await _uploaded_file(request)
    if content_type == "application/json":
        try:
            body = json.loads(await _body(request))
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise MalformedJson("The request body is not valid JSON") from None
        try:
            return CsvJson.model_validate(body).text
        except ValidationError as error:
            raise ValidationFailed(
                {
                    ".".join(str(part) for part in problem["loc"]) or "body": [problem["msg"]]
                    for problem in error.errors()
                }
            ) from None
    if content_type in RAW_CSV_TYPES or content_type.startswith("text/"):
        return await _body(request)
    raise UnsupportedMediaType(
        'Send the CSV as multipart/form-data (field file), as JSON {"csv": ...} '
        "or as the raw body with Content-Type: text/csv"
    )


async def _body(request: Request) -> bytes:
    return await read_body(request, IMPORT_MAX_BYTES, lambda: ImportTooLarge(IMPORT_MAX_BYTES))


async def _uploaded_file(request: Request) -> bytes | str:
    content = await read_form_field(
        request,
        "file",
        IMPORT_MAX_BYTES,
        too_large=lambda: ImportTooLarge(IMPORT_MAX_BYTES),
        unreadable=lambda message: ImportUnreadable("file", message),
    )
    if content is None:
        raise ImportUnreadable("file", "Send the CSV file in the multipart field 'file'")
    return content


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The entries as CSV (Clocktower's import format) or XLSX",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                exporting.MEDIA_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
            },
        },
        **error_responses(ValidationFailed, Forbidden),
    },
)
async def export_entries(
    request: Request,
    auth: EntriesList,
    query: EntryFilters,
    file_format: Annotated[
        ExportFormat, Query(alias="format", description="csv (default) or xlsx")
    ] = "csv",
) -> StreamingResponse:
    """Every entry `GET /time-entries` would list with these filters, oldest first, as a
    download; streamed in constant memory whatever the number of entries."""
    plan = exporting.export_entries(auth, query, file_format)
    database: Database = request.app.state.database
    return StreamingResponse(
        exporting.chunks(database, plan),
        media_type=plan.media_type,
        headers={"Content-Disposition": f'attachment; filename="{plan.filename}"'},
    )
