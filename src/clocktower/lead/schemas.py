"""Lead and lead-form requests and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, EmailStr, Field

from clocktower.account.schemas import StrictModel
from clocktower.auth.gating import GatedModel
from clocktower.client.schemas import ClientDetailRead, ClientFields
from clocktower.kit.pagination import PaginationRead
from clocktower.kit.validation import non_nullable

LeadStatus = Literal["new", "contacted", "converted", "discarded"]
# Staff move a lead by hand between these; `converted` is reached only by converting.
SettableStatus = Literal["new", "contacted", "discarded"]


class LeadSubmission(StrictModel):
    """What a marketing site's contact form posts."""

    form_key: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr = Field(max_length=320)
    company: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=50)
    message: str | None = Field(None, max_length=10_000)
    source: str | None = Field(None, max_length=200)
    # Honeypot: hidden from people by the site's CSS, filled in by bots.
    website: str | None = Field(None, max_length=500)


class LeadUpdate(StrictModel):
    status: SettableStatus


class LeadConvert(ClientFields):
    """Optional overrides of what the new client takes from the lead."""

    name: str | None = Field(None, min_length=1, max_length=200)

    _not_null = non_nullable("name", "is_active")


class LeadFormCreate(StrictModel):
    name: str = Field(min_length=1, max_length=100)


class LeadRead(GatedModel):
    object_type = "lead"

    id: int
    name: str
    email: str
    company: str | None
    phone: str | None
    message: str | None
    source: str | None
    status: LeadStatus
    client_id: int | None
    converted_at: datetime | None
    ip_address: str | None
    user_agent: str | None
    created_at: datetime
    updated_at: datetime


class LeadFormRead(GatedModel):
    object_type = "lead_form"

    id: int
    name: str
    public_key: str = Field(description="Public by nature: the site's HTML carries it")
    is_active: bool
    created_at: datetime
    updated_at: datetime


class LeadList(BaseModel):
    leads: list[LeadRead]
    pagination: PaginationRead


class LeadAnswer(BaseModel):
    message: str
    lead: LeadRead


class LeadConverted(BaseModel):
    message: str
    lead: LeadRead
    client: ClientDetailRead


class LeadFormList(BaseModel):
    lead_forms: list[LeadFormRead]


class LeadFormCreated(BaseModel):
    message: str
    lead_form: LeadFormRead


class Message(BaseModel):
    message: str
