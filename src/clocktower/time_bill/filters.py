"""The query parameters that filter a list of time bills (seed 000 names as aliases),
shared by the list and the export."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import Depends, Query

from clocktower.errors import ValidationFailed
from clocktower.kit.ids import MAX_ID
from clocktower.kit.period import parse_day_or_instant
from clocktower.time_bill.schemas import BillStatus
from clocktower.time_bill.service import BillQuery

OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
_DAY_TEXT = "A local day (2024-01-15); an instant counts as its day in your time zone. "


def _day(field: str, *texts: str | None) -> date | datetime | None:
    values = {text.strip() for text in texts if text is not None and text.strip()}
    if len(values) > 1:
        raise ValidationFailed.field(field, f"{field} and its seed alias disagree")
    if not values:
        return None
    try:
        return parse_day_or_instant(values.pop())
    except ValueError as error:
        raise ValidationFailed.field(field, str(error)) from None


def _one(field: str, *values: int | None) -> int | None:
    given = {value for value in values if value is not None}
    if len(given) > 1:
        raise ValidationFailed.field(field, f"{field} and its seed alias disagree")
    return given.pop() if given else None


def bill_filters(
    start_date: Annotated[
        str | None, Query(max_length=40, description=_DAY_TEXT + "Bills of this day or later")
    ] = None,
    end_date: Annotated[
        str | None, Query(max_length=40, description=_DAY_TEXT + "Bills up to this day, included")
    ] = None,
    user_id: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="Another user's bills need time_bill.fetch.other"),
    ] = None,
    client_id: OptionalId = None,
    project_id: OptionalId = None,
    task_id: OptionalId = None,
    status: BillStatus | None = None,
    start_date_alias: Annotated[
        str | None, Query(alias="startDate", max_length=40, description="Seed 000: start_date")
    ] = None,
    end_date_alias: Annotated[
        str | None, Query(alias="endDate", max_length=40, description="Seed 000: end_date")
    ] = None,
    user_id_alias: Annotated[
        int | None, Query(alias="userId", ge=1, le=MAX_ID, description="Seed 000: user_id")
    ] = None,
    customer: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Seed 000: client_id")
    ] = None,
    customer_id: Annotated[
        int | None, Query(alias="customerId", ge=1, le=MAX_ID, description="Seed 000: client_id")
    ] = None,
) -> BillQuery:
    return BillQuery(
        user_id=_one("user_id", user_id, user_id_alias),
        client_id=_one("client_id", client_id, customer, customer_id),
        project_id=project_id,
        task_id=task_id,
        status=status,
        start_date=_day("start_date", start_date, start_date_alias),
        end_date=_day("end_date", end_date, end_date_alias),
    )


BillFiltersQuery = Annotated[BillQuery, Depends(bill_filters)]
