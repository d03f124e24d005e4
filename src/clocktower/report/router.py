"""Reports (S5.1, S5.4) over HTTP: the summary of seed 002 and its exports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import authorized
from clocktower.db import DbSession
from clocktower.errors import Forbidden, ValidationFailed, error_responses
from clocktower.kit.ids import MAX_ID
from clocktower.kit.tables import MEDIA_TYPES, TableFormat
from clocktower.report import exporting
from clocktower.report import service as report_service
from clocktower.report.schemas import SummaryAnswer, SummaryRead
from clocktower.report.service import SummaryQuery
from clocktower.routing import AppRoute
from clocktower.time_entry.schemas import day_or_instant

router = APIRouter(prefix="/reports", tags=["reports"], route_class=AppRoute)

ReportsFetch = Annotated[AuthContext, authorized("report.fetch")]

OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
_DAY_OR_INSTANT = "A day (2024-01-15, your time zone) or an instant (2024-01-15T09:00:00Z); "
_ERRORS = error_responses(ValidationFailed, Forbidden)


async def summary_filters(
    start_date: Annotated[
        str | None,
        Query(
            max_length=40,
            description=_DAY_OR_INSTANT + "default: the first day of end_date's month",
        ),
    ] = None,
    end_date: Annotated[
        str | None,
        Query(
            max_length=40,
            description=_DAY_OR_INSTANT
            + "a day includes that whole day; default: the last day of start_date's month "
            "(neither date: the current month)",
        ),
    ] = None,
    project_id: OptionalId = None,
    user_id: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="Another user's time needs time_entry.fetch.other"),
    ] = None,
    client_id: OptionalId = None,
    task_id: OptionalId = None,
    billable: bool | None = None,
    group_by: Annotated[
        str | None,
        Query(
            max_length=100,
            description="Comma list of client, user, task, day, week, month: adds by_<each>",
        ),
    ] = None,
) -> SummaryQuery:
    return SummaryQuery(
        start_date=day_or_instant("start_date", start_date),
        end_date=day_or_instant("end_date", end_date),
        project_id=project_id,
        user_id=user_id,
        client_id=client_id,
        task_id=task_id,
        billable=billable,
        group_by=report_service.parse_groupings(group_by),
    )


SummaryFilters = Annotated[SummaryQuery, Depends(summary_filters)]


@router.get("/summary", response_model_exclude_unset=True, responses=_ERRORS)
async def get_summary(
    auth: ReportsFetch, session: DbSession, query: SummaryFilters
) -> SummaryAnswer:
    """Tracked hours of a period: total, billable, entry count and by project (seed 002),
    plus the groupings of `group_by`. Stopped entries only, each counted whole in the
    period (your time zone) its start falls in. Members without time_entry.fetch.other
    see their own time; customers their client's."""
    summary = await report_service.summarize(session, auth, query)
    return SummaryAnswer(summary=SummaryRead.of(summary))


@router.get(
    "/summary/export",
    response_class=Response,
    responses={
        200: {
            "description": "The summary as CSV (sections), XLSX (a sheet each) or PDF",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                MEDIA_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
                MEDIA_TYPES["pdf"]: {"schema": {"type": "string", "format": "binary"}},
            },
        },
        **_ERRORS,
    },
)
async def export_summary(
    auth: ReportsFetch,
    session: DbSession,
    query: SummaryFilters,
    file_format: Annotated[
        TableFormat, Query(alias="format", description="csv (default), xlsx or pdf")
    ] = "csv",
) -> Response:
    """The summary with the same filters and `group_by` as a download named
    `summary-<first day>-<last day>.<format>`: the totals, then one table per grouping."""
    summary = await report_service.summarize(session, auth, query)
    return Response(
        content=exporting.render_summary(summary, file_format),
        media_type=exporting.media_type(file_format),
        headers={
            "Content-Disposition": (
                f'attachment; filename="{exporting.filename(summary, file_format)}"'
            )
        },
    )
