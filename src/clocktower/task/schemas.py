"""Task requests and answers (seed 002 names; seed 000/001 additions)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import BaseModel, Field

from clocktower.account.schemas import StrictModel
from clocktower.auth.context import AuthContext
from clocktower.auth.gating import GatedModel
from clocktower.kit.ids import IdField
from clocktower.kit.money import JsonNumber, from_cents
from clocktower.kit.pagination import PaginationRead
from clocktower.kit.validation import non_nullable
from clocktower.task.repository import TaskView

TaskStatus = Literal["todo", "in_progress", "review", "done"]
DONE = "done"

# 0 none, 1 low, 2 normal, 3 high, 4 urgent, 5 critical (docs/decisions.md).
PRIORITY_MIN = 0
PRIORITY_MAX = 5

MAX_HOURS = Decimal("100000")
MAX_RATE = Decimal("1000000")

NAME_MAX = 300
Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX)]
Description = Annotated[str, Field(max_length=20_000)]
ExternalRef = Annotated[str, Field(min_length=1, max_length=200)]
Priority = Annotated[int, Field(ge=PRIORITY_MIN, le=PRIORITY_MAX, strict=True)]
Hours = Annotated[Decimal, Field(ge=0, le=MAX_HOURS, decimal_places=2, allow_inf_nan=False)]
Rate = Annotated[Decimal, Field(ge=0, le=MAX_RATE, decimal_places=2, allow_inf_nan=False)]


def hours_to_minutes(hours: Decimal | None) -> int | None:
    if hours is None:
        return None
    return int((hours * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def minutes_to_hours(minutes: int | None) -> Decimal | None:
    if minutes is None:
        return None
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class TaskCreate(StrictModel):
    name: Name
    description: Description | None = None
    # Absent: the caller's default project (seed 001).
    project_id: IdField | None = None
    status: TaskStatus = "todo"
    priority: Priority = 0
    assignee_id: IdField | None = None
    due_date: date | None = None
    estimated_hours: Hours | None = None
    hourly_rate: Rate | None = None
    external_ref: ExternalRef | None = None


class TaskUpdate(StrictModel):
    """PUT and PATCH both change only the fields sent; nullable fields clear with null."""

    name: Name | None = None
    description: Description | None = None
    project_id: IdField | None = None
    status: TaskStatus | None = None
    priority: Priority | None = None
    assignee_id: IdField | None = None
    due_date: date | None = None
    estimated_hours: Hours | None = None
    hourly_rate: Rate | None = None
    external_ref: ExternalRef | None = None

    _not_null = non_nullable("name", "project_id", "status", "priority")


class TaskFindOrCreate(StrictModel):
    title: Name
    project_id: IdField | None = None


class TaskProjectRead(BaseModel):
    id: int
    name: str


class TaskAssigneeRead(BaseModel):
    id: int
    name: str


class TaskRead(GatedModel):
    object_type: ClassVar[str] = "task"

    id: int
    name: str
    description: str | None
    project_id: int
    project: TaskProjectRead
    status: str
    priority: int
    assignee_id: int | None
    assignee: TaskAssigneeRead | None
    due_date: date | None
    estimated_hours: JsonNumber | None
    hourly_rate: JsonNumber | None
    external_ref: str | None
    is_completed: bool
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of_view(cls, view: TaskView, auth: AuthContext) -> Self:
        task = view.task
        fields: dict[str, Any] = {
            "project": TaskProjectRead(id=view.project_id, name=view.project_name),
            "assignee": (
                TaskAssigneeRead(id=task.assignee_id, name=view.assignee_name)
                if task.assignee_id is not None and view.assignee_name is not None
                else None
            ),
            "due_date": task.due_on,
            "estimated_hours": minutes_to_hours(task.estimated_minutes),
            "hourly_rate": from_cents(task.hourly_rate_cents),
            "is_completed": task.status == DONE,
        }
        return cls.of(task, auth, **fields)


class TaskList(BaseModel):
    tasks: list[TaskRead]
    pagination: PaginationRead


class TaskAnswer(BaseModel):
    task: TaskRead


class TaskCreated(BaseModel):
    message: str
    task: TaskRead


class TaskUpdated(BaseModel):
    message: str
    task: TaskRead


class TaskDeleted(BaseModel):
    message: str


class TaskFoundOrCreated(BaseModel):
    task: TaskRead
    created: bool


class TaskCompletedEvent(BaseModel):
    """Webhook `task.completed` data (S6.5)."""

    id: int
    name: str
    project_id: int
    completed_at: datetime


class InternalUserRead(BaseModel):
    id: int
    name: str
    email: str


class InternalUserList(BaseModel):
    users: list[InternalUserRead]
    pagination: PaginationRead
