"""Time bill requests and answers (seed 000 bills in seed 002's style)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import BaseModel, Field, model_validator

from clocktower.account.schemas import StrictModel
from clocktower.auth.context import AuthContext
from clocktower.auth.gating import GatedModel
from clocktower.kit.ids import IdField
from clocktower.kit.money import JsonNumber, from_cents
from clocktower.kit.pagination import PaginationRead
from clocktower.kit.validation import non_nullable
from clocktower.time_bill.repository import BillView

BillStatus = Literal["pending", "approved", "rejected", "invoiced"]
# What a person may set; `invoiced` is set by invoices only.
SettableStatus = Literal["pending", "approved", "rejected"]
Note = Annotated[str, Field(max_length=2000)]
APPROVE_ALL_MAX = 500


def hours_of(seconds: int) -> Decimal:
    """Seconds as hours, rounded half up to two places (display only: amounts are priced
    from the exact seconds)."""
    return (Decimal(seconds) / 3600).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- requests ---------------------------------------------------------------------------


class TimeBillUpdate(StrictModel):
    """Seed 000 PATCH: the owner changes `memo`; approvers (time_bill.approve) change
    `status` and `rejection_note` too. Only the fields sent change."""

    memo: Note | None = Field(None, description="Free text of the bill's owner; null clears")
    status: SettableStatus | None = Field(
        None,
        description="pending, approved or rejected (approvers only); approved → pending "
        "reopens an approved bill",
    )
    rejection_note: Note | None = Field(
        None, description="Why the bill was rejected (approvers only; status rejected)"
    )

    _not_null = non_nullable("status")


class TimeBillReject(StrictModel):
    rejection_note: Annotated[str, Field(min_length=1, max_length=2000)]


class ApproveAll(StrictModel):
    """Either `bill_ids` (1 to 500) or at least one filter; the filters approve the
    oldest 500 pending bills that match (`remaining` says how many are left)."""

    bill_ids: list[IdField] | None = Field(None, min_length=1, max_length=APPROVE_ALL_MAX)
    start_date: dt.date | None = Field(None, description="First local day (inclusive)")
    end_date: dt.date | None = Field(None, description="Last local day (inclusive)")
    user_id: IdField | None = None
    client_id: IdField | None = None
    project_id: IdField | None = None

    @model_validator(mode="after")
    def _ids_or_filters(self) -> Self:
        filters = [self.start_date, self.end_date, self.user_id, self.client_id, self.project_id]
        has_filter = any(value is not None for value in filters)
        if self.bill_ids is not None and has_filter:
            raise ValueError("send bill_ids or filters, not both")
        if self.bill_ids is None and not has_filter:
            raise ValueError(
                "send bill_ids, or at least one of start_date, end_date, user_id, client_id, "
                "project_id"
            )
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date must not be before start_date")
        return self


class RecomputeRequest(StrictModel):
    start_date: dt.date | None = Field(None, description="First local day (inclusive)")
    end_date: dt.date | None = Field(None, description="Last local day (inclusive)")
    user_id: IdField | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date must not be before start_date")
        return self


# --- answers ----------------------------------------------------------------------------


class BillUserRead(BaseModel):
    id: int
    name: str


class BillProjectRead(BaseModel):
    id: int
    name: str
    color: str | None


class BillNamedRead(BaseModel):
    id: int
    name: str


class TimeBillRead(GatedModel):
    """`user`, `client`, `project` and `task` appear with enrich=true (and on a single
    bill); `entry_ids` on a single bill."""

    object_type: ClassVar[str] = "time_bill"

    id: int
    bill_key: str
    user_id: int
    client_id: int | None
    project_id: int | None
    task_id: int | None
    date: dt.date
    entry_count: int
    seconds: int
    hours: JsonNumber
    billable_seconds: int
    billable_hours: JsonNumber
    hourly_rate: JsonNumber | None
    rate_source: str
    amount: JsonNumber
    currency: str
    status: BillStatus
    memo: str | None
    rejection_note: str | None
    approved_at: dt.datetime | None
    approved_by_id: int | None
    rejected_at: dt.datetime | None
    invoice_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    entry_ids: list[int] | None = None
    user: BillUserRead | None = None
    client: BillNamedRead | None = None
    project: BillProjectRead | None = None
    task: BillNamedRead | None = None

    @classmethod
    def of_view(
        cls, view: BillView, auth: AuthContext | None, *, entry_ids: list[int] | None = None
    ) -> TimeBillRead:
        bill = view.bill
        fields: dict[str, Any] = {
            "date": bill.day,
            "hours": hours_of(bill.seconds),
            "billable_hours": hours_of(bill.billable_seconds),
            "hourly_rate": from_cents(bill.rate_cents),
            "amount": from_cents(bill.amount_cents),
        }
        if entry_ids is not None:
            fields["entry_ids"] = entry_ids
        if view.enriched:
            fields["user"] = BillUserRead(id=bill.user_id, name=view.user_name or "")
            fields["client"] = (
                BillNamedRead(id=bill.client_id, name=view.client_name or "")
                if bill.client_id is not None
                else None
            )
            fields["project"] = (
                BillProjectRead(
                    id=bill.project_id, name=view.project_name or "", color=view.project_color
                )
                if bill.project_id is not None
                else None
            )
            fields["task"] = (
                BillNamedRead(id=bill.task_id, name=view.task_name or "")
                if bill.task_id is not None
                else None
            )
        return cls.of(bill, auth, **fields)


class TimeBillList(BaseModel):
    time_bills: list[TimeBillRead]
    pagination: PaginationRead


class TimeBillAnswer(BaseModel):
    time_bill: TimeBillRead


class TimeBillUpdated(BaseModel):
    message: str
    time_bill: TimeBillRead


SkipReason = Literal["not_found", "already_approved", "rejected", "invoiced"]


class SkippedBill(BaseModel):
    id: int
    reason: SkipReason = Field(
        description="not_found (absent or not visible to you), already_approved, rejected "
        "(approve it on its own once fixed), invoiced"
    )


class ApproveAllResult(BaseModel):
    message: str
    approved: int
    approved_ids: list[int]
    skipped: list[SkippedBill]
    remaining: int = Field(description="Pending bills matching the filters left to approve")


class LockedBill(BaseModel):
    bill_id: int
    reason: Literal["approved", "invoiced"]


class RecomputeResult(BaseModel):
    message: str
    created: int
    updated: int
    deleted: int
    unchanged: int
    locked: list[LockedBill] = Field(
        description="Approved or invoiced bills in scope: left exactly as they are"
    )
