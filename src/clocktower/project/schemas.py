"""Project requests and answers (seed 002 fields, seed 003 additions)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from clocktower.account.schemas import StrictModel
from clocktower.auth.context import AuthContext
from clocktower.auth.gating import GatedModel
from clocktower.kit.ids import IdField
from clocktower.kit.money import MAX_AMOUNT, JsonNumber, from_cents
from clocktower.kit.pagination import PaginationRead
from clocktower.kit.validation import non_nullable
from clocktower.models import Client, Project

ProjectStatus = Literal["active", "on_hold", "archived"]
BudgetType = Literal["none", "hours", "money"]

# Exact in code, a JSON number on the wire (seed 002: "hourly_rate": 75.00). Output only.
# Inputs: at most two decimals, bounded so cents and minutes fit their integer columns.
Amount = Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT, decimal_places=2)]
PositiveAmount = Annotated[Decimal, Field(gt=0, le=MAX_AMOUNT, decimal_places=2)]
Hours = Annotated[Decimal, Field(ge=0, le=Decimal("1000000"), decimal_places=2)]
PositiveHours = Annotated[Decimal, Field(gt=0, le=Decimal("1000000"), decimal_places=2)]
Color = Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$", description="#RRGGBB")]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Description = Annotated[str, Field(max_length=10_000)]
ExternalId = Annotated[str, Field(max_length=100)]


class ProjectCreate(StrictModel):
    name: Name
    description: Description | None = None
    client_id: IdField | None = None
    hourly_rate: Amount | None = None
    estimated_hours: Hours | None = None
    status: ProjectStatus = "active"
    color: Color | None = None
    billable: bool = True
    budget_type: BudgetType = "none"
    budget_hours: PositiveHours | None = None
    budget_amount: PositiveAmount | None = None
    external_id: ExternalId | None = None


class ProjectUpdate(StrictModel):
    """PUT and PATCH alike: only the fields sent change; null clears a nullable field."""

    name: Name | None = None
    description: Description | None = None
    client_id: IdField | None = None
    hourly_rate: Amount | None = None
    estimated_hours: Hours | None = None
    status: ProjectStatus | None = None
    color: Color | None = None
    billable: bool | None = None
    budget_type: BudgetType | None = None
    budget_hours: PositiveHours | None = None
    budget_amount: PositiveAmount | None = None
    external_id: ExternalId | None = None

    _not_null = non_nullable("name", "status", "billable", "budget_type")


class FindOrCreateProject(StrictModel):
    title: Name


class ProjectClientRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str


def _hours(minutes: int | None) -> Decimal | None:
    if minutes is None:
        return None
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))


class ProjectRead(GatedModel):
    object_type = "project"

    id: int
    name: str
    description: str | None
    client_id: int | None
    client: ProjectClientRead | None
    hourly_rate: JsonNumber | None
    estimated_hours: JsonNumber | None
    status: str
    color: str | None
    billable: bool
    budget_type: str
    budget_hours: JsonNumber | None
    budget_amount: JsonNumber | None
    external_id: str | None
    is_active: bool
    is_default_for_client: bool
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of_project(cls, project: Project, client: Client | None, auth: AuthContext) -> Self:
        return cls.of(
            project,
            auth,
            client=ProjectClientRead.model_validate(client) if client is not None else None,
            hourly_rate=from_cents(project.hourly_rate_cents),
            estimated_hours=_hours(project.estimated_minutes),
            budget_hours=_hours(project.budget_minutes),
            budget_amount=from_cents(project.budget_amount_cents),
            is_active=project.status == "active",
        )


class ProjectList(BaseModel):
    projects: list[ProjectRead]
    pagination: PaginationRead


class ProjectAnswer(BaseModel):
    project: ProjectRead


class ProjectCreated(BaseModel):
    message: str
    project: ProjectRead


class ProjectArchived(BaseModel):
    message: str
    project: ProjectRead


class ProjectDeleted(BaseModel):
    message: str


class ProjectStatusChangedEvent(BaseModel):
    """Webhook `project.status_changed` data (S6.5)."""

    id: int
    name: str
    client_id: int | None
    old_status: str
    new_status: str


class ProjectFoundOrCreated(BaseModel):
    project: ProjectRead
    created: bool
