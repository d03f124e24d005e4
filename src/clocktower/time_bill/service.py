"""Time bill use cases: list, read, change (memo, status), approve, reject, approve-all,
recompute.

Who sees what: members read their own bills; `time_bill.fetch.other` reads everyone's;
a customer member (with the node) reads their client's only. Status moves:

    pending  → approved | rejected
    rejected → approved | pending   (and to pending by itself when its entries change)
    approved → pending              (an approver reopens it; its entries unlock)
    invoiced                        (set by invoices; nothing changes it here)

Every approval queues the accounting push (`accounting.push.queue_push`) and the
`bill.approved` webhook event in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.accounting.push import queue_pushes
from clocktower.auth.context import AuthContext
from clocktower.errors import ValidationFailed
from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.time import in_zone_to_utc, utcnow
from clocktower.models import TimeBill
from clocktower.time_bill import ledger
from clocktower.time_bill.errors import InvalidStatusTransition, TimeBillInvoiced, TimeBillNotFound
from clocktower.time_bill.repository import (
    BillFilters,
    BillScope,
    BillView,
    BillViewer,
    TimeBillRepository,
)
from clocktower.time_bill.schemas import (
    APPROVE_ALL_MAX,
    ApproveAll,
    RecomputeRequest,
    SkipReason,
    TimeBillRead,
    TimeBillUpdate,
)
from clocktower.webhook.events import emit_many

APPROVED_EVENT = "bill.approved"
_MOVES: dict[str, frozenset[str]] = {
    "pending": frozenset({"approved", "rejected"}),
    "rejected": frozenset({"approved", "pending"}),
    "approved": frozenset({"pending"}),
}
_HINTS = {
    "approved": "reopen it (status pending) first",
}


@dataclass(frozen=True)
class BillQuery:
    """List filters as sent; days (or instants, read as their day in the caller's zone)."""

    user_id: int | None = None
    client_id: int | None = None
    project_id: int | None = None
    task_id: int | None = None
    status: str | None = None
    start_date: date | datetime | None = None
    end_date: date | datetime | None = None


@dataclass
class ApproveAllOutcome:
    approved: list[TimeBill] = field(default_factory=list)
    skipped: list[tuple[int, SkipReason]] = field(default_factory=list)
    remaining: int = 0


# --- reading ------------------------------------------------------------------------


def viewer_of(auth: AuthContext) -> BillViewer:
    return BillViewer(
        organization_id=auth.org_id,
        customer_client_id=auth.client_id,
        only_user_id=None if auth.allows("time_bill.fetch.other") else auth.user_id,
    )


def filters_of(auth: AuthContext, query: BillQuery) -> BillFilters:
    if query.user_id is not None and query.user_id != auth.user_id:
        auth.require("time_bill.fetch.other")
    first = _local_day(query.start_date, auth)
    last = _local_day(query.end_date, auth)
    if first is not None and last is not None and last < first:
        raise ValidationFailed.field("end_date", "end_date must not be before start_date")
    return BillFilters(
        user_id=query.user_id,
        client_id=query.client_id,
        project_id=query.project_id,
        task_id=query.task_id,
        status=query.status,
        first_day=first,
        last_day=last,
    )


def _local_day(value: date | datetime | None, auth: AuthContext) -> date | None:
    """A bill's day is a calendar day: an instant counts as its day in the caller's zone."""
    if isinstance(value, datetime):
        zone = auth.user.timezone
        return in_zone_to_utc(value, zone).astimezone(ZoneInfo(zone)).date()
    return value


async def list_bills(
    session: AsyncSession,
    auth: AuthContext,
    pagination: PageParams,
    query: BillQuery,
    *,
    enrich: bool = False,
) -> Page[BillView]:
    return await TimeBillRepository(session).page(
        viewer_of(auth), filters_of(auth, query), pagination, enrich=enrich
    )


async def get_bill(session: AsyncSession, auth: AuthContext, bill_id: int) -> BillView:
    view = await TimeBillRepository(session).view(viewer_of(auth), bill_id)
    if view is None:
        raise TimeBillNotFound()
    return view


async def entry_ids_of(session: AsyncSession, auth: AuthContext, bill_id: int) -> list[int]:
    return await TimeBillRepository(session).entry_ids(auth.org_id, bill_id)


# --- changing one bill --------------------------------------------------------------


async def update_bill(
    session: AsyncSession, auth: AuthContext, bill_id: int, data: TimeBillUpdate
) -> BillView:
    """Seed 000 PATCH. The owner (time_bill.update) changes the memo; status and
    rejection_note (and anyone else's memo) need time_bill.approve."""
    changes = data.model_dump(exclude_unset=True)
    bill = await _bill_for_update(session, auth, bill_id)
    deciding = bool({"status", "rejection_note"} & changes.keys())
    if deciding or ("memo" in changes and bill.user_id != auth.user_id):
        auth.require("time_bill.approve")
    _refuse_invoiced(bill)
    if "memo" in changes:
        bill.memo = changes["memo"] or None
    if deciding:
        target = changes.get("status") or bill.status
        note = changes.get("rejection_note")
        if "rejection_note" in changes and target != "rejected":
            raise ValidationFailed.field(
                "rejection_note", "A rejection note goes with status rejected"
            )
        await _move(session, auth, [bill], target, note=note)
    await session.flush()
    return await get_bill(session, auth, bill.id)


async def approve_bill(session: AsyncSession, auth: AuthContext, bill_id: int) -> BillView:
    """A pending or rejected bill becomes approved (approving it again changes nothing)."""
    bill = await _bill_for_update(session, auth, bill_id)
    _refuse_invoiced(bill)
    await _move(session, auth, [bill], "approved")
    await session.flush()
    return await get_bill(session, auth, bill.id)


async def reject_bill(
    session: AsyncSession, auth: AuthContext, bill_id: int, note: str
) -> BillView:
    """A pending or rejected bill becomes rejected with the note (a rejected one gets the
    new note). An approved bill is reopened first (PATCH status pending)."""
    bill = await _bill_for_update(session, auth, bill_id)
    _refuse_invoiced(bill)
    await _move(session, auth, [bill], "rejected", note=note)
    await session.flush()
    return await get_bill(session, auth, bill.id)


async def _bill_for_update(session: AsyncSession, auth: AuthContext, bill_id: int) -> TimeBill:
    found = await TimeBillRepository(session).for_update(viewer_of(auth), [bill_id])
    if not found:
        raise TimeBillNotFound()
    return found[0]


def _is_invoiced(bill: TimeBill) -> bool:
    return bill.status == "invoiced" or bill.invoice_id is not None


def _refuse_invoiced(bill: TimeBill) -> None:
    if _is_invoiced(bill):
        raise TimeBillInvoiced(bill.id, bill.invoice_id)


async def _move(
    session: AsyncSession,
    auth: AuthContext,
    bills: list[TimeBill],
    target: str,
    *,
    note: str | None = None,
) -> None:
    """Moves bills (none invoiced) to `target`; a bill already there stays (a rejected one
    takes the new note). Approvals queue their pushes and events."""
    now = utcnow()
    approved: list[TimeBill] = []
    for bill in bills:
        if bill.status == target:
            if target == "rejected" and note:
                bill.rejection_note = note
            continue
        if target not in _MOVES.get(bill.status, frozenset()):
            raise InvalidStatusTransition(bill.status, target, _HINTS.get(bill.status, ""))
        if target == "approved":
            bill.approved_at = now
            bill.approved_by_id = auth.user_id
            bill.rejection_note = None
            bill.rejected_at = None
            approved.append(bill)
        elif target == "rejected":
            if not note:
                raise ValidationFailed.field(
                    "rejection_note", "A rejection note is required to reject a bill"
                )
            bill.rejection_note = note
            bill.rejected_at = now
            bill.approved_at = None
            bill.approved_by_id = None
        else:
            bill.approved_at = None
            bill.approved_by_id = None
        bill.status = target
    if approved:
        await session.flush()
        await _approved(session, auth, approved)


async def _approved(session: AsyncSession, auth: AuthContext, bills: list[TimeBill]) -> None:
    """The accounting push of each bill and its `bill.approved` event (S6.5)."""
    await queue_pushes(session, auth.org_id, "time_bill", [bill.id for bill in bills])
    await emit_many(session, auth.org_id, APPROVED_EVENT, [bill_payload(bill) for bill in bills])


def bill_payload(bill: TimeBill) -> dict[str, Any]:
    """The bill as webhook subscribers receive it (every field, no embeds)."""
    read = TimeBillRead.of_view(BillView(bill), None)
    return read.model_dump(mode="json", exclude_unset=True)


# --- many bills ---------------------------------------------------------------------


async def approve_all(
    session: AsyncSession, auth: AuthContext, data: ApproveAll
) -> ApproveAllOutcome:
    """Seed 000 approve-all: the bills listed, or the oldest 500 pending bills matching the
    filters. Listed bills that are not pending are skipped with the reason."""
    repository = TimeBillRepository(session)
    viewer = viewer_of(auth)
    outcome = ApproveAllOutcome()
    if data.bill_ids is not None:
        ids = list(dict.fromkeys(data.bill_ids))
        found = {bill.id: bill for bill in await repository.for_update(viewer, ids)}
        for bill_id in ids:
            bill = found.get(bill_id)
            reason = _skip_reason(bill)
            if reason is not None:
                outcome.skipped.append((bill_id, reason))
            elif bill is not None:
                outcome.approved.append(bill)
        await _move(session, auth, outcome.approved, "approved")
        await session.flush()
        return outcome
    filters = BillFilters(
        user_id=data.user_id,
        client_id=data.client_id,
        project_id=data.project_id,
        first_day=data.start_date,
        last_day=data.end_date,
    )
    outcome.approved = await repository.pending_for_update(viewer, filters, limit=APPROVE_ALL_MAX)
    await _move(session, auth, outcome.approved, "approved")
    await session.flush()
    outcome.remaining = await repository.matching(viewer, replace(filters, status="pending"))
    return outcome


def _skip_reason(bill: TimeBill | None) -> SkipReason | None:
    if bill is None:
        return "not_found"
    if _is_invoiced(bill):
        return "invoiced"
    if bill.status == "approved":
        return "already_approved"
    if bill.status == "rejected":
        return "rejected"
    return None


async def recompute(
    session: AsyncSession, auth: AuthContext, data: RecomputeRequest
) -> ledger.LedgerChanges:
    """Rebuilds the organisation's bills (of the days and user given) from the entries.
    Approved and invoiced bills are reported and left exactly as they are."""
    scope = BillScope(first=data.start_date, last=data.end_date, user_id=data.user_id)
    return await ledger.rebuild(session, auth.org_id, scope)
