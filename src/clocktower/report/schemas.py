"""The summary report's answer (seed 002 `GET /reports/summary`) and its groupings.

Seed 002's keys are kept exactly (`summary`, `start_date`, `end_date`, `total_hours`,
`billable_hours`, `total_entries`, `by_project` rows of `project_id`, `project_name`,
`hours`, `entries`). Every group row also carries `billable_hours`; the `by_*` lists
other than `by_project` appear only when `group_by` asks for them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field

from clocktower.kit.money import JsonNumber
from clocktower.report.repository import Dimension, GroupTotal, PeriodTotal
from clocktower.report.service import Summary
from clocktower.time_entry.schemas import seconds_to_hours

_LAST_MICROSECOND = 999_999


def hours(seconds: int) -> Decimal:
    """Seconds as hours to two decimals, rounded half up (exact, no floats)."""
    value = seconds_to_hours(seconds)
    assert value is not None
    return value


def shown_end(end: datetime) -> datetime:
    """The last instant of an exclusive end, as seed 002 shows it (`…T23:59:59Z`): whole
    seconds when the end was a day (or a whole-second instant), else exact."""
    last = end - timedelta(microseconds=1)
    if last.microsecond == _LAST_MICROSECOND:
        last = last.replace(microsecond=0)
    return last.astimezone(UTC)


# Every row's amounts, after its id and name (seed 002's order).
Hours = Annotated[JsonNumber, Field(description="Tracked hours, rounded half up to 2 decimals")]
EntryCount = Annotated[int, Field(description="Stopped entries counted")]


class ProjectHoursRead(BaseModel):
    project_id: int | None = Field(description="null: time without a project")
    project_name: str | None
    hours: Hours
    billable_hours: Hours
    entries: EntryCount

    @classmethod
    def of(cls, row: GroupTotal) -> ProjectHoursRead:
        return cls(project_id=row.key, project_name=row.name, **_amounts(row))


class ClientHoursRead(BaseModel):
    client_id: int | None = Field(description="null: time without a client")
    client_name: str | None
    hours: Hours
    billable_hours: Hours
    entries: EntryCount

    @classmethod
    def of(cls, row: GroupTotal) -> ClientHoursRead:
        return cls(client_id=row.key, client_name=row.name, **_amounts(row))


class UserHoursRead(BaseModel):
    user_id: int
    user_name: str | None
    hours: Hours
    billable_hours: Hours
    entries: EntryCount

    @classmethod
    def of(cls, row: GroupTotal) -> UserHoursRead:
        assert row.key is not None
        return cls(user_id=row.key, user_name=row.name, **_amounts(row))


class TaskHoursRead(BaseModel):
    task_id: int | None = Field(description="null: time without a task")
    task_name: str | None
    project_id: int | None = Field(description="The task's project")
    hours: Hours
    billable_hours: Hours
    entries: EntryCount

    @classmethod
    def of(cls, row: GroupTotal) -> TaskHoursRead:
        return cls(task_id=row.key, task_name=row.name, project_id=row.parent, **_amounts(row))


class PeriodHoursRead(BaseModel):
    period: date = Field(description="The first local day of the day, ISO week or month")
    hours: Hours
    billable_hours: Hours
    entries: EntryCount

    @classmethod
    def of(cls, row: PeriodTotal) -> PeriodHoursRead:
        return cls(period=row.label, **_amounts(row))


def _amounts(row: GroupTotal | PeriodTotal) -> dict[str, Decimal | int]:
    return {
        "hours": hours(row.seconds),
        "billable_hours": hours(row.billable_seconds),
        "entries": row.entries,
    }


class SummaryRead(BaseModel):
    start_date: datetime = Field(description="First instant counted (UTC)")
    end_date: datetime = Field(description="Last instant counted (UTC)")
    total_hours: Hours
    billable_hours: Hours
    total_entries: EntryCount
    by_project: list[ProjectHoursRead]
    by_client: list[ClientHoursRead] | None = None
    by_user: list[UserHoursRead] | None = None
    by_task: list[TaskHoursRead] | None = None
    by_day: list[PeriodHoursRead] | None = None
    by_week: list[PeriodHoursRead] | None = None
    by_month: list[PeriodHoursRead] | None = None

    @classmethod
    def of(cls, summary: Summary) -> SummaryRead:
        fields: dict[str, Any] = {
            "start_date": summary.start.astimezone(UTC),
            "end_date": shown_end(summary.end),
            "total_hours": hours(summary.totals.seconds),
            "billable_hours": hours(summary.totals.billable_seconds),
            "total_entries": summary.totals.entries,
        }
        # Only the groupings asked for are set, so only they are in the answer.
        for dimension, rows in summary.by_dimension.items():
            read = _DIMENSION_READS[dimension]
            fields[f"by_{dimension}"] = [read.of(row) for row in rows]
        for unit, periods in summary.by_period.items():
            fields[f"by_{unit}"] = [PeriodHoursRead.of(row) for row in periods]
        return cls.model_validate(fields)


_DIMENSION_READS: dict[
    Dimension, type[ProjectHoursRead | ClientHoursRead | UserHoursRead | TaskHoursRead]
] = {
    "project": ProjectHoursRead,
    "client": ClientHoursRead,
    "user": UserHoursRead,
    "task": TaskHoursRead,
}


class SummaryAnswer(BaseModel):
    summary: SummaryRead
