"""Rate requests and answers: amounts are JSON numbers with two decimals (seed 002)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from clocktower.account.schemas import StrictModel
from clocktower.kit.money import JsonNumber, from_cents
from clocktower.kit.pagination import PaginationRead
from clocktower.models import ProjectUserRate
from clocktower.project.schemas import Amount
from clocktower.rate.repository import MemberRate
from clocktower.rate.resolve import RateSource

SOURCES_TEXT = (
    "task, project_user (the person's rate on the project), project, user (the person's "
    "own rate), client, organization, or none"
)


class RateWrite(StrictModel):
    hourly_rate: Amount = Field(description="Per hour, at most two decimals (75.5 → 75.50)")


class UserRateRead(BaseModel):
    user_id: int
    user_name: str
    hourly_rate: JsonNumber | None = Field(description="null: no rate of their own")

    @classmethod
    def of(cls, found: MemberRate) -> UserRateRead:
        return cls(
            user_id=found.membership.user_id,
            user_name=found.user_name,
            hourly_rate=from_cents(found.membership.hourly_rate_cents),
        )


class UserRateAnswer(BaseModel):
    rate: UserRateRead


class UserRateSaved(BaseModel):
    message: str
    rate: UserRateRead


class ProjectUserRateRead(BaseModel):
    project_id: int
    user_id: int
    user_name: str
    hourly_rate: JsonNumber
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, rate: ProjectUserRate, user_name: str) -> ProjectUserRateRead:
        amount = from_cents(rate.hourly_rate_cents)
        assert amount is not None
        return cls(
            project_id=rate.project_id,
            user_id=rate.user_id,
            user_name=user_name,
            hourly_rate=amount,
            created_at=rate.created_at,
            updated_at=rate.updated_at,
        )


class ProjectUserRateList(BaseModel):
    rates: list[ProjectUserRateRead]
    pagination: PaginationRead


class ProjectUserRateSaved(BaseModel):
    message: str
    rate: ProjectUserRateRead


class RateDeleted(BaseModel):
    message: str


class ResolvedRateRead(BaseModel):
    """The rate that prices an hour of this person's time on this task / project / client,
    and where it comes from."""

    hourly_rate: JsonNumber | None = Field(description="null when no rate applies")
    source: RateSource = Field(description=SOURCES_TEXT)
    currency: str = Field(description="The client's currency, else the organisation's")
    user_id: int
    project_id: int | None = Field(description="The task's project when a task is given")
    task_id: int | None
    client_id: int | None = Field(description="The project's client when a project applies")
