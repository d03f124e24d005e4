"""Time bills (S4.2, seed 000) over HTTP: list, export, read, change, approve, reject,
approve-all and recompute.

Static paths (`/export`, `/approve-all`, `/recompute`) are declared before `/{bill_id}`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response

from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import authorized
from clocktower.db import DbSession
from clocktower.errors import Forbidden, ValidationFailed, error_responses
from clocktower.kit.ids import IdPath
from clocktower.kit.pagination import Pagination, PaginationRead
from clocktower.kit.tables import MEDIA_TYPES, TableFormat
from clocktower.routing import AppRoute
from clocktower.time_bill import export
from clocktower.time_bill import service as bill_service
from clocktower.time_bill.errors import (
    InvalidStatusTransition,
    TimeBillInvoiced,
    TimeBillNotFound,
    TooManyTimeBills,
)
from clocktower.time_bill.filters import BillFiltersQuery
from clocktower.time_bill.schemas import (
    ApproveAll,
    ApproveAllResult,
    LockedBill,
    RecomputeRequest,
    RecomputeResult,
    SkippedBill,
    TimeBillAnswer,
    TimeBillList,
    TimeBillRead,
    TimeBillReject,
    TimeBillUpdate,
    TimeBillUpdated,
)

router = APIRouter(prefix="/time-bills", tags=["time bills"], route_class=AppRoute)

BillsList = Annotated[AuthContext, authorized("time_bill.fetch.many")]
BillsFetch = Annotated[AuthContext, authorized("time_bill.fetch")]
BillsUpdate = Annotated[AuthContext, authorized("time_bill.update")]
BillsApprove = Annotated[AuthContext, authorized("time_bill.approve")]
BillsRecompute = Annotated[AuthContext, authorized("time_bill.recompute")]

_DECISION_ERRORS = (TimeBillNotFound, TimeBillInvoiced, InvalidStatusTransition)


@router.get("", response_model_exclude_unset=True, responses=error_responses(ValidationFailed))
async def list_time_bills(
    auth: BillsList,
    session: DbSession,
    pagination: Pagination,
    query: BillFiltersQuery,
    enrich: Annotated[
        bool, Query(description="Embed user, client, project and task (seed 000)")
    ] = False,
) -> TimeBillList:
    """Newest day first. Members without time_bill.fetch.other see their own bills;
    customer members their client's. `start_date`/`end_date` are local days (the end day
    included); seed 000's `startDate`, `endDate`, `userId`, `customer` and `customerId`
    are accepted as aliases."""
    page = await bill_service.list_bills(session, auth, pagination, query, enrich=enrich)
    return TimeBillList(
        time_bills=[TimeBillRead.of_view(view, auth) for view in page.items],
        pagination=PaginationRead.of(page),
    )


@router.get(
    "/export",
    response_class=Response,
    responses={
        200: {
            "description": "The bills as CSV, XLSX or PDF, with a totals row",
            "content": {
                MEDIA_TYPES["csv"]: {"schema": {"type": "string"}},
                MEDIA_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
                MEDIA_TYPES["pdf"]: {"schema": {"type": "string", "format": "binary"}},
            },
        },
        **error_responses(ValidationFailed, TooManyTimeBills, Forbidden),
    },
)
async def export_time_bills(
    auth: BillsList,
    session: DbSession,
    query: BillFiltersQuery,
    file_format: Annotated[
        TableFormat, Query(alias="format", description="csv (default), xlsx or pdf")
    ] = "csv",
) -> Response:
    """Every bill the list would show with these filters, oldest day first, as a download
    (at most 50,000 bills: narrow the filters past that)."""
    exported = await export.export_bills(session, auth, query, file_format)
    return Response(
        content=exported.content,
        media_type=exported.media_type,
        headers={"Content-Disposition": f'attachment; filename="{exported.filename}"'},
    )


@router.post("/approve-all", responses=error_responses(ValidationFailed))
async def approve_all_time_bills(
    data: ApproveAll, auth: BillsApprove, session: DbSession
) -> ApproveAllResult:
    """Seed 000 batch approval: `bill_ids` (1 to 500), or filters (`start_date`,
    `end_date`, `user_id`, `client_id`, `project_id`) approving the oldest 500 pending
    bills that match. Listed bills that are not pending are skipped with the reason. Each
    approval queues its accounting push and `bill.approved` event in this transaction."""
    outcome = await bill_service.approve_all(session, auth, data)
    count = len(outcome.approved)
    return ApproveAllResult(
        message=f"{count} time {'bill' if count == 1 else 'bills'} approved, "
        f"{len(outcome.skipped)} skipped",
        approved=count,
        approved_ids=[bill.id for bill in outcome.approved],
        skipped=[SkippedBill(id=bill_id, reason=reason) for bill_id, reason in outcome.skipped],
        remaining=outcome.remaining,
    )


@router.post("/recompute", responses=error_responses(ValidationFailed))
async def recompute_time_bills(
    auth: BillsRecompute,
    session: DbSession,
    data: Annotated[RecomputeRequest | None, Body()] = None,
) -> RecomputeResult:
    """Seed 000 backfill: rebuilds every bill (of the local days `start_date`..`end_date`
    and `user_id` when given) from the entries, at today's rates and rounding rule. The
    result is deterministic: running it again changes nothing. Approved and invoiced bills
    are never altered: they are listed in `locked`."""
    changes = await bill_service.recompute(session, auth, data or RecomputeRequest())
    return RecomputeResult(
        message="Time bills recomputed",
        created=len(changes.created),
        updated=len(changes.updated),
        deleted=len(changes.deleted),
        unchanged=len(changes.unchanged),
        locked=[
            LockedBill.model_validate({"bill_id": bill_id, "reason": status})
            for bill_id, status in sorted(changes.locked.items())
        ],
    )


@router.get(
    "/{bill_id}",
    response_model_exclude_unset=True,
    responses=error_responses(TimeBillNotFound),
)
async def get_time_bill(bill_id: IdPath, auth: BillsFetch, session: DbSession) -> TimeBillAnswer:
    """The bill with its user, client, project and task embedded, and its entries' ids."""
    view = await bill_service.get_bill(session, auth, bill_id)
    entry_ids = await bill_service.entry_ids_of(session, auth, bill_id)
    return TimeBillAnswer(time_bill=TimeBillRead.of_view(view, auth, entry_ids=entry_ids))


@router.patch(
    "/{bill_id}",
    response_model_exclude_unset=True,
    responses=error_responses(*_DECISION_ERRORS, Forbidden),
)
async def update_time_bill(
    bill_id: IdPath, data: TimeBillUpdate, auth: BillsUpdate, session: DbSession
) -> TimeBillUpdated:
    """Seed 000: the bill's owner changes `memo`; approvers (time_bill.approve) change
    `status` (pending, approved, rejected) and `rejection_note`, and anyone's memo. An
    approved bill reopens with status pending. An invoiced bill is 409."""
    view = await bill_service.update_bill(session, auth, bill_id, data)
    return TimeBillUpdated(message="Time bill updated", time_bill=TimeBillRead.of_view(view, auth))


@router.post(
    "/{bill_id}/approve",
    response_model_exclude_unset=True,
    responses=error_responses(*_DECISION_ERRORS),
)
async def approve_time_bill(
    bill_id: IdPath, auth: BillsApprove, session: DbSession
) -> TimeBillUpdated:
    """A pending or rejected bill becomes approved: its entries lock, its accounting push
    and `bill.approved` event are queued. Approving an approved bill changes nothing."""
    view = await bill_service.approve_bill(session, auth, bill_id)
    return TimeBillUpdated(message="Time bill approved", time_bill=TimeBillRead.of_view(view, auth))


@router.post(
    "/{bill_id}/reject",
    response_model_exclude_unset=True,
    responses=error_responses(*_DECISION_ERRORS),
)
async def reject_time_bill(
    bill_id: IdPath, data: TimeBillReject, auth: BillsApprove, session: DbSession
) -> TimeBillUpdated:
    """A pending (or rejected) bill becomes rejected with the note; it goes back to
    pending when its entries change. An approved bill is reopened first (PATCH)."""
    view = await bill_service.reject_bill(session, auth, bill_id, data.rejection_note)
    return TimeBillUpdated(message="Time bill rejected", time_bill=TimeBillRead.of_view(view, auth))
