"""Organisation requests and answers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, EmailStr, Field, field_validator

from clocktower.account.schemas import OrganizationSummary, StrictModel
from clocktower.auth.gating import GatedModel
from clocktower.kit.pagination import PaginationRead
from clocktower.kit.time import is_valid_timezone
from clocktower.kit.validation import non_nullable

CURRENCY_PATTERN = r"^[A-Z]{3}$"
# Fields an update may set but never clear: the organisation cannot work without them.
REQUIRED_ON_UPDATE = ("name", "timezone", "currency")


def _known_timezone(value: str | None) -> str | None:
    if value is not None and not is_valid_timezone(value):
        raise ValueError("Unknown time zone")
    return value


class OrganizationCreate(StrictModel):
    name: str = Field(min_length=1, max_length=200)
    timezone: str | None = Field(None, max_length=64, description="IANA zone; default yours")
    currency: str | None = Field(
        None, pattern=CURRENCY_PATTERN, description="ISO 4217 code, e.g. EUR (the default)"
    )

    check_timezone = field_validator("timezone")(_known_timezone)


class OrganizationUpdate(StrictModel):
    """PUT and PATCH alike: only the fields sent change."""

    name: str | None = Field(None, min_length=1, max_length=200)
    timezone: str | None = Field(None, max_length=64)
    currency: str | None = Field(None, pattern=CURRENCY_PATTERN)
    billing_email: EmailStr | None = Field(None, max_length=320)
    address: str | None = Field(None, max_length=2000)

    check_timezone = field_validator("timezone")(_known_timezone)

    _not_null = non_nullable(*REQUIRED_ON_UPDATE)


class OrganizationRead(GatedModel):
    object_type = "organization"

    id: int
    name: str
    slug: str
    timezone: str
    currency: str
    billing_email: str | None
    address: str | None
    subscription_status: str
    owner_id: int | None
    created_at: datetime
    updated_at: datetime


class OrganizationMembershipRead(BaseModel):
    """One of the caller's organisations (seed 003), with the caller's role in it."""

    id: int
    name: str
    slug: str
    role: str = Field(description="Primary role: owner, admin, member, viewer, customer or custom")
    is_current: bool


class OrganizationList(BaseModel):
    organizations: list[OrganizationMembershipRead]
    pagination: PaginationRead


class OrganizationAnswer(BaseModel):
    organization: OrganizationRead


class OrganizationCreated(BaseModel):
    message: str
    organization: OrganizationRead


class OrganizationUpdated(BaseModel):
    message: str
    organization: OrganizationRead


class OrganizationSwitched(BaseModel):
    message: str
    organization: OrganizationSummary
