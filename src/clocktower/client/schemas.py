"""Client and contact requests and answers (seed 002, seed 003 fields)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Self

from pydantic import BaseModel, EmailStr, Field

from clocktower.account.schemas import StrictModel
from clocktower.auth.context import AuthContext
from clocktower.auth.gating import GatedModel
from clocktower.kit.money import MAX_AMOUNT, JsonNumber, from_cents
from clocktower.kit.pagination import PaginationRead
from clocktower.kit.validation import non_nullable
from clocktower.models import Client, ClientContact


@dataclass(frozen=True)
class ClientFilter:
    """GET /clients query: `active`, and `search` (or its alias `q`)."""

    active: bool | None = None
    search: str | None = None


class ClientFields(StrictModel):
    """The fields a client is written with; every one but `name` is optional."""

    email: EmailStr | None = Field(None, max_length=320)
    company: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=50)
    address: str | None = Field(None, max_length=2000)
    notes: str | None = Field(None, max_length=10_000)
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$", description="ISO 4217 code")
    default_hourly_rate: Decimal | None = Field(
        None, ge=0, le=MAX_AMOUNT, max_digits=12, decimal_places=2
    )
    is_active: bool | None = None
    external_id: str | None = Field(None, max_length=100)
    xero_contact_id: str | None = Field(None, max_length=100)
    moneybird_contact_id: str | None = Field(None, max_length=100)
    connectwise_company_id: str | None = Field(None, max_length=100)


class ClientCreate(ClientFields):
    name: str = Field(min_length=1, max_length=200)
    is_active: bool = True


class ClientUpdate(ClientFields):
    """PUT and PATCH: only the fields sent change; `name`/`is_active` cannot be null."""

    name: str | None = Field(None, min_length=1, max_length=200)

    _not_null = non_nullable("name", "is_active")


class ContactCreate(StrictModel):
    name: str = Field(min_length=1, max_length=200)
    title: str | None = Field(None, max_length=200)
    email: EmailStr | None = Field(None, max_length=320)
    phone: str | None = Field(None, max_length=50)
    is_primary: bool = False


class ContactUpdate(StrictModel):
    name: str | None = Field(None, min_length=1, max_length=200)
    title: str | None = Field(None, max_length=200)
    email: EmailStr | None = Field(None, max_length=320)
    phone: str | None = Field(None, max_length=50)
    is_primary: bool | None = None

    _not_null = non_nullable("name", "is_primary")


class ContactRead(GatedModel):
    object_type = "client_contact"

    id: int
    client_id: int
    name: str
    title: str | None
    email: str | None
    phone: str | None
    is_primary: bool
    created_at: datetime
    updated_at: datetime


class ClientRead(GatedModel):
    object_type = "client"

    id: int
    name: str
    email: str | None
    company: str | None
    phone: str | None
    address: str | None
    notes: str | None
    currency: str | None
    default_hourly_rate: JsonNumber | None
    is_active: bool
    external_id: str | None
    xero_contact_id: str | None
    moneybird_contact_id: str | None
    connectwise_company_id: str | None
    projects_count: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def rate_of(client: Client) -> Decimal | None:
        return from_cents(client.default_hourly_rate_cents)

    @classmethod
    def build(cls, client: Client, projects_count: int, auth: AuthContext) -> Self:
        return cls.of(
            client, auth, default_hourly_rate=cls.rate_of(client), projects_count=projects_count
        )


class ClientDetailRead(ClientRead):
    contacts: list[ContactRead]

    @classmethod
    def build_detail(
        cls,
        client: Client,
        projects_count: int,
        contacts: Sequence[ClientContact],
        auth: AuthContext,
    ) -> ClientDetailRead:
        return cls.of(
            client,
            auth,
            default_hourly_rate=cls.rate_of(client),
            projects_count=projects_count,
            contacts=[ContactRead.of(contact, auth) for contact in contacts],
        )


class ClientList(BaseModel):
    clients: list[ClientRead]
    pagination: PaginationRead


class ClientAnswer(BaseModel):
    client: ClientDetailRead


class ClientCreated(BaseModel):
    message: str
    client: ClientDetailRead


class ClientUpdated(BaseModel):
    message: str
    client: ClientDetailRead


class ContactList(BaseModel):
    contacts: list[ContactRead]


class ContactAnswer(BaseModel):
    message: str
    contact: ContactRead


class Message(BaseModel):
    message: str
